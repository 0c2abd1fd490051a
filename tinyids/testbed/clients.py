"""MQTT traffic generators run inside the testbed namespaces (``python -m tinyids.testbed.clients``).

* ``sensor``: a sensor (or the camera) publishing readings to the broker with paho-mqtt, with
  username/password, every ``interval`` seconds (uniform jitter), for at most ``duration``
  seconds and ``max_messages`` messages. ``reconnect_every`` = k opens a new MQTT session every k
  messages (1: connect, publish, disconnect, as battery sensors do; 0: one persistent session).
* ``mqtt-bruteforce``: the MQTT brute-force attack: CONNECT attempts with the configured
  username and passwords from a word list, one TCP connection per attempt, at most ``rate``
  attempts per second, ``max_attempts`` in all, for at most ``duration`` seconds.

Both refuse a broker address outside ``--allowed`` (the testbed's addresses, passed by the
orchestrator after its own check), and stop on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import sys
import time
from collections.abc import Sequence

import paho.mqtt.client as mqtt

log = logging.getLogger("tinyids.testbed.clients")

_STOP = False


def _on_term(_signum: int, _frame: object) -> None:
    global _STOP
    _STOP = True


def _client(client_id: str, username: str, password: str) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.username_pw_set(username, password)
    return client


def _await_connack(client: mqtt.Client, timeout: float) -> object | None:
    """Run the network loop until the CONNACK arrives; return its reason code (None on timeout)."""
    result: dict[str, object] = {}

    def on_connect(_c: mqtt.Client, _u: object, _f: object, reason: object, _p: object = None) -> None:
        result["rc"] = reason

    client.on_connect = on_connect
    deadline = time.monotonic() + timeout
    while "rc" not in result and time.monotonic() < deadline and not _STOP:
        if client.loop(timeout=0.05) != mqtt.MQTT_ERR_SUCCESS and "rc" not in result:
            break
    return result.get("rc")


def run_sensor(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    end = time.monotonic() + args.duration
    value = rng.uniform(15.0, 25.0)
    sent = failures = 0
    client: mqtt.Client | None = None
    in_session = 0
    next_at = time.monotonic() + rng.uniform(0, args.interval)  # desynchronise the sensors
    while not _STOP and sent < args.max_messages and time.monotonic() < end:
        pause = next_at - time.monotonic()
        if pause > 0:
            if client is not None:
                client.loop(timeout=min(pause, 0.5))
            else:
                time.sleep(min(pause, 0.5))
            continue
        next_at += args.interval * rng.uniform(1 - args.jitter, 1 + args.jitter)
        if args.payload_bytes > 0:
            size = max(1, int(args.payload_bytes * rng.uniform(0.8, 1.2)))
            payload: bytes = rng.randbytes(size)
        else:
            value += rng.gauss(0, 0.2)
            payload = json.dumps({"sensor": args.name, "seq": sent, "value": round(value, 2)}).encode()
        try:
            if client is None:
                client = _client(f"{args.name}-{sent}", args.username, args.password)
                client.connect(args.broker, args.port, keepalive=max(5, int(4 * args.interval) + 5))
                rc = _await_connack(client, timeout=5)
                if rc is None or getattr(rc, "is_failure", False):
                    raise OSError(f"CONNACK {rc}")
            info = client.publish(args.topic, payload, qos=args.qos)
            if args.qos > 0:
                deadline = time.monotonic() + 5
                while not info.is_published() and time.monotonic() < deadline and not _STOP:
                    client.loop(timeout=0.05)
            else:
                client.loop(timeout=0.01)
            sent += 1
            in_session += 1
            if args.reconnect_every and in_session >= args.reconnect_every:
                client.disconnect()
                client.loop(timeout=0.01)
                client = None
                in_session = 0
        except (OSError, ValueError) as exc:
            failures += 1
            log.warning("%s: publish failed: %s", args.name, exc)
            client = None
            in_session = 0
            if failures > 50:
                return 1
    if client is not None:
        client.disconnect()
    log.info("%s: %d messages sent, %d failures", args.name, sent, failures)
    return 0


def run_bruteforce(args: argparse.Namespace) -> int:
    with open(args.wordlist, encoding="utf-8") as handle:
        words = [line.rstrip("\n") for line in handle if line.strip()]
    end = time.monotonic() + args.duration
    interval = 1.0 / args.rate
    attempts = refused = accepted = 0
    next_at = time.monotonic()
    for word in words:
        if _STOP or attempts >= args.max_attempts or time.monotonic() >= end:
            break
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        next_at = max(next_at + interval, time.monotonic() - 1)
        client = _client(f"bf{attempts}", args.username, word)
        attempts += 1
        try:
            client.connect(args.broker, args.port, keepalive=5)
            rc = _await_connack(client, timeout=2)
            if rc is not None and not getattr(rc, "is_failure", True):
                accepted += 1
            else:
                refused += 1
            client.disconnect()
            client.loop(timeout=0.01)
        except OSError:
            refused += 1
        finally:
            sock = client.socket()
            if sock is not None:
                sock.close()
    log.info("mqtt brute force: %d attempts, %d refused, %d accepted", attempts, refused, accepted)
    return 0


def _check_broker(args: argparse.Namespace) -> None:
    allowed = set(args.allowed.split(","))
    if args.broker not in allowed:
        raise SystemExit(f"refusing broker {args.broker}: not a testbed address ({args.allowed})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinyids.testbed.clients")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--broker", required=True)
    common.add_argument("--allowed", required=True, help="comma-separated testbed addresses")
    common.add_argument("--port", type=int, default=1883)
    common.add_argument("--username", required=True)
    common.add_argument("--duration", type=float, required=True)
    sensor = sub.add_parser("sensor", parents=[common])
    sensor.add_argument("--name", required=True)
    sensor.add_argument("--password", required=True)
    sensor.add_argument("--topic", required=True)
    sensor.add_argument("--interval", type=float, required=True)
    sensor.add_argument("--jitter", type=float, default=0.2)
    sensor.add_argument("--payload-bytes", type=int, default=0, help="0: JSON reading; n: ~n random bytes")
    sensor.add_argument("--reconnect-every", type=int, default=0)
    sensor.add_argument("--qos", type=int, choices=(0, 1, 2), default=0)
    sensor.add_argument("--max-messages", type=int, default=10**9)
    sensor.add_argument("--seed", type=int, default=0)
    brute = sub.add_parser("mqtt-bruteforce", parents=[common])
    brute.add_argument("--wordlist", required=True)
    brute.add_argument("--rate", type=float, required=True)
    brute.add_argument("--max-attempts", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _check_broker(args)
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, _on_term)
    if args.command == "sensor":
        return run_sensor(args)
    return run_bruteforce(args)


if __name__ == "__main__":
    sys.exit(main())
