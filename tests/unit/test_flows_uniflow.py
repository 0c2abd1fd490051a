"""The uniflow extractor on hand-built pcaps with known answers (dpkt writes the captures)."""

from __future__ import annotations

import math
import socket
from pathlib import Path

import dpkt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyids.errors import DataError
from tinyids.testbed.flows import UNIFLOW_COLUMNS, extract_uniflows

A, B, ATTACKER = "10.213.77.5", "10.213.77.1", "10.213.77.3"
MAC = b"\x02\x00\x00\x00\x00\x01"


def tcp(src: str, dst: str, sport: int, dport: int, payload: bytes = b"", flags: int = dpkt.tcp.TH_ACK) -> bytes:
    seg = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, data=payload)
    return _eth(dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_TCP, data=seg))


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes = b"") -> bytes:
    dgram = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
    dgram.ulen = len(dgram)
    return _eth(dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_UDP, data=dgram))


def icmp(src: str, dst: str) -> bytes:
    echo = dpkt.icmp.ICMP(type=8, data=dpkt.icmp.ICMP.Echo(id=1, seq=1, data=b"ping"))
    return _eth(dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_ICMP, data=echo))


def _eth(ip: dpkt.ip.IP) -> bytes:
    ip.len = len(ip)
    return bytes(dpkt.ethernet.Ethernet(src=MAC, dst=MAC, type=dpkt.ethernet.ETH_TYPE_IP, data=ip))


def arp() -> bytes:
    return bytes(dpkt.ethernet.Ethernet(src=MAC, dst=b"\xff" * 6, type=dpkt.ethernet.ETH_TYPE_ARP, data=dpkt.arp.ARP()))


def ipv6_udp() -> bytes:
    ip6 = dpkt.ip6.IP6(src=b"\xfe\x80" + b"\x00" * 14, dst=b"\xff\x02" + b"\x00" * 13 + b"\x01", nxt=17, hlim=1,
                       data=dpkt.udp.UDP(sport=1, dport=2, data=b""))
    ip6.plen = len(ip6.data)
    return bytes(dpkt.ethernet.Ethernet(src=MAC, dst=MAC, type=dpkt.ethernet.ETH_TYPE_IP6, data=ip6))


def write_pcap(path: Path, frames: list[tuple[float, bytes]]) -> Path:
    with open(path, "wb") as handle:
        writer = dpkt.pcap.Writer(handle)
        for ts, frame in frames:
            writer.writepkt(frame, ts=ts)
    return path


def only_row(frame, **key):
    match = frame
    for column, value in key.items():
        match = match[match[column] == value]
    assert len(match) == 1, f"expected one flow for {key}, got {len(match)}"
    return match.iloc[0]


def test_tcp_flow_iat_length_and_flag_statistics_match_hand_computation(tmp_path: Path):
    psh, rst, urg, ack = dpkt.tcp.TH_PUSH, dpkt.tcp.TH_RST, dpkt.tcp.TH_URG, dpkt.tcp.TH_ACK
    pcap = write_pcap(tmp_path / "tcp.pcap", [
        (100.0, tcp(A, B, 40000, 1883, b"", ack)),                  # 40 bytes (20 IP + 20 TCP)
        (100.1, tcp(A, B, 40000, 1883, b"x" * 10, psh | ack)),      # 50
        (100.3, tcp(A, B, 40000, 1883, b"y" * 100, psh | urg | ack)),  # 140
        (100.6, tcp(A, B, 40000, 1883, b"", rst)),                  # 40
    ])
    frame, stats = extract_uniflows(pcap)
    row = only_row(frame, ip_src=A, prt_src=40000)
    gaps = np.array([0.1, 0.2, 0.3])
    lengths = np.array([40, 50, 140, 40])
    assert (row.ip_dst, row.prt_dst, row.proto, row.num_pkts) == (B, 1883, 6, 4)
    assert row.mean_iat == pytest.approx(0.2) and row.std_iat == pytest.approx(gaps.std())
    assert row.min_iat == pytest.approx(0.1) and row.max_iat == pytest.approx(0.3)
    assert row.mean_pkt_len == pytest.approx(67.5) and row.std_pkt_len == pytest.approx(lengths.std())
    assert (row.min_pkt_len, row.max_pkt_len, row.num_bytes) == (40.0, 140.0, 270)
    assert (row.num_psh_flags, row.num_rst_flags, row.num_urg_flags) == (2, 1, 1)
    assert stats.kept == 4 and stats.flows == 1


