"""Our srm2025 figures beside the published ones.

- The thesis's Table 7.1 ("loss" = 1 - metric for accuracy, weighted precision, weighted recall
  and ROC AUC; the false positive rate as is), regenerated from our figures for every protocol and
  test set, beside the thesis's values.
- The Tavallaee et al. (2009) accuracies on KDDTest+ and KDDTest-21 beside our standard-protocol
  accuracies (their learners that have a counterpart among ours are matched; every one of ours is
  listed).
- The gap between the protocols (thesis holdout vs KDDTest+ / KDDTest-21), per model.

The published values and their citations come from the config ``srm2025.paper`` block. The CSV
holds ComparisonRows (:mod:`tinyids.study.comparison`); their ``protocol`` is the protocol and its
test set, ``thesis/holdout`` or ``standard/KDDTest+`` (:func:`protocol_label`), ``table`` the config
block of the figure (``thesis_table_7_1_loss``, ``tavallaee2009_accuracy``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tinyids.srm2025.names import DISPLAY_NAMES, in_order
from tinyids.study import comparison
from tinyids.tables import MISSING, fmt

LOSS_METRICS = ("accuracy", "precision_weighted", "recall_weighted", "fpr", "roc_auc")
LOSS_LABELS = {
    "accuracy": "Accuracy",
    "precision_weighted": "Precision",
    "recall_weighted": "Recall",
    "fpr": "False Positive Rate",
    "roc_auc": "ROC AUC Score",
}


STUDY = "srm2025"
UNIT = "fraction"  # every srm2025 figure is a rate in [0, 1]


def loss(metrics_row: pd.Series, metric: str) -> float:
    value = float(metrics_row[metric])
    return value if metric == "fpr" else 1.0 - value


def protocol_label(protocol: str, test_set: str) -> str:
    """The ComparisonRow ``protocol`` of srm2025: the protocol and its test set, ``standard/KDDTest+``."""
    return f"{protocol}/{test_set}"


def _runs(metrics: pd.DataFrame) -> dict[tuple[str, str, str], pd.DataFrame]:
    """The metrics rows (one per run) of every (protocol, test set, model), in file order."""
    keys = list(dict.fromkeys(zip(metrics["protocol"], metrics["test_set"], metrics["model"])))
    return {k: metrics[(metrics["protocol"] == k[0]) & (metrics["test_set"] == k[1]) & (metrics["model"] == k[2])]
            for k in keys}


def _row(table: str, protocol: str, test_set: str, model: str, quantity: str, paper_value: Any,
         values: list[float], citation: str, paper_model: str, train_file: str) -> dict[str, Any]:
    mean, sd, n = comparison.summary(values)
    return {
        "study": STUDY, "table": table, "quantity": quantity, "unit": UNIT,
        "protocol": protocol_label(protocol, test_set), "model": model or comparison.NO_MODEL,
        "paper_value": np.nan if paper_value is None else float(paper_value),
        "our_value": mean, "our_sd": sd, "n_runs": n, "citation": citation,
        "paper_model": paper_model, "train_file": train_file,
    }


ENCODING_COLUMNS = ("protocol", "train_file", "test_set", "model", "encoding", "default", *LOSS_METRICS)


def read_encodings(paths) -> pd.DataFrame:
    """The protocols' ``encodings.csv`` (``tinyids.srm2025.study.encoding_comparison``) in one frame."""
    from tinyids.errors import DataError

    frames = []
    for path in paths:
        try:
            frame = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            continue
        except (OSError, pd.errors.ParserError) as exc:
            raise DataError(f"{path}: cannot read the srm2025 encoding comparison: {exc}") from exc
        missing = [c for c in ENCODING_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(f"{path}: encoding comparison lacks column(s) {', '.join(missing)}")
        frames.append(frame)
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(ENCODING_COLUMNS))


