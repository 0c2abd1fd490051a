"""Run the MQTT testbed and capture one pcap per class of MQTT-IoT-IDS2020.

Hosts (network namespaces, see :mod:`tinyids.testbed.netns`): ``broker`` (mosquitto with
password authentication), ``victim`` (a real OpenSSH ``sshd``), ``attacker``, ``camera<i>`` and
``sensor<i>`` (paho-mqtt publishers, :mod:`tinyids.testbed.clients`). The capture is taken with
tcpdump on the testbed switch (the bridge the broker hangs off), so it sees every frame of the
testbed once. Classes are captured one after the other, each in its own time window:

* ``normal``: the sensors and the camera publishing, nothing else;
* ``scan_A``: ``nmap -A`` (aggressive scan: OS and version detection, default scripts,
  traceroute) from the attacker against the testbed hosts, repeated for the window;
* ``scan_sU``: ``nmap -sU`` (UDP port scan), repeated for the window;
* ``sparta``: SSH password brute force against the victim's sshd with ``hydra`` (the Sparta GUI
  of the original drives hydra), bounded word list, repeated for the window;
* ``mqtt_bruteforce``: CONNECT attempts with wrong passwords against the broker (paho-mqtt).

During attack windows the sensors keep publishing (``background_during_attacks``), as in the
original captures, whose attack files also contain benign flows (``is_attack`` = 0).

Safety: root and the programs are checked first; the subnet must be private and unused by the
machine; each tool's targets pass :func:`tinyids.testbed.safety.check_targets` right before it
starts; every tool runs with its own count/time bounds and is stopped at the end of its window;
the namespaces are removed in a ``finally`` (also on SIGTERM/SIGINT/SIGHUP).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinyids.testbed import netns, safety
from tinyids.testbed.netns import Network, stop_process

log = logging.getLogger(__name__)

CLASSES: tuple[str, ...] = ("normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce")
ATTACK_OF: dict[str, str] = {
    "normal": "none (sensors and camera only)",
    "scan_A": "nmap -A (aggressive scan) from the attacker",
    "scan_sU": "nmap -sU (UDP scan) from the attacker",
    "sparta": "SSH password brute force with hydra against sshd on the victim",
    "mqtt_bruteforce": "MQTT CONNECT password brute force against the broker (paho-mqtt)",
}
_COMMON_PASSWORDS = ("123456", "password", "admin", "12345678", "qwerty", "raspberry", "root",
                     "letmein", "iot", "mosquitto", "mqtt", "changeme", "default", "toor")


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wordlist(size: int, seed: int, exclude: str = "") -> list[str]:
    """``size`` passwords: common ones first, then seeded random strings; never ``exclude``."""
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + string.digits
    words = [w for w in _COMMON_PASSWORDS if w != exclude][:size]
    while len(words) < size:
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 12)))
        if word != exclude:
            words.append(word)
    return words


def host_roles(cfg: Mapping[str, Any]) -> list[tuple[str, str]]:
    roles = [("broker", "broker"), ("victim", "ssh_server"), ("attacker", "attacker")]
    roles += [(f"camera{i + 1}", "camera") for i in range(int(cfg["camera"]["count"]))]
    roles += [(f"sensor{i + 1}", "sensor") for i in range(int(cfg["sensors"]["count"]))]
    return roles


def planned_duration_s(cfg: Mapping[str, Any]) -> float:
    """Upper bound of the capture's wall time, for the rule's runtime resource."""
    return float(sum(cfg["windows_s"].values())) + 15.0 * len(CLASSES) + 60.0


def run_capture(cfg: Mapping[str, Any], pcaps: Mapping[str, str | os.PathLike[str]],
                tool_log_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Build the testbed, capture every class into ``pcaps[class]``, tear down; return the manifest."""
    missing = [c for c in CLASSES if c not in pcaps]
    if missing:
        raise safety.TestbedError(f"no pcap path given for {', '.join(missing)}")
    safety.require_root()
    programs = safety.require_programs()
    subnet = safety.parse_subnet(str(cfg["subnet"]))
    safety.check_subnet_free(subnet, safety.host_networks())
    netns.sweep_stale()
    versions = _tool_versions(programs)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        stack.enter_context(netns.signals_raise())
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tinyids-testbed-")))
        os.chmod(work, 0o755)
        logs = Path(tool_log_dir) if tool_log_dir else work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for stale in logs.glob("*.log"):  # tool logs of a previous run
            stale.unlink()
        net = Network.plan(subnet, host_roles(cfg))
        stack.callback(net.down)
        net.up()
        runner = _Runner(cfg, net, programs, work, logs)
        runner.start_services()
        runner.start_publishers()
        time.sleep(float(cfg["settle_s"]))
        classes: dict[str, Any] = {}
        for cls in CLASSES:
            classes[cls] = runner.capture(cls, Path(pcaps[cls]))
            if cls == "normal" and not cfg["background_during_attacks"]:
                runner.stop_publishers()
        runner.check_services()
        _log_tails(logs)
    return {
        "classes": classes,
        "hosts": {h.name: {"role": h.role, "address": h.address} for h in net.hosts.values()},
        "attacker_ips": [net.hosts["attacker"].address],
        "subnet": str(subnet),
        "capture_point": "tcpdump on the testbed switch bridge (sees every testbed frame once)",
        "tools": versions,
        "wall_time_s": round(time.monotonic() - started, 3),
        "python": sys.version.split()[0],
    }