def test_each_direction_is_its_own_uniflow_in_first_packet_order(tmp_path: Path):
    pcap = write_pcap(tmp_path / "dirs.pcap", [
        (1.0, tcp(A, B, 40000, 1883)),
        (1.5, tcp(B, A, 1883, 40000, b"ok")),
        (2.0, tcp(A, B, 40000, 1883)),
        (2.5, udp(A, B, 5000, 53, b"q")),
    ])
    frame, _ = extract_uniflows(pcap)
    assert list(zip(frame.ip_src, frame.prt_src, frame.proto)) == [(A, 40000, 6), (B, 1883, 6), (A, 5000, 17)]
    assert list(frame.num_pkts) == [2, 1, 1]
    reverse = only_row(frame, ip_src=B)
    assert reverse.num_bytes == 42 and reverse.mean_pkt_len == 42.0


def test_single_packet_flow_has_zero_inter_arrival_statistics(tmp_path: Path):
    frame, _ = extract_uniflows(write_pcap(tmp_path / "one.pcap", [(5.0, tcp(A, B, 1, 2, b"abc"))]))
    row = frame.iloc[0]
    assert (row.mean_iat, row.std_iat, row.min_iat, row.max_iat) == (0.0, 0.0, 0.0, 0.0)
    assert row.std_pkt_len == 0.0 and row.min_pkt_len == row.max_pkt_len == 43.0


def test_udp_flow_has_protocol_17_and_no_flags(tmp_path: Path):
    pcap = write_pcap(tmp_path / "udp.pcap", [(0.0, udp(ATTACKER, B, 60000, 161, b"a" * 12)),
                                              (0.25, udp(ATTACKER, B, 60000, 161, b"a" * 4))])
    row = extract_uniflows(pcap)[0].iloc[0]
    assert row.proto == 17 and row.num_pkts == 2
    assert (row.num_psh_flags, row.num_rst_flags, row.num_urg_flags) == (0, 0, 0)
    assert (row.min_pkt_len, row.max_pkt_len) == (32.0, 40.0)  # 20 IP + 8 UDP + payload
    assert row.mean_iat == pytest.approx(0.25)


def test_arp_ipv6_and_icmp_are_dropped_and_counted(tmp_path: Path):
    pcap = write_pcap(tmp_path / "noise.pcap", [
        (0.0, arp()), (0.1, ipv6_udp()), (0.2, icmp(B, ATTACKER)), (0.3, tcp(A, B, 1, 2)),
    ])
    frame, stats = extract_uniflows(pcap)
    assert len(frame) == 1
    assert (stats.frames, stats.non_ipv4, stats.icmp, stats.kept) == (4, 2, 1, 1)


def test_timestamps_out_of_order_are_sorted_before_differencing(tmp_path: Path):
    pcap = write_pcap(tmp_path / "order.pcap", [
        (10.0, tcp(A, B, 1, 2)), (10.5, tcp(A, B, 1, 2)), (10.2, tcp(A, B, 1, 2)),
    ])
    row = extract_uniflows(pcap)[0].iloc[0]
    assert row.min_iat == pytest.approx(0.2) and row.max_iat == pytest.approx(0.3)
    assert row.mean_iat == pytest.approx(0.25)


