"""srm2025 config: the default and smoke configs validate; bad keys are named by dotted path."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tinyids.config import load_config, validate_config
from tinyids.errors import ConfigError
from tinyids.srm2025.tiny import check_config_budgets

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "config" / "schemas"


@pytest.fixture(scope="module")
def default_config() -> dict:
    return load_config(REPO / "config" / "config.yaml", schema_dir=SCHEMAS)


def test_default_and_smoke_configs_validate_and_fit_their_budgets(default_config):
    smoke = load_config(REPO / "config" / "config.yaml", REPO / "config" / "smoke.yaml", schema_dir=SCHEMAS)
    for cfg in (default_config, smoke):
        check_config_budgets(cfg["srm2025"]["tiny"])
    assert smoke["srm2025"]["subsample"]["train"] is not None
    assert default_config["srm2025"]["subsample"] == {"train": None, "test": None}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("srm2025", "tiny", "feature_selection", "k"), 0, "srm2025.tiny.feature_selection.k"),
        (("srm2025", "protocols"), ["thesis", "kfold"], "srm2025.protocols.1"),
        (("srm2025", "models", "svm", "method"), "sgd", "srm2025.models.svm.method"),
        (("srm2025", "tiny", "budgets", "tiny_rf", "max_leaves"), 3, "srm2025.tiny.budgets.tiny_rf: Additional properties"),
        (("srm2025", "thesis_test_size"), 1.5, "srm2025.thesis_test_size"),
        (("srm2025", "subsample", "train"), 3, "srm2025.subsample.train"),
        (("srm2025", "encoding", "tiny"), "ordinal", "srm2025.encoding.tiny"),
        (("srm2025", "compare_encoding", "encoding"), "binary", "srm2025.compare_encoding.encoding"),
        (("srm2025", "paper", "tavallaee2009", "train_file"), "KDDTrain20", "srm2025.paper.tavallaee2009.train_file"),
    ],
)
def test_schema_reports_a_bad_srm2025_key_by_its_dotted_path(default_config, path, value, message):
    cfg = copy.deepcopy(default_config)
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, SCHEMAS)
    assert message in str(err.value)


def test_every_srm2025_schema_key_has_a_description():
    schema = yaml.safe_load((SCHEMAS / "srm2025.schema.yaml").read_text())

    def walk(node, where):
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                assert "description" in sub or "$ref" in sub, f"{where}.{key} has no description"
                walk(sub, f"{where}.{key}")
            for key, sub in node.get("$defs", {}).items():
                walk(sub, f"$defs.{key}")

    walk(schema, "srm2025")
    assert schema["additionalProperties"] is False


def test_paper_block_carries_citations_and_every_thesis_row(default_config):
    paper = default_config["srm2025"]["paper"]
    assert "Table 7.1" in paper["thesis_table_7_1"]["citation"]
    assert len(paper["thesis_table_7_1"]["losses"]) == 10
    assert "Tavallaee" in paper["tavallaee2009"]["citation"]
    assert set(paper["tavallaee2009"]["accuracy_percent"]) == {"KDDTest+", "KDDTest-21"}


def test_default_config_label_encodes_every_model_family_and_compares_one_hot(default_config):
    cfg = default_config["srm2025"]
    assert cfg["encoding"] == {"trees": "label", "linear": "label", "mlp": "label", "tiny": "label"}
    assert cfg["compare_encoding"] == {"encoding": "onehot", "report_above": 0.005}


def test_tavallaee_block_states_its_training_file_and_how_its_source_was_checked(default_config):
    tav = default_config["srm2025"]["paper"]["tavallaee2009"]
    assert tav["train_file"] in {"KDDTrain+", "KDDTrain+_20Percent", "unchecked"}
    if tav["train_file"] == "unchecked":  # no source found: the note and the citation say so
        assert "No checked source" in tav["source_note"] and "NOT checked" in tav["citation"]
