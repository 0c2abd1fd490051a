"""NSL-KDD loader (Tavallaee et al. 2009): 41 features, attack name, difficulty level.

Files have no header: 43 comma-separated fields per row. The attack names map to the four
classes DoS, Probe, R2L, U2R by the published NSL-KDD mapping (``ATTACK_CLASS``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tinyids.datasets import validate as v
from tinyids.errors import DataError

FEATURES: tuple[str, ...] = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)
CATEGORICAL: tuple[str, ...] = ("protocol_type", "service", "flag")
NUMERIC: tuple[str, ...] = tuple(f for f in FEATURES if f not in CATEGORICAL)
COLUMNS: tuple[str, ...] = FEATURES + ("label", "difficulty")
CLASSES: tuple[str, ...] = ("normal", "DoS", "Probe", "R2L", "U2R")

# The published NSL-KDD attack taxonomy (KDD'99 names plus the KDDTest+ novel attacks).
ATTACK_CLASS: dict[str, str] = {
    "normal": "normal",
    **dict.fromkeys(
        ["back", "land", "neptune", "pod", "smurf", "teardrop", "apache2", "mailbomb", "processtable",
         "udpstorm", "worm"], "DoS"),
    **dict.fromkeys(["ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"], "Probe"),
    **dict.fromkeys(
        ["ftp_write", "guess_passwd", "imap", "multihop", "phf", "spy", "warezclient", "warezmaster",
         "named", "sendmail", "snmpgetattack", "snmpguess", "xlock", "xsnoop", "httptunnel"], "R2L"),
    **dict.fromkeys(["buffer_overflow", "loadmodule", "perl", "rootkit", "ps", "sqlattack", "xterm"], "U2R"),
}


def load(path: str | Path, nan_policy: str = "fail") -> pd.DataFrame:
    """Read and validate one NSL-KDD file (plain or .gz).

    Returns the 41 features (numeric as float64, categoricals as str), ``label`` (attack name),
    ``difficulty`` (int), ``attack_class`` and ``is_attack`` (0/1).
    """
    path = Path(path)
    text = v.read_csv_text(path, header=False)
    v.check_not_empty(text, path)
    if text.shape[1] != len(COLUMNS):
        raise DataError(f"{path}: {text.shape[1]} fields per row, expected {len(COLUMNS)} (41 features, label, difficulty)")
    text.columns = list(COLUMNS)
    short = text.isna().any(axis=1)
    if short.any():
        raise DataError(f"{path}: row(s) {v._rows(short[short].index, 0)} have fewer than {len(COLUMNS)} fields")
    frame = v.to_numeric_strict(text, NUMERIC + ("difficulty",), path, header_rows=0)
    frame, _ = v.apply_nan_policy(frame, NUMERIC, nan_policy, path, header_rows=0)
    for column in CATEGORICAL + ("label",):
        frame[column] = frame[column].astype(str).str.strip()
    v.check_labels(frame["label"], ATTACK_CLASS, path, "label", header_rows=0)
    difficulty = frame["difficulty"]
    if difficulty.isna().any() or not (difficulty % 1 == 0).all():
        bad = difficulty.isna() | (difficulty % 1 != 0)
        raise DataError(f"{path}: column 'difficulty' must hold integers (row(s) {v._rows(bad[bad].index, 0)})")
    frame["difficulty"] = difficulty.astype("int64")
    frame["attack_class"] = frame["label"].map(ATTACK_CLASS)
    frame["is_attack"] = (frame["label"] != "normal").astype("int64")
    return frame
