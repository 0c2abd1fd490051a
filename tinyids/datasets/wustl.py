"""WUSTL-EHMS-2020 loader (Hady et al. 2020): 35 network-flow and 8 biometric fields, labels.

The file has a header row. ``Dir`` and ``Flgs`` are padded strings in the published file; they
are stripped. Addresses, MACs and ports are kept here: the study decides what to drop.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tinyids.datasets import validate as v

NETWORK: tuple[str, ...] = (
    "Dir", "Flgs", "SrcAddr", "DstAddr", "Sport", "Dport", "SrcBytes", "DstBytes", "SrcLoad",
    "DstLoad", "SrcGap", "DstGap", "SIntPkt", "DIntPkt", "SIntPktAct", "DIntPktAct", "SrcJitter",
    "DstJitter", "sMaxPktSz", "dMaxPktSz", "sMinPktSz", "dMinPktSz", "Dur", "Trans", "TotPkts",
    "TotBytes", "Load", "Loss", "pLoss", "pSrcLoss", "pDstLoss", "Rate", "SrcMac", "DstMac",
    "Packet_num",
)
BIOMETRIC: tuple[str, ...] = ("Temp", "SpO2", "Pulse_Rate", "SYS", "DIA", "Heart_rate", "Resp_Rate", "ST")
COLUMNS: tuple[str, ...] = NETWORK + BIOMETRIC + ("Attack Category", "Label")
# Ports are text: argus wrote service names for a few of them (e.g. Sport 'dircproxy' at data
# rows 7925, 8414, 10635 of the published file). They identify hosts; studies drop them.
TEXT: tuple[str, ...] = ("Dir", "Flgs", "SrcAddr", "DstAddr", "Sport", "Dport", "SrcMac", "DstMac")
NUMERIC: tuple[str, ...] = tuple(c for c in NETWORK + BIOMETRIC if c not in TEXT)
CATEGORIES: tuple[str, ...] = ("normal", "Spoofing", "Data Alteration")
HEADER_ROWS = 1


def load(path: str | Path, nan_policy: str = "fail") -> pd.DataFrame:
    path = Path(path)
    text = v.read_csv_text(path, header=True)
    v.check_not_empty(text, path)
    v.check_columns(text, COLUMNS, path)
    frame = v.to_numeric_strict(text, NUMERIC + ("Label",), path, header_rows=HEADER_ROWS)
    frame, _ = v.apply_nan_policy(frame, NUMERIC, nan_policy, path, header_rows=HEADER_ROWS)
    for column in TEXT + ("Attack Category",):
        frame[column] = frame[column].astype(str).str.strip()
    v.check_labels(frame["Attack Category"], CATEGORIES, path, "Attack Category", HEADER_ROWS)
    labels = frame["Label"]
    v.check_labels(labels.astype("float64"), (0.0, 1.0), path, "Label", HEADER_ROWS)
    frame["Label"] = labels.astype("int64")
    inconsistent = (frame["Label"] == 1) != (frame["Attack Category"] != "normal")
    if inconsistent.any():
        from tinyids.errors import DataError

        raise DataError(
            f"{path}: 'Label' disagrees with 'Attack Category' at row(s) {v._rows(inconsistent[inconsistent].index, HEADER_ROWS)}"
        )
    return frame