def test_without_timeout_one_5_tuple_is_one_flow_and_idle_timeout_splits_it(tmp_path: Path):
    pcap = write_pcap(tmp_path / "idle.pcap", [
        (0.0, tcp(A, B, 1, 2)), (0.5, tcp(A, B, 1, 2)), (3.0, tcp(A, B, 1, 2)), (3.2, tcp(A, B, 1, 2)),
    ])
    whole, _ = extract_uniflows(pcap)
    assert len(whole) == 1 and whole.iloc[0].num_pkts == 4 and whole.iloc[0].max_iat == pytest.approx(2.5)
    split, _ = extract_uniflows(pcap, flow_timeout_s=1.0)
    assert list(split.num_pkts) == [2, 2]
    assert list(split.mean_iat) == pytest.approx([0.5, 0.2])
    with pytest.raises(ValueError):
        extract_uniflows(pcap, flow_timeout_s=0)


def test_flows_from_or_to_the_attacker_are_labelled_attack(tmp_path: Path):
    pcap = write_pcap(tmp_path / "label.pcap", [
        (0.0, tcp(ATTACKER, B, 50000, 22)), (0.1, tcp(B, ATTACKER, 22, 50000)), (0.2, tcp(A, B, 40000, 1883)),
    ])
    frame, _ = extract_uniflows(pcap, attacker_ips=[ATTACKER])
    assert list(frame.is_attack) == [1, 1, 0]
    assert list(extract_uniflows(pcap)[0].is_attack) == [0, 0, 0]


def test_packet_length_is_the_ip_length_without_ethernet_padding(tmp_path: Path):
    frame_bytes = tcp(A, B, 1, 2) + b"\x00" * 6  # a 54-byte frame padded to the 60-byte minimum
    row = extract_uniflows(write_pcap(tmp_path / "pad.pcap", [(0.0, frame_bytes)]))[0].iloc[0]
    assert row.num_bytes == 40 and row.max_pkt_len == 40.0


def test_output_has_exactly_the_published_columns_even_when_empty(tmp_path: Path):
    frame, stats = extract_uniflows(write_pcap(tmp_path / "empty.pcap", []))
    assert tuple(frame.columns) == UNIFLOW_COLUMNS and len(frame) == 0 and stats.flows == 0
    assert UNIFLOW_COLUMNS == (
        "ip_src", "ip_dst", "prt_src", "prt_dst", "proto", "num_pkts", "mean_iat", "std_iat", "min_iat",
        "max_iat", "mean_pkt_len", "num_bytes", "num_psh_flags", "num_rst_flags", "num_urg_flags",
        "std_pkt_len", "min_pkt_len", "max_pkt_len", "is_attack",
    )


def test_a_file_that_is_not_a_capture_is_a_data_error(tmp_path: Path):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"this is not a pcap file at all")
    with pytest.raises(DataError, match="bad.pcap"):
        extract_uniflows(bad)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1000, allow_nan=False), st.integers(0, 1400)), min_size=1, max_size=30))
def test_statistics_are_consistent_for_any_packet_times_and_sizes(tmp_path_factory, packets):
    path = tmp_path_factory.mktemp("prop") / "p.pcap"
    write_pcap(path, [(1e6 + t, tcp(A, B, 9, 10, b"z" * size)) for t, size in packets])
    row = extract_uniflows(path)[0].iloc[0]
    times = sorted(1e6 + t for t, _ in packets)
    n = len(packets)
    assert row.num_pkts == n
    assert row.num_bytes == sum(40 + size for _, size in packets)
    assert row.mean_pkt_len == pytest.approx(row.num_bytes / n)
    assert row.min_pkt_len <= row.mean_pkt_len + 1e-9 <= row.max_pkt_len + 2e-9
    if n > 1:
        # pcap stores microseconds: compare with the span at that resolution
        span = round(times[-1] * 1e6) / 1e6 - round(times[0] * 1e6) / 1e6
        assert row.mean_iat * (n - 1) == pytest.approx(span, abs=1e-5)
        assert row.min_iat <= row.mean_iat + 1e-9 <= row.max_iat + 2e-9
        assert row.std_iat >= 0 and not math.isnan(row.std_iat)