def encoding_moves(encodings: pd.DataFrame) -> pd.DataFrame:
    """Per (protocol, test set, model): the configured and the alternative encoding, and the
    largest change of a Table 7.1 figure (loss or FPR, mean over runs) between them."""
    out = []
    if encodings is None or encodings.empty:
        return pd.DataFrame(columns=["protocol", "test_set", "model", "default_encoding", "alternative", "max_change"])
    for (protocol, test_set, model), sel in encodings.groupby(["protocol", "test_set", "model"], sort=False):
        default = sel[sel["default"].astype(bool)]
        other = sel[~sel["default"].astype(bool)]
        if default.empty or other.empty:
            continue
        change = max(abs(float(other[m].mean()) - float(default[m].mean())) for m in LOSS_METRICS
                     if np.isfinite(float(other[m].mean())) and np.isfinite(float(default[m].mean())))
        out.append({"protocol": protocol, "test_set": test_set, "model": model,
                    "default_encoding": str(default["encoding"].iloc[0]), "alternative": str(other["encoding"].iloc[0]),
                    "max_change": change})
    return pd.DataFrame(out)


def _encoding_rows(encodings: pd.DataFrame, compare: dict[str, Any], thesis: dict[str, Any]) -> list[dict[str, Any]]:
    """ComparisonRows of table ``thesis_table_7_1_loss_<alternative>``: the alternative
    encoding's Table 7.1 figures for every model whose figure it moves by more than
    ``compare['report_above']`` (extra column ``encoding``)."""
    rows: list[dict[str, Any]] = []
    moves = encoding_moves(encodings)
    losses = thesis.get("losses", {})
    for move in moves.itertuples():
        if not move.max_change > float(compare["report_above"]):
            continue
        sel = encodings[(encodings["protocol"] == move.protocol) & (encodings["test_set"] == move.test_set)
                        & (encodings["model"] == move.model) & ~encodings["default"].astype(bool)]
        train_file = ",".join(sorted(set(sel["train_file"].astype(str))))
        for metric in LOSS_METRICS:
            values = [r[metric] if metric == "fpr" else 1.0 - r[metric] for _, r in sel.iterrows()]
            row = _row(f"thesis_table_7_1_loss_{compare['encoding']}", move.protocol, move.test_set, move.model,
                       f"loss_{metric}" if metric != "fpr" else "fpr", losses.get(move.model, {}).get(metric), values,
                       thesis["citation"], thesis.get("names", {}).get(move.model, ""), train_file)
            row["encoding"] = move.alternative
            rows.append(row)
    return rows


def comparison_table(metrics: pd.DataFrame, paper: dict[str, Any], encodings: pd.DataFrame | None = None,
                     compare: dict[str, Any] | None = None) -> pd.DataFrame:
    """ComparisonRows (:mod:`tinyids.study.comparison`): thesis Table 7.1 losses for every
    protocol, test set and model, then the Tavallaee et al. accuracies beside our standard-protocol
    counterparts. Extra columns: ``paper_model`` (the paper's name of the model), ``train_file``,
    ``encoding`` (rows of the alternative encoding, ``thesis_table_7_1_loss_<encoding>``, for
    the models it moves by more than ``compare['report_above']``) and ``note`` (the Tavallaee
    rows: the provenance of the published figures). Ours: the mean over the runs of
    ``metrics.csv`` (``run`` = seed)."""
    rows: list[dict[str, Any]] = []
    thesis = paper["thesis_table_7_1"]
    losses = thesis.get("losses", {})
    runs = _runs(metrics)
    for (protocol, test_set, model), sel in runs.items():
        train_file = ",".join(sorted(set(sel["train_file"].astype(str))))
        for metric in LOSS_METRICS:
            rows.append(_row("thesis_table_7_1_loss", protocol, test_set, model,
                             f"loss_{metric}" if metric != "fpr" else "fpr", losses.get(model, {}).get(metric),
                             [loss(r, metric) for _, r in sel.iterrows()], thesis["citation"],
                             thesis.get("names", {}).get(model, ""), train_file))
    if encodings is not None and compare is not None and compare["encoding"] is not None:
        rows += _encoding_rows(encodings, compare, thesis)
    tav = paper["tavallaee2009"]
    counterpart = tav.get("counterparts", {})
    first = len(rows)
    standard = {(t, m): sel for (p, t, m), sel in runs.items() if p == "standard"}
    for test_set, learners in tav.get("accuracy_percent", {}).items():
        matched = set()
        for learner, pct in learners.items():
            model = counterpart.get(learner, "")
            sel = standard.get((test_set, model))
            matched.add(model)
            rows.append(_row("tavallaee2009_accuracy", "standard", test_set, model, "accuracy", float(pct) / 100.0,
                             [] if sel is None else list(sel["accuracy"]), tav["citation"], learner,
                             "" if sel is None else ",".join(sorted(set(sel["train_file"].astype(str))))))
        for (ts, model), sel in standard.items():
            if ts == test_set and model not in matched:
                rows.append(_row("tavallaee2009_accuracy", "standard", test_set, model, "accuracy", None,
                                 list(sel["accuracy"]), tav["citation"], "",
                                 ",".join(sorted(set(sel["train_file"].astype(str))))))
    for row in rows[first:]:
        ours = row["train_file"] or "none"
        row["note"] = f"ours trained on {ours}; published trained on {tav['train_file']}: {tav['source_note']}"
    return comparison.frame(rows, "srm2025 paper comparison")


