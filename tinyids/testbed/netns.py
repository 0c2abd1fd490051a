"""The testbed network: one network namespace per host, joined by veth pairs to a bridge.

Layout: a ``switch`` namespace holds the bridge ``br0``; every host namespace has one interface
``eth0`` whose veth peer is a port of ``br0``. The veth pairs are created directly inside the
namespaces, so nothing is added to the machine's own namespace: no interface, address or route.
Hosts have no default route: a packet to anything outside the testbed subnet fails locally.
IPv6 is disabled in every namespace (the dataset is IPv4) and segmentation offloads are
switched off so the capture shows wire-sized packets, as on the physical testbed.

Namespaces are named ``tinyids-<pid>-<host>`` so that parallel runs cannot collide. They are
removed by :meth:`Network.down`, which runs from ``finally`` blocks, from ``atexit`` and on
SIGTERM/SIGINT/SIGHUP (see :func:`signals_raise`); every process started in them gets
``PR_SET_PDEATHSIG`` so it dies with the run even on SIGKILL, and :func:`sweep_stale` removes
namespaces left behind by a run whose process no longer exists.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ipaddress
import logging
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from tinyids.testbed.safety import TestbedError

log = logging.getLogger(__name__)

NS_PREFIX = "tinyids-"
_NS_RE = re.compile(r"^tinyids-(\d+)-[a-z0-9]+$")
_PR_SET_PDEATHSIG = 1


class Interrupted(TestbedError):
    """The run received a termination signal; raised so that every ``finally`` runs."""


@dataclass(frozen=True)
class Host:
    name: str
    role: str
    namespace: str
    address: str


@dataclass
class Network:
    """Namespaces, bridge and addresses of one testbed run (create with :meth:`up`)."""

    subnet: ipaddress.IPv4Network
    hosts: dict[str, Host] = field(default_factory=dict)
    switch: str = ""
    procs: list[subprocess.Popen[Any]] = field(default_factory=list)
    _namespaces: list[str] = field(default_factory=list)
    _down: bool = False

    @classmethod
    def plan(cls, subnet: ipaddress.IPv4Network, roles: Sequence[tuple[str, str]], run_id: str | None = None) -> Network:
        """Assign namespaces and addresses to ``roles`` ((name, role) pairs) without creating anything."""
        run_id = run_id or str(os.getpid())
        free = subnet.hosts()
        hosts: dict[str, Host] = {}
        for name, role in roles:
            if not re.fullmatch(r"[a-z0-9]+", name):
                raise TestbedError(f"host name {name!r}: lower-case letters and digits only")
            if name in hosts or name == "switch":
                raise TestbedError(f"host name {name!r} used twice")
            try:
                address = str(next(free))
            except StopIteration:
                raise TestbedError(f"subnet {subnet} is too small for {len(roles)} hosts") from None
            hosts[name] = Host(name, role, f"{NS_PREFIX}{run_id}-{name}", address)
        return cls(subnet=subnet, hosts=hosts, switch=f"{NS_PREFIX}{run_id}-switch")

    # ---- life cycle -------------------------------------------------------------------------

    def up(self) -> Network:
        """Create the namespaces, the bridge and one veth pair per host. Undone by :meth:`down`."""
        atexit.register(self.down)
        existing = set(list_namespaces())
        for ns in [self.switch, *(h.namespace for h in self.hosts.values())]:
            if ns in existing:
                raise TestbedError(f"network namespace {ns} already exists; another run uses this id")
        self._add_namespace(self.switch)
        _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.switch, "link", "set", "br0", "up")
        for index, host in enumerate(self.hosts.values()):
            port = f"p{index}"
            self._add_namespace(host.namespace)
            _ip("-n", host.namespace, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", self.switch)
            _ip("-n", host.namespace, "addr", "add", f"{host.address}/{self.subnet.prefixlen}", "dev", "eth0")
            _offloads_off(host.namespace, "eth0")
            _offloads_off(self.switch, port)
            _ip("-n", host.namespace, "link", "set", "eth0", "up")
            _ip("-n", self.switch, "link", "set", port, "master", "br0", "up")
        log.info("testbed up: %d hosts on %s (namespaces %s-*)", len(self.hosts), self.subnet,
                 self.switch.rsplit("-", 1)[0])
        return self

    def _add_namespace(self, ns: str) -> None:
        _ip("netns", "add", ns)
        self._namespaces.append(ns)
        _ip("-n", ns, "link", "set", "lo", "up")
        # no IPv6 (the dataset is IPv4); /proc/sys/net is per namespace; absent if IPv6 is off
        _run(["ip", "netns", "exec", ns, "sh", "-c", "for k in all default; do "
              "f=/proc/sys/net/ipv6/conf/$k/disable_ipv6; [ -e $f ] && echo 1 > $f; done; true"])

    def down(self) -> None:
        """Stop every process of the run, then delete its namespaces. Safe to call repeatedly."""
        if self._down:
            return
        self._down = True
        # A second SIGTERM/SIGINT must not cut the teardown short: hold them until it is done
        # (they are delivered afterwards and still end the run).
        held = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            for proc in reversed(self.procs):
                stop_process(proc, grace_s=2.0)
            for ns in reversed(self._namespaces):
                _remove_namespace(ns)
            self._namespaces.clear()
            with contextlib.suppress(Exception):
                atexit.unregister(self.down)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        log.info("testbed down: namespaces removed")

    def __enter__(self) -> Network:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    # ---- processes --------------------------------------------------------------------------

    def addresses(self) -> dict[str, str]:
        """host name -> address, for the hosts this run created and still holds."""
        if self._down:
            return {}
        return {name: host.address for name, host in self.hosts.items()}

    def spawn(self, host: str, argv: Sequence[str], *, stdout: IO[Any] | int | None = subprocess.DEVNULL,
              stderr: IO[Any] | int | None = subprocess.DEVNULL, cwd: str | None = None,
              env: Mapping[str, str] | None = None) -> subprocess.Popen[Any]:
        """Start ``argv`` inside the namespace of ``host`` (or ``"switch"``); tracked for teardown."""
        if self._down:
            raise TestbedError("the testbed is down")
        ns = self.switch if host == "switch" else self.hosts[host].namespace
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv], stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
            cwd=cwd, env=None if env is None else dict(env), start_new_session=True, preexec_fn=_die_with_parent,
        )
        self.procs.append(proc)
        return proc


def stop_process(proc: subprocess.Popen[Any], grace_s: float = 3.0, sig: int = signal.SIGTERM) -> int | None:
    """Signal ``proc`` (and its process group), wait ``grace_s``, then SIGKILL. Returns its status."""
    if proc.poll() is not None:
        return proc.returncode
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            return proc.wait(timeout=5)
    return None


def list_namespaces() -> list[str]:
    out = _run(["ip", "netns", "list"]).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def sweep_stale() -> list[str]:
    """Remove testbed namespaces whose creating process is gone (a run killed with SIGKILL)."""
    removed: list[str] = []
    for ns in list_namespaces():
        match = _NS_RE.match(ns)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        _remove_namespace(ns)
        removed.append(ns)
    if removed:
        log.warning("removed %d namespaces left by dead testbed runs: %s", len(removed), ", ".join(removed))
    return removed


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP/SIGINT into :class:`Interrupted` while inside, so ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Interrupted(f"interrupted by {signal.Signals(signum).name}; testbed torn down")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# ---- helpers ----------------------------------------------------------------------------------

def _remove_namespace(ns: str) -> None:
    """Kill what still runs in ``ns`` (only processes of this testbed live there), then delete it."""
    pids = _run(["ip", "netns", "pids", ns]).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
            os.kill(int(pid), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline and _run(["ip", "netns", "pids", ns]).stdout.split():
        time.sleep(0.05)
    result = _run(["ip", "netns", "delete", ns])
    if result.returncode != 0 and ns in list_namespaces():
        log.error("could not delete namespace %s: %s", ns, result.stderr.strip())


def _offloads_off(ns: str, dev: str) -> None:
    _run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"], check=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGKILL it when the testbed process dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _ip(*args: str) -> None:
    _run(["ip", *args], check=True)


def _run(argv: Sequence[str], check: bool = False, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TestbedError(f"{' '.join(argv)}: {exc}") from exc
    if check and result.returncode != 0:
        raise TestbedError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
    return result
