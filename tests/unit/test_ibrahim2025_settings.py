"""ibrahim2025 configuration: the shipped configs load; bad values fail naming the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tinyids.config import deep_merge, load_schema, schema_errors
from tinyids.errors import ConfigError
from tinyids.ibrahim2025 import settings as st

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "config" / "schemas"


def _load(*names: str) -> dict:
    """The merged config files, with only the ibrahim2025 section validated (other stages'
    sections are their owners' to test)."""
    merged: dict = {}
    for name in names:
        deep_merge(merged, yaml.safe_load((REPO / "config" / name).read_text()))
    _validate_section(merged)
    return merged


def _validate_section(cfg: dict) -> None:
    errors = schema_errors(cfg["ibrahim2025"], load_schema(SCHEMAS / "ibrahim2025.schema.yaml"), prefix="ibrahim2025")
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))


@pytest.fixture(scope="module")
def default_config() -> dict:
    return _load("config.yaml")


def test_default_config_follows_the_paper_tables(default_config):
    s = st.from_config(default_config)
    assert s.protocols == ("paper", "sound", "paper_numeric", "paper_identifiers")
    assert s.pca_components == 12 and s.units == (100, 512, 512, 512, 512)
    assert (s.training.learning_rate, s.training.batch_size, s.training.epochs, s.training.validation_split) == (
        0.001, 10, 100, 0.2)
    assert (s.pruning.initial_sparsity, s.pruning.final_sparsity, s.pruning.begin_step) == (0.5, 0.9, 0)
    assert s.pruning.variants["pruned_paper"] == 100 and s.pruning.variants["pruned_span"] == st.SPAN
    assert s.pruning.fine_tune_epochs == 10 and s.cv_folds == 1
    assert "SrcMac" in s.drop_columns


def test_protocol_variants_keep_the_paper_order_and_the_base_protocol_seeds(default_config):
    s = st.from_config(default_config)
    assert s.order_of("paper_numeric") == s.order_of("paper_identifiers") == "paper"
    drop, categorical = s.features_of("paper_numeric")
    assert "Packet_num" not in drop and categorical == ()
    drop, categorical = s.features_of("paper_identifiers")
    assert "SrcMac" in categorical and "SrcMac" not in drop
    # adding variants leaves the seeds (and so the splits) of paper and sound as they were
    assert (s.protocol_seed("paper"), s.protocol_seed("sound")) == (42000, 42100)
    assert s.robust_models_of("sound") == ("full", "pruned_paper")


def test_bad_protocol_variant_and_robust_model_are_reported_by_key(default_config):
    msg = _bad(default_config, lambda c: c["protocol_variants"]["paper_numeric"].update(models=["pruned_nope"]))
    assert "ibrahim2025.protocol_variants.paper_numeric.models" in msg
    msg = _bad(default_config, lambda c: c["robust"].update(models=["pruned_nope"]))
    assert "ibrahim2025.robust.models" in msg
    msg = _bad(default_config, lambda c: c["protocol_variants"].update(sound={"order": "paper", "features": {
        "drop": [], "categorical": []}}))
    assert "ibrahim2025.protocol_variants.sound" in msg


def test_smoke_config_is_small_and_flagged():
    s = st.from_config(_load("config.yaml", "smoke.yaml"))
    assert s.smoke and s.max_rows is not None and s.max_rows <= 1000 and s.training.epochs <= 2


def test_a_null_end_step_switches_a_pruning_variant_off_in_a_merged_config():
    s = st.from_config(_load("config.yaml", "smoke.yaml"))
    assert tuple(s.pruning.variants) == ("pruned_paper",) and s.models_of("sound") == ("full", "pruned_paper")


def _bad(default_config, mutate) -> str:
    cfg = copy.deepcopy(default_config)
    mutate(cfg["ibrahim2025"])
    with pytest.raises(ConfigError) as err:
        _validate_section(cfg)
        st.from_config(cfg)
    return str(err.value)


def test_unknown_key_is_rejected_by_the_schema_with_its_dotted_path(default_config):
    msg = _bad(default_config, lambda c: c["training"].__setitem__("epochz", 3))
    assert "ibrahim2025.training" in msg and "epochz" in msg


def test_initial_sparsity_above_final_is_reported_by_key(default_config):
    msg = _bad(default_config, lambda c: c["pruning"].update(initial_sparsity=0.95))
    assert "ibrahim2025.pruning.initial_sparsity" in msg


def test_end_step_off_the_pruning_grid_is_reported(default_config):
    msg = _bad(default_config, lambda c: c["pruning"]["variants"].update(pruned_paper=150))
    assert "ibrahim2025.pruning.variants.pruned_paper" in msg


def test_deploying_an_unknown_model_is_reported(default_config):
    msg = _bad(default_config, lambda c: c["deploy"].update(models=["full", "pruned_nope"]))
    assert "ibrahim2025.deploy.models" in msg and "pruned_nope" in msg


def test_bad_variant_name_and_protocol_fail_the_schema(default_config):
    msg = _bad(default_config, lambda c: c["pruning"]["variants"].update(tiny=100))
    assert "ibrahim2025.pruning.variants" in msg
    msg = _bad(default_config, lambda c: c.update(protocols=["paper", "leaky"]))
    assert "ibrahim2025.protocols" in msg


def test_every_schema_key_has_a_description():
    schema = yaml.safe_load((SCHEMAS / "ibrahim2025.schema.yaml").read_text())

    defs = schema["$defs"]

    def described(sub) -> bool:
        if "description" in sub:
            return True
        ref = sub.get("$ref", "")
        return ref.startswith("#/$defs/") and "description" in defs[ref.rsplit("/", 1)[1]]

    def walk(node, path):
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                assert described(sub), f"{path}.{key} has no description"
                walk(sub, f"{path}.{key}")
            for name, sub in node.get("$defs", {}).items():
                walk(sub, f"{path}.$defs.{name}")
            if isinstance(node.get("items"), dict):
                walk(node["items"], f"{path}[]")

    walk(schema, "ibrahim2025")


def test_paper_block_cites_every_figure(default_config):
    paper = default_config["ibrahim2025"]["paper"]
    for key in ("table2", "table4", "confusion", "table5", "dataset"):
        assert paper[key]["cite"], key
    assert all(entry["cite"] for entry in paper["auc"])
