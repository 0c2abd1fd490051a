"""The dataset authors' classifier set on uniflows: data preparation, protocols, ComparisonRows, config errors."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.config import load_config
from tinyids.errors import ConfigError
from tinyids.study import comparison
from tinyids.testbed.baselines import CLASSIFIERS, FEATURES, comparison_table, markdown, prepare, run
from tinyids.testbed.capture import CLASSES

ROOT = Path(__file__).resolve().parents[2]


def _cfg() -> dict:
    config = load_config(ROOT / "config/config.yaml", ROOT / "config/smoke.yaml", schema_dir=ROOT / "config/schemas")
    return copy.deepcopy(config["mqtt_testbed"]["baselines"])


def _frame(per_class: int = 60, background: int = 10, seed: int = 0) -> pd.DataFrame:
    """Noise features; only ``proto`` (and the addresses) tell the classes apart. Each attack file
    also holds ``background`` normal rows, as the real files do."""
    rng = np.random.default_rng(seed)
    parts = []
    for index, cls in enumerate(CLASSES):
        attack = 0 if cls == "normal" else per_class
        n = per_class if cls == "normal" else per_class + background
        part = pd.DataFrame(rng.normal(size=(n, len(FEATURES))), columns=list(FEATURES))
        part["is_attack"] = [1] * attack + [0] * (n - attack)
        part["proto"] = np.where(part["is_attack"] == 1, index, 0).astype(float)
        part["ip_src"] = np.where(part["is_attack"] == 1, "10.0.0.3", "10.0.0.9")
        part["ip_dst"] = f"10.0.0.{index + 10}"
        part["label"] = np.where(part["is_attack"] == 1, cls, "normal")
        part["capture"] = cls
        part["source"] = "testbed"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def test_the_authors_setup_drops_proto_and_the_addresses_so_a_tree_cannot_use_them():
    frame = _frame()
    setup = _cfg()["setups"]["authors"]
    X, y = prepare(frame, setup)
    assert not {"proto", "ip_src", "ip_dst", "is_attack"} & set(X.columns)
    assert list(X.columns) == [c for c in FEATURES if c not in ("proto", "ip_src", "ip_dst")]
    cfg = _cfg()
    cfg["classifiers"] = ["decision_tree"]
    cfg["protocols"] = {"holdout25": cfg["protocols"]["holdout25"]}
    dropped = run(frame, cfg)
    cfg["setups"]["authors"]["drop_columns"] = ["ip_src", "ip_dst"]  # proto kept: it names the class here
    kept = run(frame, cfg)
    assert kept["accuracy"].iloc[0] == 1.0
    assert dropped["accuracy"].iloc[0] < 0.6  # noise features only: near the 1/5 of chance


def test_file_class_labels_keep_only_the_attack_rows_of_attack_files_and_flow_labels_keep_every_row():
    frame = _frame(per_class=30, background=7)
    authors = _cfg()["setups"]["authors"]
    _, y = prepare(frame, authors)
    assert y.value_counts().to_dict() == {cls: 30 for cls in CLASSES}
    flow = dict(authors, labels="flow")
    _, y = prepare(frame, flow)
    assert len(y) == len(frame) and (y == "normal").sum() == 30 + 4 * 7


def test_is_attack_stays_a_feature_only_when_the_setup_asks_as_classification_py_does():
    frame = _frame()
    setup = _cfg()["setups"]["authors"]
    assert "is_attack" not in prepare(frame, setup)[0].columns
    X, y = prepare(frame, dict(setup, is_attack_feature=True))
    assert X.columns[-1] == "is_attack" and (X["is_attack"] == (y != "normal")).all()


def test_deduplication_removes_repeated_rows_of_one_file_only():
    frame = _frame(per_class=20, background=0)
    repeated = pd.concat([frame, frame[frame["capture"] == "sparta"].head(5)], ignore_index=True)
    setup = _cfg()["setups"]["authors"]
    assert len(prepare(repeated, setup)[1]) == len(frame)
    assert len(prepare(repeated, dict(setup, deduplicate=False))[1]) == len(frame) + 5


def test_correlated_features_are_dropped_above_the_threshold():
    frame = _frame()
    frame["num_bytes"] = 3.0 * frame["num_pkts"] + 1.0
    X, _ = prepare(frame, dict(_cfg()["setups"]["replication"], labels="flow"))
    assert "num_pkts" in X.columns and "num_bytes" not in X.columns


def test_comparison_rows_have_one_row_per_classifier_protocol_and_quantity_with_runs_and_sd():
    cfg = _cfg()
    frame = _frame()
    table = comparison_table(run(frame, cfg), cfg, "testbed")
    assert list(table.columns[: len(comparison.COLUMNS)]) == list(comparison.COLUMNS)
    assert len(table) == len(CLASSIFIERS) * len(cfg["protocols"]) * 2
    assert not table.duplicated(["protocol", "model", "quantity"]).any()
    runs = table.groupby("protocol")["n_runs"].unique().to_dict()
    assert runs == {"holdout25": [1], "cv5": [5], "holdout20_replication": [1]}
    assert table.loc[table["protocol"] == "holdout25", "our_sd"].isna().all()
    assert table.loc[table["protocol"] == "cv5", "our_sd"].notna().all()
    rf = table[(table["model"] == "random_forest") & (table["quantity"] == "accuracy")]
    assert list(rf["paper_value"]) == pytest.approx([0.9987] * 3) and set(rf["study"]) == {"mqtt_testbed"}
    assert (table["test_rows"][table["protocol"] == "holdout25"] == int(np.ceil(0.25 * 5 * 60))).all()
    assert "| random_forest |" in markdown(table, cfg, smoke=True)


def test_a_training_row_cap_limits_the_fit_but_not_the_test_rows():
    cfg = _cfg()
    cfg["classifiers"], cfg["max_train_rows"] = ["knn"], {"knn": 50}
    cfg["protocols"] = {"holdout25": cfg["protocols"]["holdout25"]}
    result = run(_frame(), cfg)
    assert result["train_rows"].iloc[0] == 50 and result["test_rows"].iloc[0] == 75


@pytest.mark.parametrize(("edit", "message"), [
    (lambda c: c["setups"]["authors"]["params"].update(knn={"n_neighbours": 3}),
     r"mqtt_testbed\.baselines\.setups\.authors\.params\.knn: .*n_neighbours"),
    (lambda c: c.update(classifiers=["logistic_regression", "xgboost"]),
     r"mqtt_testbed\.baselines\.classifiers: unknown classifier 'xgboost'"),
    (lambda c: c["setups"]["authors"].update(drop_columns=["proto", "src_ip"]),
     r"mqtt_testbed\.baselines\.setups\.authors\.drop_columns: src_ip not among the uniflow features"),
    (lambda c: c["protocols"]["cv5"].update(setup="paper"),
     r"mqtt_testbed\.baselines\.protocols\.cv5\.setup: 'paper' is not in mqtt_testbed\.baselines\.setups"),
    (lambda c: c["setups"]["authors"].update(scale="standard"),
     r"mqtt_testbed\.baselines\.setups\.authors\.scale: 'standard' is not one of none, minmax"),
    (lambda c: c["max_train_rows"].update(svm=100),
     r"mqtt_testbed\.baselines\.max_train_rows: unknown classifier\(s\) svm"),
])
def test_a_bad_config_key_is_named_in_the_error(edit, message):
    cfg = _cfg()
    edit(cfg)
    with pytest.raises(ConfigError, match=message):
        run(_frame(per_class=12, background=2), cfg)


def test_the_schema_rejects_an_unknown_setup_key():
    from tinyids.config import validate_config

    config = load_config(ROOT / "config/config.yaml", schema_dir=ROOT / "config/schemas")
    config["mqtt_testbed"]["baselines"]["setups"]["authors"]["scaling"] = "none"
    with pytest.raises(ConfigError, match=r"mqtt_testbed\.baselines\.setups\.authors"):
        validate_config(config, ROOT / "config/schemas")
