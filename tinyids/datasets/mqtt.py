"""MQTT-IoT-IDS2020 uniflow loader (Hindy et al. 2020), original files or testbed-regenerated.

One CSV per class with a header: 18 uniflow features and ``is_attack``. The class comes from
the file (``uniflow_<class>.csv``): flagged rows (``is_attack`` = 1) take the file's class, the rest are
``normal`` background traffic. The same loader reads the original files and the testbed's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from tinyids.datasets import validate as v
from tinyids.errors import DataError

FEATURES: tuple[str, ...] = (
    "ip_src", "ip_dst", "prt_src", "prt_dst", "proto", "num_pkts", "mean_iat", "std_iat",
    "min_iat", "max_iat", "mean_pkt_len", "num_bytes", "num_psh_flags", "num_rst_flags",
    "num_urg_flags", "std_pkt_len", "min_pkt_len", "max_pkt_len",
)
COLUMNS: tuple[str, ...] = FEATURES + ("is_attack",)
TEXT: tuple[str, ...] = ("ip_src", "ip_dst")
NUMERIC: tuple[str, ...] = tuple(f for f in FEATURES if f not in TEXT)
CLASSES: tuple[str, ...] = ("normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce")
HEADER_ROWS = 1


def load_class_file(path: str | Path, cls: str, nan_policy: str = "fail") -> pd.DataFrame:
    path = Path(path)
    if cls not in CLASSES:
        raise DataError(f"{path}: unknown class '{cls}' (expected one of {', '.join(CLASSES)})")
    text = v.read_csv_text(path, header=True)
    v.check_not_empty(text, path)
    v.check_columns(text, COLUMNS, path)
    frame = v.to_numeric_strict(text, NUMERIC + ("is_attack",), path, header_rows=HEADER_ROWS)
    frame, _ = v.apply_nan_policy(frame, NUMERIC, nan_policy, path, header_rows=HEADER_ROWS)
    for column in TEXT:
        frame[column] = frame[column].astype(str).str.strip()
    # Attack captures also hold the sensors' background traffic, flagged is_attack = 0 by the
    # dataset authors: those rows are class "normal", the flagged ones take the file's class.
    allowed = (0.0,) if cls == "normal" else (0.0, 1.0)
    v.check_labels(frame["is_attack"], allowed, path, "is_attack", HEADER_ROWS)
    frame["is_attack"] = frame["is_attack"].astype("int64")
    frame["label"] = frame["is_attack"].map({0: "normal", 1: cls})
    frame["capture"] = cls
    return frame


def load(paths_by_class: Mapping[str, str | Path], source: str, nan_policy: str = "fail") -> pd.DataFrame:
    """Concatenate the five class files; ``source`` is ``original`` or ``testbed``."""
    missing = [c for c in CLASSES if c not in paths_by_class]
    if missing:
        raise DataError(f"MQTT uniflow data lacks the class file(s): {', '.join(missing)}")
    frames = [load_class_file(paths_by_class[c], c, nan_policy) for c in CLASSES]
    frame = pd.concat(frames, ignore_index=True)
    frame["source"] = source
    return frame
