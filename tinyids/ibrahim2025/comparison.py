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
from tinyids.study import comparison
from tinyids.tables import MISSING, fmt, fmt_mean_sd

METRICS = ("accuracy", "precision", "recall", "f1")
PROTOCOLS = ("paper", "sound")
STUDY = "ibrahim2025"
COUNT_MEASURES = ("parameters", "nonzero_parameters")  # size measures that are counts, not bytes


def _models(model: str, all_models: Sequence[str]) -> list[str]:
    if model == "pruned":
        return [m for m in all_models if m.startswith("pruned_")]
    return [model] if model in all_models else []


def _runs(metrics: pd.DataFrame, protocol: str, model: str, column: str | None) -> pd.Series:
    """Our figure ``column`` of ``model`` under ``protocol``, one value per run (fold)."""
    sel = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == model)]
    if column is None or sel.empty or column not in sel:
        return pd.Series([], dtype=float)
    return pd.to_numeric(sel[column], errors="coerce")


def _ours(metrics: pd.DataFrame, protocol: str, model: str, column: str) -> float:
    return comparison.summary(_runs(metrics, protocol, model, column))[0]


def protocols_of(metrics: pd.DataFrame) -> list[str]:
    """The protocols of ``metrics``, the paper's first."""
    present = list(dict.fromkeys(metrics["protocol"]))
    return [p for p in PROTOCOLS if p in present] + [p for p in present if p not in PROTOCOLS]


ROBUST_NOTE = "ours, not the paper's model: the quantization-robust int8 variant (threshold chosen on validation rows)"


