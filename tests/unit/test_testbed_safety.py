"""Safety checks of the MQTT testbed: targets, subnet, root and programs, before anything runs."""

from __future__ import annotations

import ipaddress
import os

import pytest

from tinyids.testbed import capture, clients, netns, safety
from tinyids.testbed.netns import Network
from tinyids.testbed.safety import TestbedError, UnsafeTargetError

NET = ipaddress.ip_network("10.213.77.0/24")
OWNED = {"broker": "10.213.77.1", "victim": "10.213.77.2", "attacker": "10.213.77.3"}


def test_targets_that_are_addresses_this_run_assigned_are_accepted():
    assert safety.check_targets(["10.213.77.1", "10.213.77.2"], OWNED, NET) == ["10.213.77.1", "10.213.77.2"]


@pytest.mark.parametrize("target", ["8.8.8.8", "10.213.78.1", "192.168.1.1", "127.0.0.1"])
def test_targets_outside_the_testbed_subnet_are_refused(target):
    with pytest.raises(UnsafeTargetError, match="outside the testbed subnet"):
        safety.check_targets([target], OWNED, NET)


def test_a_subnet_address_the_run_did_not_assign_is_refused():
    with pytest.raises(UnsafeTargetError, match="not an address this run assigned"):
        safety.check_targets(["10.213.77.1", "10.213.77.200"], OWNED, NET)


@pytest.mark.parametrize("target", ["10.213.77.0/24", "broker", "localhost", "10.213.77.1-5", ""])
def test_names_ranges_and_networks_are_refused_as_targets(target):
    with pytest.raises(UnsafeTargetError, match="only literal addresses"):
        safety.check_targets([target], OWNED, NET)


def test_a_tool_without_explicit_target_is_refused():
    with pytest.raises(UnsafeTargetError, match="without an explicit testbed target"):
        safety.check_targets([], OWNED, NET)


def test_after_teardown_no_address_of_the_testbed_is_a_valid_target():
    network = Network.plan(NET, [("broker", "broker"), ("attacker", "attacker")], run_id="1")
    assert safety.check_targets(["10.213.77.1"], network.addresses(), NET)
    network._down = True  # what down() leaves behind, without needing root here
    with pytest.raises(UnsafeTargetError):
        safety.check_targets(["10.213.77.1"], network.addresses(), NET)


@pytest.mark.parametrize("subnet, message", [
    ("8.8.8.0/24", "private"),
    ("127.0.0.0/24", "private"),
    ("169.254.1.0/24", "private"),
    ("fd00::/64", "only IPv4"),
    ("10.213.77.1/24", "not a network address"),
    ("10.0.0.0/8", "between /16 and /28"),
    ("10.213.77.0/30", "between /16 and /28"),
])
def test_unsuitable_subnets_are_refused(subnet, message):
    with pytest.raises(TestbedError, match=message):
        safety.parse_subnet(subnet)


def test_the_default_subnet_is_accepted():
    assert safety.parse_subnet("10.213.77.0/24") == NET


def test_a_subnet_overlapping_the_machines_networks_is_refused():
    existing = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("172.17.0.0/16")]
    with pytest.raises(TestbedError, match="overlaps this machine"):
        safety.check_subnet_free(NET, existing)
    safety.check_subnet_free(ipaddress.ip_network("192.168.213.0/24"), existing)


def test_without_root_the_stage_fails_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(TestbedError, match="needs root"):
        safety.require_root()


def test_run_capture_without_root_stops_before_creating_anything(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(netns.Network, "up", lambda self: pytest.fail("namespaces created without root"))
    with pytest.raises(TestbedError, match="needs root"):
        capture.run_capture({}, {c: tmp_path / f"{c}.pcap" for c in capture.CLASSES})


def test_missing_programs_are_all_named_with_their_debian_packages(monkeypatch):
    monkeypatch.setattr(safety, "find_program", lambda name: None if name in ("nmap", "hydra") else f"/bin/{name}")
    with pytest.raises(TestbedError, match=r"needs nmap, hydra; install with: apt-get install -y hydra nmap"):
        safety.require_programs()


def test_namespace_names_carry_the_run_id_and_addresses_stay_in_the_subnet():
    roles = capture.host_roles({"camera": {"count": 1}, "sensors": {"count": 12}})
    plan = Network.plan(NET, roles)
    names = [h.namespace for h in plan.hosts.values()] + [plan.switch]
    assert all(n.startswith(f"tinyids-{os.getpid()}-") for n in names) and len(set(names)) == len(names)
    assert len(plan.hosts) == 16 and all(ipaddress.ip_address(h.address) in NET for h in plan.hosts.values())
    assert len({h.address for h in plan.hosts.values()}) == 16


def test_a_subnet_too_small_for_the_hosts_is_refused():
    with pytest.raises(TestbedError, match="too small"):
        Network.plan(ipaddress.ip_network("10.1.2.0/29"), [(f"h{i}", "sensor") for i in range(7)])


def test_traffic_clients_refuse_a_broker_that_is_not_a_testbed_address():
    with pytest.raises(SystemExit, match="refusing broker 8.8.8.8"):
        clients.main(["sensor", "--broker", "8.8.8.8", "--allowed", "10.213.77.1", "--username", "u",
                      "--duration", "1", "--name", "s", "--password", "p", "--topic", "t", "--interval", "1"])


def test_attack_word_lists_are_bounded_seeded_and_never_hold_the_real_password():
    words = capture.wordlist(500, seed=3, exclude="admin")
    assert len(words) == 500 and "admin" not in words
    assert words == capture.wordlist(500, seed=3, exclude="admin")
