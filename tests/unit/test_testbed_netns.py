"""Real namespaces (needs root, as in CI): created isolated, and always removed, even when killed."""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tinyids.testbed import netns
from tinyids.testbed.netns import Network

@pytest.fixture(autouse=True)
def _root_and_iproute2():
    # Not a skip: the testbed is part of the study, so a machine that cannot run it must say so.
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.fail("creating network namespaces needs root and iproute2: run `make test` as root "
                    "(tools/setup.sh installs iproute2)")

NET = ipaddress.ip_network("10.213.99.0/28")


def _ours(prefix: str) -> list[str]:
    return [ns for ns in netns.list_namespaces() if ns.startswith(prefix)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is dead too
        return handle.read().split()[2] != "Z"


def test_hosts_reach_each_other_only_inside_the_testbed_and_teardown_removes_everything():
    net = Network.plan(NET, [("a", "sensor"), ("b", "broker")], run_id=f"{os.getpid()}")
    prefix = net.switch.rsplit("-", 1)[0] + "-"
    try:
        net.up()
        assert sorted(_ours(prefix)) == sorted([net.switch, net.hosts["a"].namespace, net.hosts["b"].namespace])
        server = net.spawn("b", [sys.executable, "-c", textwrap.dedent(f"""
            import socket
            s = socket.socket(); s.bind(("{net.hosts['b'].address}", 5555)); s.listen(); c, _ = s.accept()
            c.sendall(b"hello"); c.close()
        """)])
        probe = textwrap.dedent(f"""
            import socket, time, errno
            for _ in range(100):
                try:
                    s = socket.create_connection(("{net.hosts['b'].address}", 5555), timeout=2); break
                except ConnectionRefusedError:
                    time.sleep(0.05)
            print(s.recv(5).decode())
            try:
                socket.create_connection(("8.8.8.8", 53), timeout=2)
                print("outside reachable")
            except OSError as exc:
                print("outside", errno.errorcode.get(exc.errno, exc.errno))
        """)
        out = subprocess.run(["ip", "netns", "exec", net.hosts["a"].namespace, sys.executable, "-c", probe],
                             capture_output=True, text=True, timeout=30).stdout.split()
        assert out == ["hello", "outside", "ENETUNREACH"]
        sleeper = net.spawn("a", ["sleep", "300"])
    finally:
        net.down()
    assert _ours(prefix) == []
    assert sleeper.poll() is not None and server.poll() is not None
    net.down()  # idempotent


_CHILD = textwrap.dedent("""
    import ipaddress, sys, time
    from tinyids.testbed import netns
    net = netns.Network.plan(ipaddress.ip_network("10.213.99.16/28"), [("a", "sensor")])
    with netns.signals_raise():
        try:
            net.up()
            sleeper = net.spawn("a", ["sleep", "300"])
            print(net.switch.rsplit("-", 1)[0] + "-", sleeper.pid, flush=True)
            time.sleep(120)
        finally:
            net.down()
""")


def _start_child() -> tuple[subprocess.Popen[str], str, int]:
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    line = child.stdout.readline().split()
    if not line:
        child.kill()
        pytest.fail(f"testbed child did not start: {child.stderr.read()}")
    return child, line[0], int(line[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_removes_its_namespaces_and_processes(sig):
    child, prefix, sleeper = _start_child()
    assert _ours(prefix) and _alive(sleeper)
    child.send_signal(sig)
    child.wait(timeout=30)
    assert child.returncode != 0 and "Interrupted" in child.stderr.read()
    assert _ours(prefix) == []
    assert not _alive(sleeper)


def test_a_run_killed_outright_loses_its_processes_and_the_next_run_sweeps_its_namespaces():
    child, prefix, sleeper = _start_child()
    child.kill()  # SIGKILL: no finally, no atexit
    child.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _alive(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(sleeper), "process in the namespace outlived the testbed (PR_SET_PDEATHSIG)"
    assert _ours(prefix)
    removed = netns.sweep_stale()
    assert _ours(prefix) == []
    assert sorted(ns for ns in removed if ns.startswith(prefix)) == [f"{prefix}a", f"{prefix}switch"]