def robust_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per robust record (``<model>_robust_eval.json``): its int8 figures on the test rows
    under the metric names, beside ``protocol``, ``model``, ``source_model`` and ``run`` (the fold)."""
    rows = [{"protocol": r["protocol"], "model": r["model"], "source_model": r["source_model"], "run": r["fold"],
             **{k: r["metrics_int8"][k] for k in (*METRICS, "roc_auc")}} for r in records]
    return pd.DataFrame(rows, columns=["protocol", "model", "source_model", "run", *METRICS, "roc_auc"])


def comparison_table(metrics: pd.DataFrame, paper: Mapping[str, Any], robust: pd.DataFrame | None = None) -> pd.DataFrame:
    """ComparisonRows (:mod:`tinyids.study.comparison`), one per paper figure, model and protocol.

    ``table`` is where the paper states the figure (its ``cite``), ``citation`` the paper's
    citation with it; ours is the mean over the folds (``run``) of ``metrics.csv``. ``robust``
    (:func:`robust_frame`) adds, beside the figures of each robust variant's source model (Table 2
    for ``full``, Table 4 for a pruning variant; the AUC figures likewise), the variant's int8
    figures as rows of their own model, noted as ours. Extra column: ``note``.
    """
    all_models = list(dict.fromkeys(metrics["model"]))
    protocols = protocols_of(metrics)
    rows: list[dict[str, Any]] = []
    if robust is not None and not robust.empty:
        metrics = pd.concat([metrics, robust.drop(columns="source_model")], ignore_index=True)

    def add(source: str, quantity: str, unit: str, model: str, paper_value: Any, column: str | None,
            note: str = "") -> None:
        for protocol in protocols:
            if model and not ((metrics["protocol"] == protocol) & (metrics["model"] == model)).any():
                continue  # a protocol variant that does not train this model
            mean, sd, n = comparison.summary(_runs(metrics, protocol, model, column) if model else [])
            rows.append({
                "study": STUDY, "table": source, "quantity": quantity, "unit": unit, "protocol": protocol,
                "model": model or comparison.NO_MODEL, "paper_value": float(paper_value), "our_value": mean,
                "our_sd": sd, "n_runs": n, "citation": f"{paper['citation']}, {source}", "note": note,
            })

    def paper_figures(models_for, note: str = "", sizes: bool = True) -> None:
        """Tables 2 and 4 and the AUC figures for the models ``models_for(entry model)`` names."""
        for key in ("table2", "table4"):
            entry = paper.get(key)
            if not entry:
                continue
            for model in models_for(entry["model"]):
                for metric in METRICS:
                    if metric in entry:
                        add(entry["cite"], metric, "fraction", model, entry[metric], metric, note)
                if sizes and "size_bytes" in entry:
                    for measure, label in SIZE_MEASURES:
                        add(entry["cite"], f"size: {label}", "count" if measure in COUNT_MEASURES else "bytes", model,
                            entry["size_bytes"], measure, f"paper states {entry.get('size', entry['size_bytes'])}")
        for entry in paper.get("auc", []) or []:
            for model in models_for(entry["model"]):
                add(entry["cite"], "roc_auc", "fraction", model, entry["value"], "roc_auc", note)

    paper_figures(lambda m: _models(m, all_models))
    if robust is not None and not robust.empty:  # a robust variant has its source model's bytes: no size rows
        pairs = list(dict.fromkeys(zip(robust["model"], robust["source_model"])))
        paper_figures(lambda m: [name for name, source in pairs if source in _models(m, all_models)], ROBUST_NOTE,
                      sizes=False)
    conf = paper.get("confusion")
    if conf:
        for model in _models(conf["model"], all_models):
            for count in ("tp", "tn", "fp", "fn"):
                add(conf["cite"], count, "count", model, conf[count], count, "counts on each protocol's own test split")
            total = sum(int(conf[c]) for c in ("tp", "tn", "fp", "fn"))
            add(conf["cite"], "test attack share", "fraction", model, (conf["tp"] + conf["fn"]) / total, "attack_share",
                "0.5 = a balanced test set: SMOTE ran before the split")
            add(conf["cite"], "test rows", "count", model, total, "n_test",
                "rows of each protocol's test split (the paper's confusion matrix sums to this)")
    t5 = paper.get("table5")
    if t5:
        for entry in t5.get("rows", []):
            models = _models(entry["model"], all_models) if entry.get("model") else [""]
            for model in models:
                add(t5["cite"], f"accuracy ({entry['work']}, {entry['method']})", "fraction", model, entry["accuracy"],
                    "accuracy" if model else None,
                    f"size {entry['size']}" if entry.get("size") else "")
    return comparison.frame(rows, "ibrahim2025 paper comparison")


def test_set_lines(table: pd.DataFrame) -> list[str]:
    """Which protocol's test split has the paper's size and class balance (from the table's rows)."""
    sel = table[table["quantity"].isin(["test rows", "test attack share"]) & (table["model"] != comparison.NO_MODEL)]
    if sel.empty:
        return []
    ours = {(r.protocol, r.quantity): float(r.our_value) for r in sel.itertuples()}
    paper = {r.quantity: float(r.paper_value) for r in sel.itertuples()}
    protocols = list(dict.fromkeys(sel["protocol"]))
    rows_p, share_p = paper.get("test rows", float("nan")), paper.get("test attack share", float("nan"))
    lines = ["", "## Which protocol gives the paper's test set?", "",
             f"| protocol | test rows (paper {fmt(rows_p, 0)}) | test attack share (paper {fmt(share_p, 3)}) |",
             "|---|---|---|"]
    gaps = {}
    for protocol in protocols:
        n, share = ours.get((protocol, "test rows"), float("nan")), ours.get((protocol, "test attack share"), float("nan"))
        lines.append(f"| {protocol} | {fmt(n, 0)} | {fmt(share, 3)} |")
        gap = abs(n - rows_p) / rows_p + abs(share - share_p)
        if np.isfinite(gap):
            gaps[protocol] = gap
    if gaps:
        low = min(gaps.values())
        best = ", ".join(f"`{p}`" for p, g in gaps.items() if g <= low + 1e-3)
        lines += ["", f"Closest to the paper's test set (relative row gap plus attack-share gap): {best}."]
    return lines


def _ours_cell(row: Any) -> str:
    """Our mean; with several folds its sd and n beside it."""
    if row is None:
        return MISSING
    if row.n_runs > 1:
        return fmt_mean_sd(row.our_value, row.our_sd, row.n_runs, 4)
    return fmt(row.our_value, 4)


def markdown(table: pd.DataFrame, metrics: pd.DataFrame, paper: Mapping[str, Any], *, smoke: bool,
             statistics: pd.DataFrame | None = None) -> str:
    """The paper's layout: one line per figure and model, our value under each protocol beside it."""
    protocols = protocols_of(metrics)
    lines = [
        "# ibrahim2025: paper against reproduction",
        "",
        f"{paper['citation']}. Dataset: WUSTL-EHMS-2020 (Hady et al. 2020).",
        "",
    ]
    if smoke:
        lines += ["**Smoke run**: a small subsample and very few epochs; these figures test the pipeline, "
                  "they are not results.", ""]
    header = ["source", "quantity", "model", "paper", *[f"ours ({p} protocol)" for p in protocols], "note"]
    lines += [
        "Protocols: `paper` = MinMax scaling, SMOTE and PCA on all rows, then the split (the order the paper "
        "implies; its test set is balanced and holds SMOTE rows interpolated from training rows). "
        "`sound` = stratified split first; scaler, SMOTE and PCA fitted on training rows only; the test split "
        "keeps the natural class ratio. With several folds ours is the mean ± sd (n folds).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    main = table[~table["quantity"].str.startswith("size: ")]
    by_protocol = {(r.table, r.quantity, r.model, r.protocol): r for r in main.itertuples()}
    for source, quantity, model in dict.fromkeys(zip(main["table"], main["quantity"], main["model"])):
        first = next(by_protocol[(source, quantity, model, p)] for p in protocols if (source, quantity, model, p) in by_protocol)
        cells = [source, quantity, MISSING if model == comparison.NO_MODEL else model, fmt(first.paper_value, 4),
                 *[_ours_cell(by_protocol.get((source, quantity, model, p))) for p in protocols], fmt(first.note)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += test_set_lines(table)
    lines += ["", "## Which size can the paper's figures be?", "",
              "Every size measure of our models, in bytes (counts are not bytes; they are listed because "
              "a count of non-zero weights is one reading of \"84 KB\"). Formula (7)-(8) is Section 3.8.5.", "",
              "| measure | " + " | ".join(f"{p}/{m}" for p in protocols for m in dict.fromkeys(metrics['model'])) + " |",
              "|---|" + "---|" * (len(protocols) * metrics["model"].nunique())]
    for measure, label in SIZE_MEASURES:
        cells = [fmt(_ours(metrics, p, m, measure), 4) for p in protocols for m in dict.fromkeys(metrics["model"])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for key in ("table2", "table4"):
        entry = paper.get(key)
        if not entry or "size_bytes" not in entry:
            continue
        for model in _models(entry["model"], list(dict.fromkeys(metrics["model"]))):
            for protocol in protocols:
                sel = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == model)]
                if sel.empty:
                    continue
                row = sel.mean(numeric_only=True).to_dict()
                best, ratio = closest_measure(row, float(entry["size_bytes"]))
                label = dict(SIZE_MEASURES).get(best, best)
                lines.append(f"- {entry['cite']} states {entry.get('size')} for `{model}`; nearest of ours "
                             f"({protocol} protocol): {label} = {fmt(row.get(best), 4)} ({ratio:.2f} x).")
    if "int8_accuracy" in metrics:
        lines += ["", "## Full-integer (int8) models on the same test rows", "",
                  "| protocol | model | accuracy (Keras float) | accuracy (int8 .tflite) | int8 .tflite bytes | "
                  "int8 gzip bytes | host latency int8 (median us) |", "|---|---|---|---|---|---|---|"]
        for (protocol, model), sel in metrics.groupby(["protocol", "model"], sort=True):
            lines.append(
                f"| {protocol} | {model} | {fmt(sel['accuracy'].mean(), 4)} | {fmt(sel['int8_accuracy'].mean(), 4)} | "
                f"{fmt(sel['tflite_int8_bytes'].mean(), 4)} | {fmt(sel['tflite_int8_gzip_bytes'].mean(), 4)} | "
                f"{fmt(sel['latency_int8_median_us'].mean(), 1)} |"
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