class _Runner:
    def __init__(self, cfg: Mapping[str, Any], net: Network, programs: Mapping[str, str], work: Path, logs: Path):
        self.cfg = cfg
        self.net = net
        self.programs = programs
        self.work = work
        self.logs = logs
        self.seed = int(cfg["seed"])
        self.broker = cfg["broker"]
        self.publishers: list[subprocess.Popen[Any]] = []
        self.services: dict[str, subprocess.Popen[Any]] = {}

    # ---- services -----------------------------------------------------------------------------

    def _log(self, name: str) -> Any:
        return open(self.logs / f"{name}.log", "ab")

    def start_services(self) -> None:
        broker_ip = self.net.hosts["broker"].address
        victim_ip = self.net.hosts["victim"].address
        # mosquitto with password authentication, listening on the broker's testbed address only
        pwfile = self.work / "mosquitto.passwd"
        subprocess.run([self.programs["mosquitto_passwd"], "-b", "-c", str(pwfile), self.broker["username"],
                        self.broker["password"]], check=True, capture_output=True, timeout=30)
        pwfile.chmod(0o644)
        conf = self.work / "mosquitto.conf"
        conf.write_text(
            f"listener {int(self.broker['port'])} {broker_ip}\n"
            "allow_anonymous false\n"
            f"password_file {pwfile}\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\n"
            "connection_messages false\n"
            "user root\n",
            encoding="utf-8",
        )
        conf.chmod(0o644)
        with self._log("mosquitto") as out:
            self.services["mosquitto"] = self.net.spawn("broker", [self.programs["mosquitto"], "-c", str(conf)],
                                                        stdout=out, stderr=out)
        # OpenSSH server on the victim, only for the SSH brute-force window; nobody can log in
        key = self.work / "ssh_host_ed25519_key"
        subprocess.run([self.programs["ssh-keygen"], "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True, capture_output=True, timeout=30)
        sshd_conf = self.work / "sshd_config"
        sshd_conf.write_text(
            f"ListenAddress {victim_ip}\nPort 22\nHostKey {key}\nPidFile {self.work / 'sshd.pid'}\n"
            "UsePAM no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication no\nPermitRootLogin no\nAllowUsers tinyids-nobody\n"
            "AuthorizedKeysFile none\nMaxStartups 200:30:400\nLoginGraceTime 10\n"
            f"MaxAuthTries {int(self.cfg['sparta']['max_auth_tries'])}\n"
            "StrictModes no\nUseDNS no\nLogLevel ERROR\n",
            encoding="utf-8",
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        with self._log("sshd") as out:
            self.services["sshd"] = self.net.spawn("victim", [self.programs["sshd"], "-D", "-e", "-f", str(sshd_conf)],
                                                   stdout=out, stderr=out)
        self._wait_listening("broker", int(self.broker["port"]), "mosquitto")
        self._wait_listening("victim", 22, "sshd")

    def _wait_listening(self, host: str, port: int, name: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        ns = self.net.hosts[host].namespace
        while time.monotonic() < deadline:
            proc = self.services[name]
            if proc.poll() is not None:
                raise safety.TestbedError(f"{name} exited ({proc.returncode}): {_tail(self.logs / f'{name}.log')}")
            out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-Hltn", f"sport = :{port}"],
                                 capture_output=True, text=True, timeout=10).stdout
            if out.strip():
                return
            time.sleep(0.1)
        raise safety.TestbedError(f"{name} did not listen on port {port} within {timeout:.0f}s")

    def check_services(self) -> None:
        for name, proc in self.services.items():
            if proc.poll() is not None:
                raise safety.TestbedError(f"{name} died during the capture ({proc.returncode}): "
                                          f"{_tail(self.logs / f'{name}.log')}")

    def start_publishers(self) -> None:
        broker_ip = self.net.hosts["broker"].address
        safety.check_targets([broker_ip], self.net.addresses(), self.net.subnet)
        duration = planned_duration_s(self.cfg)
        allowed = ",".join(self.net.addresses().values())
        for index, host in enumerate(self.net.hosts.values()):
            if host.role not in ("sensor", "camera"):
                continue
            spec = self.cfg["sensors"] if host.role == "sensor" else self.cfg["camera"]
            argv = [sys.executable, "-m", "tinyids.testbed.clients", "sensor", "--broker", broker_ip,
                    "--allowed", allowed, "--port", str(self.broker["port"]), "--username", self.broker["username"],
                    "--password", self.broker["password"], "--duration", str(duration), "--name", host.name,
                    "--topic", f"testbed/{host.role}/{host.name}", "--interval", str(spec["interval_s"]),
                    "--jitter", str(spec["jitter"]), "--payload-bytes", str(spec["payload_bytes"]),
                    "--reconnect-every", str(spec["reconnect_every"]), "--qos", str(spec["qos"]),
                    "--seed", str(self.seed * 1000 + index)]
            with self._log(host.name) as out:
                self.publishers.append(self.net.spawn(host.name, argv, stdout=out, stderr=out, env=_child_env()))
        log.info("%d publishers started", len(self.publishers))

    def stop_publishers(self) -> None:
        for proc in self.publishers:
            stop_process(proc)
        self.publishers.clear()

    # ---- capture ------------------------------------------------------------------------------

    def capture(self, cls: str, pcap: Path) -> dict[str, Any]:
        window = float(self.cfg["windows_s"][cls])
        pcap.parent.mkdir(parents=True, exist_ok=True)
        # the partial file ends in .pcap: AppArmor's tcpdump profile (Ubuntu) only writes *.pcap
        part = pcap.with_name(f".{pcap.stem}.{os.getpid()}.part.pcap")
        err_path = self.logs / f"tcpdump_{cls}.log"
        with open(err_path, "wb") as err:
            dump = self.net.spawn("switch", [self.programs["tcpdump"], "-i", "br0", "-n", "-s", "0", "-U", "-Z", "root",
                                             "-c", str(int(self.cfg["max_packets_per_window"])), "-w", str(part)],
                                  stderr=err)
        try:
            self._wait_for_text(err_path, "listening on", dump, "tcpdump")
            started_utc = dt.datetime.now(dt.timezone.utc)
            t0 = time.monotonic()
            runs = self._attack(cls, t0 + window)
            remaining = t0 + window - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
            time.sleep(float(self.cfg["drain_s"]))
            duration = time.monotonic() - t0
            bounded = dump.poll() is not None  # tcpdump stops by itself only at its -c packet bound
            if bounded:
                log.warning("%s: tcpdump reached max_packets_per_window before the window ended", cls)
            stop_process(dump, grace_s=10, sig=2)  # SIGINT: tcpdump flushes and prints its counts
            text = err_path.read_text(errors="replace")
            captured = _count(text, r"(\d+) packets? captured")
            dropped = _count(text, r"(\d+) packets? dropped by kernel")
            if not part.exists():
                raise safety.TestbedError(f"tcpdump wrote no capture for {cls}: {_tail(err_path)}")
            os.replace(part, pcap)
        finally:
            stop_process(dump, grace_s=5, sig=2)
            part.unlink(missing_ok=True)
        entry = {
            "pcap": str(pcap), "sha256": sha256_file(pcap), "bytes": pcap.stat().st_size,
            "packets_captured": captured, "packets_dropped_by_kernel": dropped, "packet_bound_reached": bounded,
            "window_s": window, "duration_s": round(duration, 3),
            "started_utc": started_utc.isoformat(timespec="seconds"), "attack": ATTACK_OF[cls], "tool_runs": runs,
        }
        log.info("%s: %s packets in %.1f s, %d tool runs", cls, captured, duration, runs)
        return entry

    def _wait_for_text(self, path: Path, text: str, proc: subprocess.Popen[Any], name: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in path.read_text(errors="replace"):
                return
            if proc.poll() is not None:
                raise safety.TestbedError(f"{name} exited ({proc.returncode}): {_tail(path)}")
            time.sleep(0.05)
        raise safety.TestbedError(f"{name} did not start within {timeout:.0f}s: {_tail(path)}")

    def _targets(self, which: str) -> list[str]:
        hosts = self.net.hosts
        if which == "servers":
            chosen = [hosts["broker"].address, hosts["victim"].address]
        elif which in ("broker", "victim"):
            chosen = [hosts[which].address]
        else:  # all: every host of the testbed except the attacker itself
            chosen = [h.address for h in hosts.values() if h.role != "attacker"]
        return safety.check_targets(chosen, self.net.addresses(), self.net.subnet)

    def _attack(self, cls: str, end: float) -> int:
        spec = self.cfg.get(cls, {})
        if cls == "normal":
            return 0
        if cls in ("scan_A", "scan_sU"):
            targets = self._targets(spec["targets"])
            mode = ["-A"] if cls == "scan_A" else ["-sU", "--top-ports", str(int(spec["top_ports"]))]
            argv = [self.programs["nmap"], *mode, f"-T{int(spec['timing'])}", "-n", "--max-retries",
                    str(int(spec["max_retries"])), "--host-timeout", f"{int(spec['host_timeout_s'])}s",
                    "--max-rate", str(spec["max_rate"]), "-oN", "-", *targets]
            return self._repeat(cls, argv, end)
        if cls == "sparta":
            target = self._targets("victim")[0]
            words = self.work / "ssh_words.txt"
            words.write_text("\n".join(wordlist(int(spec["wordlist_size"]), self.seed + 1)) + "\n", encoding="utf-8")
            argv = [self.programs["hydra"], "-l", spec["username"], "-P", str(words), "-t", str(int(spec["tasks"])),
                    "-w", str(int(spec["timeout_s"])), "-I", "-s", "22", target, "ssh"]
            return self._repeat(cls, argv, end)
        if cls == "mqtt_bruteforce":
            broker_ip = self._targets("broker")[0]
            words = self.work / "mqtt_words.txt"
            words.write_text("\n".join(wordlist(int(spec["max_attempts"]), self.seed + 2,
                                                exclude=self.broker["password"])) + "\n", encoding="utf-8")
            argv = [sys.executable, "-m", "tinyids.testbed.clients", "mqtt-bruteforce", "--broker", broker_ip,
                    "--allowed", ",".join(self.net.addresses().values()), "--port", str(self.broker["port"]),
                    "--username", spec["username"], "--wordlist", str(words), "--rate", str(spec["rate_per_s"]),
                    "--max-attempts", str(int(spec["max_attempts"]))]
            return self._repeat(cls, argv, end, duration_arg=True)
        raise safety.TestbedError(f"unknown class {cls}")

    def _repeat(self, cls: str, argv: list[str], end: float, duration_arg: bool = False) -> int:
        """Run ``argv`` in the attacker's namespace again and again until ``end``; stop it there."""
        runs = fast_failures = 0
        with self._log(f"attack_{cls}") as out:
            while time.monotonic() < end - 0.2:
                remaining = end - time.monotonic()
                full = [*argv, "--duration", f"{remaining:.2f}"] if duration_arg else argv
                out.write(f"\n$ {' '.join(full)}\n".encode())
                out.flush()
                t0 = time.monotonic()
                proc = self.net.spawn("attacker", full, stdout=out, stderr=out, cwd=str(self.work), env=_child_env())
                runs += 1
                try:
                    proc.wait(timeout=max(0.1, end - time.monotonic()))
                except subprocess.TimeoutExpired:
                    stop_process(proc, grace_s=2)
                    break
                if proc.returncode != 0 and time.monotonic() - t0 < 1.0:
                    fast_failures += 1
                    if fast_failures >= 3:
                        out.flush()
                        raise safety.TestbedError(f"{cls}: {Path(argv[0]).name} keeps failing "
                                                  f"({proc.returncode}): {_tail(self.logs / f'attack_{cls}.log')}")
                else:
                    fast_failures = 0
        return runs


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _count(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else None


def _tail(path: Path, chars: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-chars:].strip()
    except OSError:
        return "(no log)"


def _log_tails(logs: Path) -> None:
    for path in sorted(logs.glob("*.log")):
        log.info("--- %s (tail) ---\n%s", path.name, _tail(path, 800))


def _tool_versions(programs: Mapping[str, str]) -> dict[str, str]:
    probes = {
        "mosquitto": [programs["mosquitto"], "-h"],
        "nmap": [programs["nmap"], "--version"],
        "hydra": [programs["hydra"], "-h"],
        "sshd": [programs["sshd"], "-V"],
        "tcpdump": [programs["tcpdump"], "--version"],
    }
    versions: dict[str, str] = {}
    for name, argv in probes.items():
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            text = (result.stdout + result.stderr).strip()
            versions[name] = next((line.strip() for line in text.splitlines() if line.strip()), "")[:120]
        except (OSError, subprocess.SubprocessError):
            versions[name] = "unknown"
    try:
        import paho.mqtt

        versions["paho-mqtt"] = paho.mqtt.__version__
    except (ImportError, AttributeError):
        versions["paho-mqtt"] = "unknown"
    return versions
