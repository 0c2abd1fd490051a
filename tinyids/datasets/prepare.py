"""Turn acquired dataset files into validated tables and a dataset card.

This is the one step between raw files and the studies: loaders validate, the card records
what was measured beside what was published, and the studies read the typed tables only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.datasets import mqtt, nslkdd, wustl
from tinyids.datasets.card import build_card, row_check, table_summary
from tinyids.datasets.download import sha256_of
from tinyids.errors import ConfigError

log = logging.getLogger(__name__)


def prepare(
    dataset: str,
    files: Mapping[str, Path],
    manifest: Mapping[str, Any],
    nan_policy: str = "fail",
    source: str | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Load and validate ``files`` (file name -> path) of ``dataset``.

    Returns the tables by output stem and the dataset card (a JSON-ready dict).
    """
    entry = manifest[dataset]
    loader = entry.get("loader")
    tables: dict[str, pd.DataFrame] = {}
    infos: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    if loader == "nslkdd":
        for name, path in files.items():
            log.info("validating %s", path)
            frame = nslkdd.load(path, nan_policy)
            tables[Path(name).stem] = frame
            infos[name] = _info(frame, "attack_class", nslkdd.FEATURES, path, entry["files"].get(name, {}))
            infos[name]["binary_counts"] = {
                "normal": int((frame["is_attack"] == 0).sum()),
                "attack": int((frame["is_attack"] == 1).sum()),
            }
            infos[name]["label_counts"] = {str(k): int(v) for k, v in frame["label"].value_counts().sort_index().items()}
        if "KDDTrain+.txt" not in files:
            notes.append(
                "KDDTrain+ (125,973 rows) is absent: the studies train on KDDTrain+_20Percent (25,192 rows), "
                "the training set of the Tavallaee et al. 2009 baselines. Place KDDTrain+.txt in "
                "resources/data/nsl-kdd/ (or set datasets.nslkdd.train_file: KDDTrain+) to use it."
            )
    elif loader == "wustl":
        for name, path in files.items():
            log.info("validating %s", path)
            frame = wustl.load(path, nan_policy)
            tables["wustl-ehms-2020"] = frame
            infos[name] = _info(frame, "Attack Category", wustl.NETWORK + wustl.BIOMETRIC, path, entry["files"].get(name, {}))
            infos[name]["binary_counts"] = {
                "normal": int((frame["Label"] == 0).sum()),
                "attack": int((frame["Label"] == 1).sum()),
            }
        notes.append(
            "The ibrahim study text describes 12,000 records (11,000 normal, 1,000 attacks); "
            "the published file measured here differs (see the rows above)."
        )
    elif loader == "mqtt":
        if source not in ("original", "testbed"):
            raise ConfigError(f"datasets.mqtt.source: expected original or testbed, got {source!r}")
        by_class = {Path(name).stem.removeprefix("uniflow_"): Path(p) for name, p in files.items()}
        frame = mqtt.load(by_class, source, nan_policy)
        tables["uniflow"] = frame
        for name, path in files.items():
            part = frame[frame["capture"] == Path(name).stem.removeprefix("uniflow_")]
            infos[name] = _info(part, "label", mqtt.FEATURES, Path(path), entry["files"].get(name, {}))
        notes.append(f"source: {source}" + (
            " (regenerated from real traffic captured in the tinyids MQTT testbed; see results/mqtt_testbed/card.md)"
            if source == "testbed" else " (the published uniflow CSVs)"))
    else:
        raise ConfigError(f"dataset manifest: '{dataset}' has unknown loader {loader!r}")
    card = build_card(dataset, entry.get("title", dataset), entry.get("citation", ""), infos, notes)
    return tables, card


def _info(frame: pd.DataFrame, class_column: str, features, path: Path, spec: Mapping[str, Any]) -> dict[str, Any]:
    info = table_summary(frame, class_column, features)
    info["sha256"] = sha256_of(Path(path))
    info["published"] = dict(spec.get("published", {}))
    info["row_check"] = row_check(info["rows"], info["published"].get("rows"))
    info["origin"] = str(path)
    return info
