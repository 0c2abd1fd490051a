"""Safety checks of the testbed: who may run it, which subnet it may use, whom a tool may target.

The rules (issue 3): every tool's target is an address that this run assigned to one of its own
namespaces, inside the testbed subnet; the subnet is private and does not overlap any address or
route of the machine's own network namespace; the stage needs root and the listed programs. Each
check raises an error naming what is wrong, before anything is launched.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping

from tinyids.errors import TinyidsError

REQUIRED_PROGRAMS: dict[str, str] = {
    "ip": "iproute2",
    "ethtool": "ethtool",
    "tcpdump": "tcpdump",
    "mosquitto": "mosquitto",
    "mosquitto_passwd": "mosquitto",
    "nmap": "nmap",
    "hydra": "hydra",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
}
"""Programs the testbed runs, with the Debian package that provides each."""

_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


class TestbedError(TinyidsError):
    """The testbed cannot run here (no root, a missing program, a bad subnet) or failed."""

    __test__ = False  # not a pytest test class despite the name


class UnsafeTargetError(TestbedError):
    """A tool was about to address something that is not a host of this run's testbed."""


def require_root() -> None:
    """Raise unless the process runs as root (namespaces, veth pairs and tcpdump need it)."""
    if os.geteuid() != 0:
        raise TestbedError(
            "the MQTT testbed needs root: it creates network namespaces and veth pairs and runs "
            "tcpdump, sshd and nmap inside them. Run the stage as root (CI does), or use "
            "datasets.mqtt.source: original with the published CSVs."
        )


def find_program(name: str) -> str | None:
    path = shutil.which(name)
    if path is None:
        for folder in _SBIN:
            candidate = os.path.join(folder, name)
            if os.access(candidate, os.X_OK):
                return candidate
    return path


def require_programs(names: Iterable[str] = REQUIRED_PROGRAMS) -> dict[str, str]:
    """Return {name: absolute path}; raise listing every missing program and its package."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        path = find_program(name)
        if path is None:
            missing.append(name)
        else:
            found[name] = path
    if missing:
        packages = sorted({REQUIRED_PROGRAMS.get(name, name) for name in missing})
        raise TestbedError(
            f"the MQTT testbed needs {', '.join(missing)}; install with: "
            f"apt-get install -y {' '.join(packages)}"
        )
    return found


def parse_subnet(subnet: str) -> ipaddress.IPv4Network:
    """The testbed subnet: IPv4, private, not loopback/link-local/multicast, room for the hosts."""
    try:
        network = ipaddress.ip_network(subnet, strict=True)
    except ValueError as exc:
        raise TestbedError(f"mqtt_testbed.subnet {subnet!r} is not a network address: {exc}") from exc
    if not isinstance(network, ipaddress.IPv4Network):
        raise TestbedError(f"mqtt_testbed.subnet {subnet!r}: only IPv4 is supported (as in the dataset)")
    if (not network.is_private or network.is_loopback or network.is_link_local
            or network.is_multicast or network.is_reserved or network.is_unspecified):
        raise TestbedError(f"mqtt_testbed.subnet {subnet!r} must be a private (RFC 1918) range")
    if network.prefixlen < 16 or network.prefixlen > 28:
        raise TestbedError(f"mqtt_testbed.subnet {subnet!r}: the prefix length must be between /16 and /28")
    return network


def host_networks() -> list[ipaddress.IPv4Network]:
    """IPv4 addresses (as networks) and routes of the current (the machine's) network namespace."""
    networks: list[ipaddress.IPv4Network] = []
    for argv in (["ip", "-j", "-4", "addr", "show"], ["ip", "-j", "-4", "route", "show", "table", "all"]):
        try:
            out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=10).stdout
            entries = json.loads(out or "[]")
        except (OSError, subprocess.SubprocessError, json.JSONDecodeError) as exc:
            raise TestbedError(f"cannot list this machine's addresses with {' '.join(argv)}: {exc}") from exc
        for entry in entries:
            for info in entry.get("addr_info", []):
                networks.append(ipaddress.ip_network(f"{info['local']}/{info.get('prefixlen', 32)}", strict=False))
            dst = entry.get("dst")
            if dst and dst != "default":
                try:
                    net = ipaddress.ip_network(dst, strict=False)
                except ValueError:
                    continue
                if isinstance(net, ipaddress.IPv4Network):
                    networks.append(net)
    return networks


def check_subnet_free(network: ipaddress.IPv4Network, existing: Iterable[ipaddress.IPv4Network]) -> None:
    """Refuse a testbed subnet that overlaps any address or route the machine already has."""
    clashes = sorted({str(net) for net in existing if net.overlaps(network)})
    if clashes:
        raise TestbedError(
            f"mqtt_testbed.subnet {network} overlaps this machine's own addresses/routes "
            f"({', '.join(clashes)}); choose another private range"
        )


def check_targets(targets: Iterable[str], allowed: Mapping[str, str], network: ipaddress.IPv4Network) -> list[str]:
    """Return ``targets`` if each is an address of this run's testbed; raise otherwise.

    ``allowed`` maps host name -> address for the hosts this run created (and still holds).
    An empty target list is refused too: a tool without an explicit target could default to
    something else (nmap would read its targets from elsewhere).
    """
    targets = list(targets)
    if not targets:
        raise UnsafeTargetError("refusing to launch a tool without an explicit testbed target")
    owned = set(allowed.values())
    for target in targets:
        try:
            address = ipaddress.ip_address(target)
        except ValueError as exc:
            raise UnsafeTargetError(
                f"refusing target {target!r}: only literal addresses of the testbed are allowed "
                "(no names, ranges or networks)"
            ) from exc
        if address not in network:
            raise UnsafeTargetError(f"refusing target {target}: outside the testbed subnet {network}")
        if target not in owned:
            raise UnsafeTargetError(
                f"refusing target {target}: inside {network} but not an address this run assigned "
                f"(hosts: {', '.join(f'{k}={v}' for k, v in sorted(allowed.items()))})"
            )
    return targets
