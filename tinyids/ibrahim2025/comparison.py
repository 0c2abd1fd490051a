"""The paper's Tables 2, 4 and 5 (and Figures 4-6) beside our figures, for both protocols.

Every paper figure comes from the config ``ibrahim2025.paper`` block with its citation. A
``model: pruned`` entry is compared with every pruning variant. With ``cv_folds > 1`` our
figure is the mean over folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tinyids.ibrahim2025.sizes import SIZE_MEASURES, closest_measure

METRICS = ("accuracy", "precision", "recall", "f1")
PROTOCOLS = ("paper", "sound")


def _models(model: str, all_models: Sequence[str]) -> list[str]:
    if model == "pruned":
        return [m for m in all_models if m.startswith("pruned_")]
    return [model] if model in all_models else []


def _ours(metrics: pd.DataFrame, protocol: str, model: str, column: str) -> float:
    sel = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == model)]
    if sel.empty or column not in sel:
        return float("nan")
    return float(pd.to_numeric(sel[column], errors="coerce").mean())


def comparison_table(metrics: pd.DataFrame, paper: Mapping[str, Any]) -> pd.DataFrame:
    """Long table: source (citation), quantity, model, paper value, ours per protocol."""
    all_models = list(dict.fromkeys(metrics["model"]))
    rows: list[dict[str, Any]] = []

    def add(source: str, quantity: str, model: str, paper_value: Any, column: str | None, note: str = "") -> None:
        row = {"source": source, "quantity": quantity, "model": model, "paper": paper_value}
        for protocol in PROTOCOLS:
            row[f"ours_{protocol}_protocol"] = _ours(metrics, protocol, model, column) if column else float("nan")
        row["note"] = note
        rows.append(row)

    for key in ("table2", "table4"):
        entry = paper.get(key)
        if not entry:
            continue
        for model in _models(entry["model"], all_models):
            for metric in METRICS:
                if metric in entry:
                    add(entry["cite"], metric, model, entry[metric], metric)
            if "size_bytes" in entry:
                for measure, label in SIZE_MEASURES:
                    add(entry["cite"], f"size: {label}", model, entry["size_bytes"], measure,
                        f"paper states {entry.get('size', entry['size_bytes'])}")
    for entry in paper.get("auc", []) or []:
        for model in _models(entry["model"], all_models):
            add(entry["cite"], "roc_auc", model, entry["value"], "roc_auc")
    conf = paper.get("confusion")
    if conf:
        for model in _models(conf["model"], all_models):
            for count in ("tp", "tn", "fp", "fn"):
                add(conf["cite"], count, model, conf[count], count, "counts on each protocol's own test split")
            total = sum(int(conf[c]) for c in ("tp", "tn", "fp", "fn"))
            add(conf["cite"], "test attack share", model, (conf["tp"] + conf["fn"]) / total, "attack_share",
                "0.5 = a balanced test set: SMOTE ran before the split")
    t5 = paper.get("table5")
    if t5:
        for entry in t5.get("rows", []):
            models = _models(entry["model"], all_models) if entry.get("model") else [""]
            for model in models:
                add(t5["cite"], f"accuracy ({entry['work']}, {entry['method']})", model, entry["accuracy"],
                    "accuracy" if model else None,
                    f"size {entry['size']}" if entry.get("size") else "")
    return pd.DataFrame(rows)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (int, np.integer)) or float(value).is_integer() and abs(float(value)) >= 2:
        return f"{int(value):,}"
    return f"{float(value):.4f}"


def markdown(table: pd.DataFrame, metrics: pd.DataFrame, paper: Mapping[str, Any], *, smoke: bool,
             statistics: pd.DataFrame | None = None) -> str:
    lines = [
        "# ibrahim2025: paper against reproduction",
        "",
        "Ibrahim, Fagge, Mabu: *A lightweight deep learning model for intrusion detection in IoMT devices "
        "using weight pruning technique*. Dataset: WUSTL-EHMS-2020 (Hady et al. 2020).",
        "",
    ]
    if smoke:
        lines += ["**Smoke run**: a small subsample and very few epochs; these figures test the pipeline, "
                  "they are not results.", ""]
    lines += [
        "Protocols: `paper` = MinMax scaling, SMOTE and PCA on all rows, then the split (the order the paper "
        "implies; its test set is balanced and holds SMOTE rows interpolated from training rows). "
        "`sound` = stratified split first; scaler, SMOTE and PCA fitted on training rows only; the test split "
        "keeps the natural class ratio.",
        "",
        "| source | quantity | model | paper | ours (paper protocol) | ours (sound protocol) | note |",
        "|---|---|---|---|---|---|---|",
    ]
    main = table[~table["quantity"].str.startswith("size: ")]
    for _, r in main.iterrows():
        lines.append(
            f"| {r['source']} | {r['quantity']} | {r['model'] or '-'} | {_fmt(r['paper'])} | "
            f"{_fmt(r['ours_paper_protocol'])} | {_fmt(r['ours_sound_protocol'])} | {r['note']} |"
        )
    lines += ["", "## Which size can the paper's figures be?", "",
              "Every size measure of our models, in bytes (counts are not bytes; they are listed because "
              "a count of non-zero weights is one reading of \"84 KB\"). Formula (7)-(8) is Section 3.8.5.", "",
              "| measure | " + " | ".join(f"{p}/{m}" for p in PROTOCOLS for m in dict.fromkeys(metrics['model'])) + " |",
              "|---|" + "---|" * (len(PROTOCOLS) * metrics["model"].nunique())]
    for measure, label in SIZE_MEASURES:
        cells = [_fmt(_ours(metrics, p, m, measure)) for p in PROTOCOLS for m in dict.fromkeys(metrics["model"])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for key in ("table2", "table4"):
        entry = paper.get(key)
        if not entry or "size_bytes" not in entry:
            continue
        for model in _models(entry["model"], list(dict.fromkeys(metrics["model"]))):
            for protocol in PROTOCOLS:
                sel = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == model)]
                if sel.empty:
                    continue
                row = sel.mean(numeric_only=True).to_dict()
                best, ratio = closest_measure(row, float(entry["size_bytes"]))
                label = dict(SIZE_MEASURES).get(best, best)
                lines.append(f"- {entry['cite']} states {entry.get('size')} for `{model}`; nearest of ours "
                             f"({protocol} protocol): {label} = {_fmt(row.get(best))} ({ratio:.2f} x).")
    if "int8_accuracy" in metrics:
        lines += ["", "## Full-integer (int8) models on the same test rows", "",
                  "| protocol | model | accuracy (Keras float) | accuracy (int8 .tflite) | int8 .tflite bytes | "
                  "int8 gzip bytes | host latency int8 (median us) |", "|---|---|---|---|---|---|---|"]
        for (protocol, model), sel in metrics.groupby(["protocol", "model"], sort=True):
            lines.append(
                f"| {protocol} | {model} | {_fmt(sel['accuracy'].mean())} | {_fmt(sel['int8_accuracy'].mean())} | "
                f"{_fmt(sel['tflite_int8_bytes'].mean())} | {_fmt(sel['tflite_int8_gzip_bytes'].mean())} | "
                f"{sel['latency_int8_median_us'].mean():.1f} |"
            )
    if statistics is not None and not statistics.empty:
        lines += ["", "## Full against pruned (the paper: \"a paired t-test confirmed that the difference was "
                  "not statistically significant\", Section 4.3)", "",
                  "| protocol | fold | pruned model | accuracy full | accuracy pruned | McNemar b / c | "
                  "McNemar exact p | bootstrap CI of difference |", "|---|---|---|---|---|---|---|---|"]
        for _, r in statistics.iterrows():
            lines.append(
                f"| {r['protocol']} | {r['fold']} | {r['model_b']} | {r['accuracy_a']:.4f} | {r['accuracy_b']:.4f} | "
                f"{r['only_a_correct']} / {r['only_b_correct']} | {r['p_value']:.3g} | "
                f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] |"
            )
    ds = paper.get("dataset")
    if ds:
        lines += ["", f"Dataset as the paper describes it ({ds['cite']}): {ds['records']:,} records, "
                  f"{ds['normal']:,} normal, {ds['attack']:,} attacks, {ds['features']} features. The published file "
                  "has 16,318 rows (14,272 normal, 2,046 attacks) and 43 feature columns plus two label columns."]
    return "\n".join(lines) + "\n"