def _models_in_order(metrics: pd.DataFrame) -> list[str]:
    return in_order(metrics["model"])


def _mean_accuracy(metrics: pd.DataFrame) -> pd.Series:
    """Mean accuracy over the runs, indexed by (protocol, test set, model)."""
    return metrics.groupby(["protocol", "test_set", "model"], sort=False)["accuracy"].mean()


def comparison_markdown(metrics: pd.DataFrame, table: pd.DataFrame, paper: dict[str, Any], smoke: bool = False,
                        encodings: pd.DataFrame | None = None) -> str:
    lines: list[str] = ["# srm2025: our figures beside the published ones", ""]
    if smoke:
        lines += ["> **Smoke run**: small stratified subsamples; these figures only show that the stage works.", ""]
    train_files = sorted(set(metrics["train_file"]))
    runs = sorted(set(metrics["run"])) if "run" in metrics else []
    lines += [f"Training file: {', '.join(train_files)}. Protocols: `thesis` = stratified 80/20 split of the "
              "training file (test set `holdout`); `standard` = train on the training file, test on KDDTest+ and "
              "KDDTest-21." + (f" Ours: the mean over {len(runs)} run(s) (seeds {', '.join(map(str, runs))})." if runs else ""),
              ""]
    thesis = paper["thesis_table_7_1"]
    losses = thesis.get("losses", {})
    combos = list(dict.fromkeys(zip(metrics["protocol"], metrics["test_set"])))
    ours = {(r.protocol, r.model, r.quantity): r.our_value for r in table[table["table"] == "thesis_table_7_1_loss"].itertuples()}
    lines += ["## Thesis Table 7.1: loss (1 - metric; FPR as is)", "", f"Published: {thesis['citation']}", ""]
    for metric in LOSS_METRICS:
        quantity = f"loss_{metric}" if metric != "fpr" else "fpr"
        header = ["Model", "Thesis"] + [f"ours {p}/{t}" for p, t in combos]
        lines += [f"### {LOSS_LABELS[metric]}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model in _models_in_order(metrics):
            cells = [DISPLAY_NAMES.get(model, model), fmt(losses.get(model, {}).get(metric), 2)]
            cells += [fmt(ours.get((protocol_label(p, t), model, quantity)), 3) for p, t in combos]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += encoding_markdown(encodings, table)
    tav = paper["tavallaee2009"]
    tav_rows = table[table["table"] == "tavallaee2009_accuracy"]
    lines += ["## Tavallaee et al. 2009 baselines (accuracy, standard protocol)", "", f"Published: {tav['citation']}",
              "", f"Provenance: {tav['source_note']} Published learners trained on {tav['train_file']}; ours on "
              f"{', '.join(train_files)}.", ""]
    for test_set in tav.get("accuracy_percent", {}):
        lines += [f"### {test_set}", "", "| Published learner | Published accuracy | Our model | Our accuracy |", "|---|---|---|---|"]
        for _, r in tav_rows[tav_rows["protocol"] == protocol_label("standard", test_set)].iterrows():
            model = MISSING if r["model"] == comparison.NO_MODEL else DISPLAY_NAMES.get(r["model"], r["model"])
            lines.append(f"| {fmt(r['paper_model'])} | {fmt(r['paper_value'], 3)} | {model} | {fmt(r['our_value'], 3)} |")
        lines.append("")
    accuracy = _mean_accuracy(metrics)
    lines += ["## The gap between the protocols (accuracy)", "", "| Model | " + " | ".join(f"{p}/{t}" for p, t in combos) + " |",
              "|---|" + "---|" * len(combos)]
    for model in _models_in_order(metrics):
        cells = [DISPLAY_NAMES.get(model, model)] + [fmt(accuracy.get((p, t, model)), 3) for p, t in combos]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += protocol_gap_sentences(metrics)
    return "\n".join(lines)


def protocol_gap_sentences(metrics: pd.DataFrame) -> list[str]:
    """Measured accuracy drop (mean over the runs) from the thesis holdout to each standard test
    set, per model."""
    out = []
    accuracy = _mean_accuracy(metrics)
    holdout = accuracy[accuracy.index.get_level_values("protocol") == "thesis"].droplevel([0, 1])
    for test_set in ("KDDTest+", "KDDTest-21"):
        std = accuracy[(accuracy.index.get_level_values("protocol") == "standard")
                       & (accuracy.index.get_level_values("test_set") == test_set)].droplevel([0, 1])
        common = holdout.index.intersection(std.index)
        if len(common) == 0:
            continue
        drop = holdout[common] - std[common]
        out.append(
            f"Accuracy drop from the thesis holdout to {test_set}: mean {drop.mean():.3f} "
            f"(smallest {drop.min():.3f} for {drop.idxmin()}, largest {drop.max():.3f} for {drop.idxmax()})."
        )
    return out + [""] if out else []


def encoding_markdown(encodings: pd.DataFrame | None, table: pd.DataFrame) -> list[str]:
    """Label vs one-hot, measured: accuracy loss and the largest Table 7.1 change of every model
    the alternative encoding changes; the rows listed in the comparison CSV are marked."""
    moves = encoding_moves(encodings)
    if moves.empty:
        return []
    listed = {(r.protocol, r.model) for r in table[table["table"].str.startswith("thesis_table_7_1_loss_")].itertuples()}
    lines = ["## Categorical encoding: the configured one beside the alternative (measured)", "",
             "Loss of accuracy (1 - accuracy) under each encoding and the largest change of any Table 7.1 figure; "
             "`yes` = the alternative's figures are rows of `paper_comparison.csv` "
             "(table `thesis_table_7_1_loss_<encoding>`).", "",
             "| Model | Protocol | Encoding | Accuracy loss | Alternative | Accuracy loss | Largest change | Listed |",
             "|---|---|---|---|---|---|---|---|"]
    for move in moves.itertuples():
        sel = encodings[(encodings["protocol"] == move.protocol) & (encodings["test_set"] == move.test_set)
                        & (encodings["model"] == move.model)]
        mine = 1.0 - float(sel[sel["default"].astype(bool)]["accuracy"].mean())
        other = 1.0 - float(sel[~sel["default"].astype(bool)]["accuracy"].mean())
        shown = "yes" if (protocol_label(move.protocol, move.test_set), move.model) in listed else "no"
        lines.append(f"| {DISPLAY_NAMES.get(move.model, move.model)} | {move.protocol}/{move.test_set} | "
                     f"{move.default_encoding} | {fmt(mine, 3)} | {move.alternative} | {fmt(other, 3)} | "
                     f"{fmt(move.max_change, 3)} | {shown} |")
    return lines + [""]
