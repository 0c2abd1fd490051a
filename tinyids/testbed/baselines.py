"""Separability of the uniflows: the MQTT-IoT-IDS2020 authors' classifier set, beside a replication.

The dataset authors' public code (Hindy et al., github.com/AbertayMachineLearningGroup/MQTT_ML,
``classification.py``, uniflow mode) drops ``proto``, ``ip_src`` and ``ip_dst``, keeps the
``is_attack`` rows of each attack file labelled with the file's class and the normal file's rows
as normal, removes duplicate rows per file, and fits logistic regression, Gaussian naive Bayes,
k-NN, an entropy decision tree, a 10-tree entropy random forest and a linear SVM (``LinearSVC``)
on the raw features, once on a 25 % test split (``random_state`` 42) and once per fold of a
shuffled stratified 5-fold CV. A public replication (github.com/Rafayqayyum/
instrusion_detection_mqtt2020, ``UniFlow_results.csv``) reports accuracies on the original files
under its own protocol (every row, background rows labelled normal, features correlated above
0.95 dropped, min-max scaling, a stratified 20 % test split at seed 42, scikit-learn defaults).

Every choice is a named setup in config (``mqtt_testbed.baselines``); :func:`run` evaluates each
configured protocol and :func:`comparison_table` writes ComparisonRows
(:mod:`tinyids.study.comparison`) beside the replication's figures.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from tinyids.errors import ConfigError, DataError
from tinyids.study import comparison
from tinyids.testbed.flows import UNIFLOW_COLUMNS

log = logging.getLogger(__name__)

STUDY = "mqtt_testbed"
KEY = "mqtt_testbed.baselines"
FEATURES: tuple[str, ...] = tuple(c for c in UNIFLOW_COLUMNS if c != "is_attack")
LABEL_RULES = ("file_class", "flow")
SPLITS = ("holdout", "kfold")
SCALES = ("none", "minmax")
QUANTITIES = {"accuracy": "accuracy_percent", "f1_macro": "f1_macro"}  # our quantity -> published key
# The classifiers of classification.py, by config name; the seed goes to those that take one.
_ESTIMATORS: dict[str, tuple[type, bool]] = {
    "logistic_regression": (LogisticRegression, True),
    "gaussian_nb": (GaussianNB, False),
    "knn": (KNeighborsClassifier, False),
    "decision_tree": (DecisionTreeClassifier, True),
    "random_forest": (RandomForestClassifier, True),
    "linear_svm": (LinearSVC, True),
}
CLASSIFIERS: tuple[str, ...] = tuple(_ESTIMATORS)
_PARALLEL = ("knn", "random_forest")  # n_jobs changes their speed, not their result


def build(name: str, params: Mapping[str, Any], seed: int, n_jobs: int = 1, where: str = KEY) -> ClassifierMixin:
    """The scikit-learn estimator ``name`` with ``params``; an unknown name or parameter names ``where``."""
    if name not in _ESTIMATORS:
        raise ConfigError(f"{where}: unknown classifier {name!r} (known: {', '.join(CLASSIFIERS)})")
    cls, seeded = _ESTIMATORS[name]
    kwargs = dict(params or {})
    if seeded:
        kwargs.setdefault("random_state", seed)
    if name in _PARALLEL:
        kwargs.setdefault("n_jobs", n_jobs)
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}.{name}: {exc}") from exc


def _setup(cfg: Mapping[str, Any], name: str, protocol: str) -> Mapping[str, Any]:
    setups = cfg.get("setups", {})
    if name not in setups:
        raise ConfigError(f"{KEY}.protocols.{protocol}.setup: {name!r} is not in {KEY}.setups "
                          f"({', '.join(setups) or 'none'})")
    setup = setups[name]
    where = f"{KEY}.setups.{name}"
    for key, allowed in (("labels", LABEL_RULES), ("scale", SCALES)):
        if setup.get(key) not in allowed:
            raise ConfigError(f"{where}.{key}: {setup.get(key)!r} is not one of {', '.join(allowed)}")
    return setup


def prepare(frame: pd.DataFrame, setup: Mapping[str, Any], where: str = KEY) -> tuple[pd.DataFrame, pd.Series]:
    """Features and class labels of the validated uniflow table under one setup.

    ``labels``: ``file_class`` keeps the normal file's rows and the attack rows of each attack
    file, labelled with the file (``capture``); ``flow`` keeps every row with its flow label
    (background rows of attack files are ``normal``). ``drop_columns`` leave the features;
    ``deduplicate`` drops repeated (file, label, features) rows; ``is_attack_feature`` keeps the
    ``is_attack`` column as a feature (as ``classification.py`` does in uniflow mode);
    ``drop_correlated`` drops each feature whose absolute Pearson correlation with an earlier one
    exceeds it, computed on every row (the replication's order).
    """
    needed = [c for c in (*FEATURES, "is_attack", "label", "capture") if c not in frame.columns]
    if needed:
        raise DataError(f"{where}: the uniflow table lacks column(s) {', '.join(needed)}")
    drop = list(setup.get("drop_columns") or [])
    unknown = [c for c in drop if c not in FEATURES]
    if unknown:
        raise ConfigError(f"{where}.drop_columns: {', '.join(map(str, unknown))} not among the uniflow features "
                          f"({', '.join(FEATURES)})")
    if setup["labels"] == "file_class":
        rows = frame[(frame["capture"] == "normal") | (frame["is_attack"] == 1)]
        y = rows["capture"].astype(str)
    else:
        rows = frame
        y = rows["label"].astype(str)
    features = [c for c in FEATURES if c not in drop]
    if setup.get("is_attack_feature", False):
        features.append("is_attack")
    X = rows[features].apply(pd.to_numeric, errors="coerce").astype(float)
    if not np.isfinite(X.to_numpy()).all():
        bad = X.columns[~np.isfinite(X.to_numpy()).all(axis=0)].tolist()
        raise DataError(f"{where}: non-numeric or non-finite values in {', '.join(bad)}")
    if setup.get("deduplicate", False):
        keep = ~pd.concat([rows["capture"].astype(str), y.rename("__y"), X], axis=1).duplicated()
        X, y = X[keep.to_numpy()], y[keep.to_numpy()]
    threshold = setup.get("drop_correlated")
    if threshold is not None:
        corr = X.corr().abs().to_numpy()
        upper = np.triu(np.nan_to_num(corr), k=1)
        correlated = [c for j, c in enumerate(X.columns) if (upper[:, j] > float(threshold)).any()]
        X = X.drop(columns=correlated)
    return X.reset_index(drop=True), y.reset_index(drop=True)


def _splits(X: pd.DataFrame, y: pd.Series, protocol: Mapping[str, Any], where: str):
    split = protocol.get("split")
    if split not in SPLITS:
        raise ConfigError(f"{where}.split: {split!r} is not one of {', '.join(SPLITS)}")
    seed = int(protocol["seed"])
    index = np.arange(len(y))
    if split == "holdout":
        test_size = float(protocol["test_size"])
        if not 0 < test_size < 1:
            raise ConfigError(f"{where}.test_size: {test_size} must lie in (0, 1)")
        strat = y if protocol.get("stratify", False) else None
        try:
            train, test = train_test_split(index, test_size=test_size, random_state=seed, stratify=strat)
        except ValueError as exc:
            raise DataError(f"{where}: cannot split {len(y)} rows ({y.value_counts().to_dict()}): {exc}") from exc
        yield train, test
        return
    folds = int(protocol["folds"])
    smallest = int(y.value_counts().min())
    if folds < 2 or smallest < folds:
        raise ConfigError(f"{where}.folds: {folds} folds need at least 2 and at most the smallest class's "
                          f"{smallest} rows")
    yield from StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(index, y)


def _cap(train: np.ndarray, y: pd.Series, cap: int | None, seed: int) -> np.ndarray:
    """At most ``cap`` training rows, stratified by class (test rows never change)."""
    if cap is None or len(train) <= cap:
        return train
    kept, _ = train_test_split(train, train_size=int(cap), random_state=seed, stratify=y.iloc[train])
    return np.sort(kept)


def run(frame: pd.DataFrame, cfg: Mapping[str, Any], n_jobs: int = 1) -> pd.DataFrame:
    """One row per classifier, protocol and run (holdout: one, k-fold: one per fold): accuracy,
    macro F1, and the rows it trained and tested on."""
    classifiers = list(cfg.get("classifiers") or [])
    if not classifiers:
        raise ConfigError(f"{KEY}.classifiers is empty or missing")
    for name in classifiers:
        if name not in _ESTIMATORS:
            raise ConfigError(f"{KEY}.classifiers: unknown classifier {name!r} (known: {', '.join(CLASSIFIERS)})")
    caps = dict(cfg.get("max_train_rows") or {})
    unknown_caps = [k for k in caps if k not in CLASSIFIERS]
    if unknown_caps:
        raise ConfigError(f"{KEY}.max_train_rows: unknown classifier(s) {', '.join(unknown_caps)}")
    protocols = cfg.get("protocols") or {}
    if not protocols:
        raise ConfigError(f"{KEY}.protocols is empty or missing")
    records: list[dict[str, Any]] = []
    for pname, protocol in protocols.items():
        where = f"{KEY}.protocols.{pname}"
        setup_name = protocol.get("setup")
        setup = _setup(cfg, setup_name, pname)
        X, y = prepare(frame, setup, f"{KEY}.setups.{setup_name}")
        params = setup.get("params") or {}
        seed = int(setup["model_seed"])
        log.info("%s: %d rows, %d features (%s), classes %s", pname, len(y), X.shape[1], ", ".join(X.columns),
                 y.value_counts().to_dict())
        for run_index, (train, test) in enumerate(_splits(X, y, protocol, where)):
            scaler = MinMaxScaler().fit(X.iloc[train].to_numpy()) if setup["scale"] == "minmax" else None
            for name in classifiers:
                rows = _cap(train, y, caps.get(name), seed)
                x_train, x_test = X.iloc[rows].to_numpy(), X.iloc[test].to_numpy()
                if scaler is not None:
                    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
                model = build(name, params.get(name, {}), seed, n_jobs, f"{KEY}.setups.{setup_name}.params")
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    model.fit(x_train, y.iloc[rows].to_numpy())
                converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
                pred = model.predict(x_test)
                truth = y.iloc[test].to_numpy()
                records.append({
                    "protocol": pname, "setup": setup_name, "run": run_index, "model": name,
                    "accuracy": float(accuracy_score(truth, pred)),
                    "f1_macro": float(f1_score(truth, pred, average="macro", zero_division=0)),
                    "train_rows": int(len(rows)), "test_rows": int(len(test)), "rows": int(len(y)),
                    "features": X.shape[1], "converged": converged,
                })
                log.info("%s run %d %s: accuracy %.4f, macro F1 %.4f (%d train rows%s)", pname, run_index, name,
                         records[-1]["accuracy"], records[-1]["f1_macro"], len(rows),
                         "" if converged else ", did not converge")
    return pd.DataFrame(records)


def _published(cfg: Mapping[str, Any]) -> Mapping[str, Any]:
    published = cfg.get("published")
    if not published:
        raise ConfigError(f"{KEY}.published is missing")
    for key in ("citation", "table", "protocol", *QUANTITIES.values()):
        if key not in published:
            raise ConfigError(f"{KEY}.published.{key} is missing")
    return published


def comparison_table(results: pd.DataFrame, cfg: Mapping[str, Any], data_source: str) -> pd.DataFrame:
    """ComparisonRows: per protocol, classifier and quantity (accuracy, macro F1) our mean, sd and
    runs beside the replication's figure on the original files. Extra columns: the setup, the
    replication's protocol, the data source, rows, features and whether every fit converged."""
    published = _published(cfg)
    rows: list[dict[str, Any]] = []
    for pname in dict.fromkeys(results["protocol"]):
        for name in dict.fromkeys(results["model"]):
            runs = results[(results["protocol"] == pname) & (results["model"] == name)]
            for quantity, key in QUANTITIES.items():
                figure = published[key].get(name)
                scale = 100.0 if key.endswith("_percent") else 1.0
                mean, sd, n = comparison.summary(runs[quantity])
                rows.append({
                    "study": STUDY, "table": published["table"], "quantity": quantity, "unit": "fraction",
                    "protocol": pname, "model": name,
                    "paper_value": float("nan") if figure is None else float(figure) / scale,
                    "our_value": mean, "our_sd": sd, "n_runs": n,
                    "citation": f"{published['citation']}, {published['table']}",
                    "setup": runs["setup"].iloc[0], "paper_protocol": published["protocol"],
                    "data_source": data_source, "rows": int(runs["rows"].iloc[0]),
                    "test_rows": int(round(runs["test_rows"].mean())), "features": int(runs["features"].iloc[0]),
                    "converged": bool(runs["converged"].all()),
                })
    return comparison.frame(rows, f"{KEY} comparison")


def markdown(table: pd.DataFrame, cfg: Mapping[str, Any], smoke: bool) -> str:
    """baselines.md: per protocol a table of ours (mean +- sd over runs) beside the replication."""
    published = _published(cfg)
    source = ", ".join(sorted(set(table["data_source"])))
    lines = [
        "# MQTT-IoT-IDS2020 uniflows: the dataset authors' classifier set",
        "",
        f"Data: the validated uniflow table (source: {source}).{' Smoke configuration.' if smoke else ''}",
        f"Classifiers and protocol: {cfg.get('code', 'classification.py of the dataset authors')}.",
        f"Published figures: {published['citation']}, {published['table']}, on the original files under the "
        f"replication's protocol ({published['protocol']}).",
        "",
    ]
    for pname in dict.fromkeys(table["protocol"]):
        part = table[table["protocol"] == pname]
        protocol = cfg["protocols"][pname]
        setup = cfg["setups"][protocol["setup"]]
        split = (f"{protocol['folds']}-fold stratified CV (shuffle seed {protocol['seed']})" if protocol["split"] == "kfold"
                 else f"{protocol['test_size']:.0%} {'stratified ' if protocol.get('stratify') else ''}test split "
                      f"(seed {protocol['seed']})")
        first = part.iloc[0]
        lines += [
            f"## {pname}: {split}, setup {protocol['setup']}",
            "",
            f"Labels {setup['labels']}, dropped {', '.join(setup.get('drop_columns') or []) or 'none'}, "
            f"deduplicate {bool(setup.get('deduplicate'))}, drop correlated above {setup.get('drop_correlated') or 'none'}, "
            f"scale {setup['scale']}, is_attack as a feature {bool(setup.get('is_attack_feature'))}; "
            f"{first['rows']} rows, {first['features']} features, about {first['test_rows']} test rows per run.",
            "",
            "| classifier | accuracy (ours) | accuracy (published) | macro F1 (ours) | macro F1 (published) | runs | converged |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name in dict.fromkeys(part["model"]):
            acc = part[(part["model"] == name) & (part["quantity"] == "accuracy")].iloc[0]
            f1 = part[(part["model"] == name) & (part["quantity"] == "f1_macro")].iloc[0]
            lines.append(f"| {name} | {_pm(acc)} | {_fig(acc['paper_value'])} | {_pm(f1)} | {_fig(f1['paper_value'])} | "
                         f"{int(acc['n_runs'])} | {'yes' if acc['converged'] else 'no'} |")
        lines.append("")
    return "\n".join(lines)


def _fig(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.4f}"


def _pm(row: pd.Series) -> str:
    return _fig(row["our_value"]) + ("" if not np.isfinite(row["our_sd"]) else f" +- {row['our_sd']:.4f}")
