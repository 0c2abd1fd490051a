"""Config validation: the shipped configs are valid; bad keys and values are named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tinyids.config import load_config, validate_config
from tinyids.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "config" / "schemas"


def _default() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_default_and_smoke_configs_are_valid():
    load_config(REPO / "config" / "config.yaml", schema_dir=SCHEMAS)
    smoke = load_config(REPO / "config" / "config.yaml", REPO / "config" / "smoke.yaml", schema_dir=SCHEMAS)
    assert smoke["smoke"] is True


def test_unknown_top_level_key_is_named():
    config = _default() | {"epochz": 3}
    with pytest.raises(ConfigError, match=r"'epochz' was unexpected"):
        validate_config(config, SCHEMAS)


def test_out_of_range_value_is_named_with_dotted_key():
    config = _default()
    config["seed"] = -1
    config["datasets"]["nan_policy"] = "ignore"
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMAS)
    assert "seed: -1 is less than the minimum of 0" in str(err.value)
    assert "datasets.nan_policy: 'ignore' is not one of" in str(err.value)


def test_unknown_study_is_refused():
    config = _default()
    config["studies"] = ["srm2025", "nosuchstudy"]
    with pytest.raises(ConfigError, match=r"studies\.1: 'nosuchstudy' is not one of"):
        validate_config(config, SCHEMAS)


def test_every_stage_section_has_a_schema_that_rejects_unknown_keys():
    for section in ("mqtt_testbed", "srm2025", "ibrahim2025", "idrissi2022", "codegen", "firmware"):
        schema_file = SCHEMAS / f"{section}.schema.yaml"
        assert schema_file.exists(), f"missing schema for config section {section}"
        config = _default()
        config[section] = dict(config[section]) | {"no_such_key_xyz": 1}
        with pytest.raises(ConfigError, match=rf"{section}: .*'no_such_key_xyz' was unexpected"):
            validate_config(config, SCHEMAS)
