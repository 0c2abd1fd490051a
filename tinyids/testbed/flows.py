"""Unidirectional flow ("uniflow") features of MQTT-IoT-IDS2020, computed from a pcap.

Definitions follow the dataset's own extractor, ``pcap_parser.py`` in the authors' repository
github.com/AbertayMachineLearningGroup/MQTT_ML (Hindy et al., "Machine Learning Based IoT
Intrusion Detection System: An MQTT Case Study (MQTT-IoT-IDS2020 Dataset)", INC 2020), which
reads the capture with dpkt exactly as done here:

* Packets kept: Ethernet frames carrying IPv4 whose payload is TCP or UDP. ARP/other L2, IPv6,
  ICMP, IGMP, other transports and non-first IP fragments are dropped (and counted).
* Flow key: the directed 5-tuple ``(ip_src, ip_dst, prt_src, prt_dst, proto)``. Each direction
  of a conversation is its own uniflow (the reverse direction is another row).
* Timeout: the reference extractor has none: every packet of a 5-tuple in the capture belongs to
  one flow. ``flow_timeout_s`` (default ``None``) optionally starts a new flow when a packet
  comes more than that many seconds after the flow's previous packet (idle timeout).
* ``proto``: 6 for TCP, 17 for UDP (the reference converts 'TCP'/'UDP' to these numbers).
* ``num_pkts``: packets in the flow.
* Packet length: ``len(eth.data)`` in the reference, i.e. the IPv4 packet length, IP header
  included, link-layer header and Ethernet padding excluded (dpkt trims the buffer to the IP
  total-length field).
* ``mean_pkt_len``, ``std_pkt_len`` (population std, numpy default ddof=0), ``min_pkt_len``,
  ``max_pkt_len``, ``num_bytes`` (sum of packet lengths).
* Inter-arrival times: the flow's capture timestamps are sorted and differenced;
  ``mean_iat`` = sum of gaps / (num_pkts - 1), ``std_iat`` (population std of the gaps),
  ``min_iat``, ``max_iat``, all in seconds. A one-packet flow has all four equal to 0.
* ``num_psh_flags``, ``num_rst_flags``, ``num_urg_flags``: number of the flow's TCP packets
  with PSH, RST, URG set; 0 for UDP.
* Rows are in order of each flow's first packet. ``is_attack`` is 1 when the flow's source or
  destination address is an attacker address (the dataset labels flows by the attacker's IP;
  attack captures also hold benign background flows with ``is_attack`` 0).
* The reference also computes ``mean_offset``; the published uniflow files do not contain it,
  and neither do these. Column order is that of the published files.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dpkt
import numpy as np
import pandas as pd

from tinyids.errors import DataError

log = logging.getLogger(__name__)

UNIFLOW_COLUMNS: tuple[str, ...] = (
    "ip_src", "ip_dst", "prt_src", "prt_dst", "proto", "num_pkts",
    "mean_iat", "std_iat", "min_iat", "max_iat", "mean_pkt_len", "num_bytes",
    "num_psh_flags", "num_rst_flags", "num_urg_flags",
    "std_pkt_len", "min_pkt_len", "max_pkt_len", "is_attack",
)
"""The published uniflow CSV columns, in their order (18 features + label)."""

FEATURE_COLUMNS = UNIFLOW_COLUMNS[:-1]

_INT_COLUMNS = ("prt_src", "prt_dst", "proto", "num_pkts", "num_bytes",
                "num_psh_flags", "num_rst_flags", "num_urg_flags", "is_attack")


@dataclass
class ExtractionStats:
    """What the extractor read and what it left out, for the dataset card."""

    frames: int = 0
    kept: int = 0
    non_ipv4: int = 0
    icmp: int = 0
    igmp: int = 0
    other_transport: int = 0
    malformed: int = 0
    flows: int = 0
    first_ts: float | None = None
    last_ts: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return dict(self.__dict__)


@dataclass
class _Flow:
    key: tuple[str, str, int, int, int]
    times: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    psh: int = 0
    rst: int = 0
    urg: int = 0


def _iter_frames(path: Path) -> Iterable[tuple[float, bytes, int]]:
    with open(path, "rb") as handle:
        try:
            reader = dpkt.pcap.UniversalReader(handle)
        except (ValueError, dpkt.NeedData, dpkt.UnpackError) as exc:
            raise DataError(f"{path}: not a pcap/pcapng capture ({exc})") from exc
        linktype = reader.datalink()
        for ts, buf in reader:
            yield float(ts), buf, linktype


def _ip_of(buf: bytes, linktype: int) -> object | None:
    if linktype == dpkt.pcap.DLT_EN10MB:
        return dpkt.ethernet.Ethernet(buf).data
    if linktype == dpkt.pcap.DLT_LINUX_SLL:
        return dpkt.sll.SLL(buf).data
    if linktype == dpkt.pcap.DLT_RAW or linktype == 101:  # LINKTYPE_RAW
        return dpkt.ip.IP(buf) if buf and buf[0] >> 4 == 4 else None
    raise DataError(f"unsupported pcap link type {linktype} (Ethernet, Linux SLL or raw IP expected)")


def extract_uniflows(
    pcap_path: str | os.PathLike[str],
    attacker_ips: Iterable[str] = (),
    flow_timeout_s: float | None = None,
) -> tuple[pd.DataFrame, ExtractionStats]:
    """Read ``pcap_path`` and return (uniflow table with ``UNIFLOW_COLUMNS``, stats)."""
    path = Path(pcap_path)
    attackers = set(attacker_ips)
    if flow_timeout_s is not None and flow_timeout_s <= 0:
        raise ValueError("flow_timeout_s must be positive or None")
    stats = ExtractionStats()
    active: dict[tuple[str, str, int, int, int], _Flow] = {}
    flows: list[_Flow] = []
    for ts, buf, linktype in _iter_frames(path):
        stats.frames += 1
        try:
            ip = _ip_of(buf, linktype)
        except (dpkt.UnpackError, dpkt.NeedData):
            stats.malformed += 1
            continue
        if not isinstance(ip, dpkt.ip.IP):
            stats.non_ipv4 += 1
            continue
        l4 = ip.data
        if isinstance(l4, dpkt.icmp.ICMP):
            stats.icmp += 1
            continue
        if isinstance(l4, dpkt.igmp.IGMP):
            stats.igmp += 1
            continue
        if isinstance(l4, dpkt.tcp.TCP):
            proto = 6
        elif isinstance(l4, dpkt.udp.UDP):
            proto = 17
        else:
            stats.other_transport += 1
            continue
        key = (socket.inet_ntoa(ip.src), socket.inet_ntoa(ip.dst), int(l4.sport), int(l4.dport), proto)
        flow = active.get(key)
        if flow is None or (flow_timeout_s is not None and ts - flow.times[-1] > flow_timeout_s):
            flow = _Flow(key)
            active[key] = flow
            flows.append(flow)
        flow.times.append(ts)
        flow.lengths.append(len(ip))
        if proto == 6:
            flags = l4.flags
            flow.psh += bool(flags & dpkt.tcp.TH_PUSH)
            flow.rst += bool(flags & dpkt.tcp.TH_RST)
            flow.urg += bool(flags & dpkt.tcp.TH_URG)
        stats.kept += 1
        stats.first_ts = ts if stats.first_ts is None else min(stats.first_ts, ts)
        stats.last_ts = ts if stats.last_ts is None else max(stats.last_ts, ts)
    stats.flows = len(flows)
    rows = [_features(flow, attackers) for flow in flows]
    frame = pd.DataFrame(rows, columns=list(UNIFLOW_COLUMNS))
    if not rows:
        frame = frame.astype({c: "int64" for c in _INT_COLUMNS})
    log.info("%s: %d frames, %d TCP/UDP packets, %d uniflows", path.name, stats.frames, stats.kept, stats.flows)
    return frame, stats


def _features(flow: _Flow, attackers: set[str]) -> list[object]:
    ip_src, ip_dst, prt_src, prt_dst, proto = flow.key
    n = len(flow.times)
    lengths = np.asarray(flow.lengths, dtype=np.float64)
    if n > 1:
        gaps = np.diff(np.sort(np.asarray(flow.times, dtype=np.float64)))
        mean_iat, std_iat = float(gaps.sum() / (n - 1)), float(np.std(gaps))
        min_iat, max_iat = float(gaps.min()), float(gaps.max())
    else:
        mean_iat = std_iat = min_iat = max_iat = 0.0
    is_attack = int(ip_src in attackers or ip_dst in attackers)
    return [
        ip_src, ip_dst, prt_src, prt_dst, proto, n,
        mean_iat, std_iat, min_iat, max_iat, float(lengths.mean()), int(lengths.sum()),
        flow.psh, flow.rst, flow.urg,
        float(np.std(lengths)), float(lengths.min()), float(lengths.max()), is_attack,
    ]
