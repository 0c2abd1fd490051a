"""The mqtt_testbed config section: shipped values fit the issue, bad values are named by key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tinyids.config import load_config, validate_config
from tinyids.errors import ConfigError
from tinyids.testbed.capture import CLASSES, planned_duration_s

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "config" / "schemas"


def _default() -> dict:
    return load_config(REPO / "config" / "config.yaml", schema_dir=SCHEMAS)


def _smoke() -> dict:
    return load_config(REPO / "config" / "config.yaml", REPO / "config" / "smoke.yaml", schema_dir=SCHEMAS)


def test_default_testbed_has_the_papers_twelve_sensors_and_a_camera_and_a_capture_under_30_minutes():
    section = _default()["mqtt_testbed"]
    assert section["sensors"]["count"] == 12 and section["camera"]["count"] == 1
    assert set(section["windows_s"]) == set(CLASSES)
    # windows of tens of seconds at least (the attack tools repeat within them), the whole
    # capture, overheads included, within the 30 minutes issue 16 allows
    assert all(seconds >= 30 for seconds in section["windows_s"].values())
    assert planned_duration_s(section) <= 30 * 60
    assert section["flow_timeout_s"] is None  # the dataset's extractor has no timeout


def test_smoke_windows_are_seconds_and_the_whole_capture_is_bounded_under_two_minutes():
    section = _smoke()["mqtt_testbed"]
    assert all(seconds <= 10 for seconds in section["windows_s"].values())
    assert planned_duration_s(section) < 200  # generous bound incl. per-window overhead
    assert sum(section["windows_s"].values()) + 5 * section["drain_s"] + section["settle_s"] < 60


@pytest.mark.parametrize("key, value, message", [
    (("windows_s", "normal"), 0, "mqtt_testbed.windows_s.normal: 0 is less than the minimum of 1"),
    (("scan_A", "targets"), "8.8.8.8", "mqtt_testbed.scan_A.targets: '8.8.8.8' is not one of"),
    (("sensors", "count"), -1, "mqtt_testbed.sensors.count: -1 is less than the minimum of 0"),
    (("sparta", "tasks"), 1000, "mqtt_testbed.sparta.tasks: 1000 is greater than the maximum of 64"),
    (("broker", "password"), "a b;c", "mqtt_testbed.broker.password: 'a b;c' does not match"),
    (("flow_timeout_s",), -5, "mqtt_testbed.flow_timeout_s: -5 is less than or equal to the minimum of 0"),
])
def test_bad_testbed_values_are_reported_with_their_dotted_key(key, value, message):
    config = copy.deepcopy(_default())
    target = config["mqtt_testbed"]
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMAS)
    assert message in str(err.value)


def test_unknown_testbed_key_is_named():
    config = copy.deepcopy(_default())
    config["mqtt_testbed"]["scan_sU"]["ports"] = "1-65535"
    with pytest.raises(ConfigError, match=r"mqtt_testbed.scan_sU: .*'ports' was unexpected"):
        validate_config(config, SCHEMAS)


def test_udp_scan_requires_its_port_count():
    config = copy.deepcopy(_default())
    del config["mqtt_testbed"]["scan_sU"]["top_ports"]
    with pytest.raises(ConfigError, match=r"mqtt_testbed.scan_sU: 'top_ports' is a required property"):
        validate_config(config, SCHEMAS)


def test_every_schema_key_has_a_description():
    schema = yaml.safe_load((SCHEMAS / "mqtt_testbed.schema.yaml").read_text())

    def walk(node: dict, path: str) -> None:
        for name, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{path}{name} lacks a description"
            walk(sub, f"{path}{name}.")

    walk(schema, "")
    for name, definition in schema["$defs"].items():
        walk(definition, f"$defs.{name}.")
