"""Our srm2025 figures beside the published ones.

- The thesis's Table 7.1 ("loss" = 1 - metric for accuracy, weighted precision, weighted recall
  and ROC AUC; the false positive rate as is), regenerated from our figures for every protocol and
  test set, beside the thesis's values.
- The Tavallaee et al. (2009) accuracies on KDDTest+ and KDDTest-21 beside our standard-protocol
  accuracies (their learners that have a counterpart among ours are matched; every one of ours is
  listed).
- The gap between the protocols (thesis holdout vs KDDTest+ / KDDTest-21), per model.

The published values and their citations come from the config ``srm2025.paper`` block.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tinyids.srm2025.names import DISPLAY_NAMES, in_order

LOSS_METRICS = ("accuracy", "precision_weighted", "recall_weighted", "fpr", "roc_auc")
LOSS_LABELS = {
    "accuracy": "Accuracy",
    "precision_weighted": "Precision",
    "recall_weighted": "Recall",
    "fpr": "False Positive Rate",
    "roc_auc": "ROC AUC Score",
}


def loss(metrics_row: pd.Series, metric: str) -> float:
    value = float(metrics_row[metric])
    return value if metric == "fpr" else 1.0 - value


def comparison_table(metrics: pd.DataFrame, paper: dict[str, Any]) -> pd.DataFrame:
    """Long table: comparison, protocol, test_set, model, metric, paper_value, ours, difference,
    paper_citation, train_file."""
    rows: list[dict[str, Any]] = []
    thesis = paper.get("thesis_table_7_1", {})
    losses = thesis.get("losses", {})
    for _, m in metrics.iterrows():
        for metric in LOSS_METRICS:
            published = losses.get(m["model"], {}).get(metric)
            ours = loss(m, metric)
            rows.append(
                {
                    "comparison": "thesis_table_7_1_loss",
                    "protocol": m["protocol"],
                    "test_set": m["test_set"],
                    "model": m["model"],
                    "paper_model": thesis.get("names", {}).get(m["model"], ""),
                    "metric": f"loss_{metric}" if metric != "fpr" else "fpr",
                    "paper_value": np.nan if published is None else float(published),
                    "ours": ours,
                    "difference": np.nan if published is None else ours - float(published),
                    "paper_citation": thesis.get("citation", ""),
                    "train_file": m["train_file"],
                }
            )
    tav = paper.get("tavallaee2009", {})
    counterpart = tav.get("counterparts", {})
    ours_by_key = {(r["test_set"], r["model"]): r for _, r in metrics[metrics["protocol"] == "standard"].iterrows()}
    for test_set, learners in tav.get("accuracy_percent", {}).items():
        matched = set()
        for learner, pct in learners.items():
            model = counterpart.get(learner, "")
            ours_row = ours_by_key.get((test_set, model))
            ours = float(ours_row["accuracy"]) if ours_row is not None else np.nan
            matched.add(model)
            rows.append(
                {
                    "comparison": "tavallaee2009_accuracy",
                    "protocol": "standard",
                    "test_set": test_set,
                    "model": model,
                    "paper_model": learner,
                    "metric": "accuracy",
                    "paper_value": float(pct) / 100.0,
                    "ours": ours,
                    "difference": ours - float(pct) / 100.0,
                    "paper_citation": tav.get("citation", ""),
                    "train_file": ours_row["train_file"] if ours_row is not None else "",
                }
            )
        for (ts, model), r in ours_by_key.items():
            if ts == test_set and model not in matched:
                rows.append(
                    {
                        "comparison": "tavallaee2009_accuracy",
                        "protocol": "standard",
                        "test_set": test_set,
                        "model": model,
                        "paper_model": "",
                        "metric": "accuracy",
                        "paper_value": np.nan,
                        "ours": float(r["accuracy"]),
                        "difference": np.nan,
                        "paper_citation": tav.get("citation", ""),
                        "train_file": r["train_file"],
                    }
                )
    return pd.DataFrame(rows)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _models_in_order(metrics: pd.DataFrame) -> list[str]:
    return in_order(metrics["model"])


def comparison_markdown(metrics: pd.DataFrame, table: pd.DataFrame, paper: dict[str, Any], smoke: bool = False) -> str:
    lines: list[str] = ["# srm2025: our figures beside the published ones", ""]
    if smoke:
        lines += ["> **Smoke run**: small stratified subsamples; these figures only show that the stage works.", ""]
    train_files = sorted(set(metrics["train_file"]))
    lines += [f"Training file: {', '.join(train_files)}. Protocols: `thesis` = stratified 80/20 split of the "
              "training file (test set `holdout`); `standard` = train on the training file, test on KDDTest+ and "
              "KDDTest-21.", ""]
    thesis = paper.get("thesis_table_7_1", {})
    losses = thesis.get("losses", {})
    combos = list(dict.fromkeys(zip(metrics["protocol"], metrics["test_set"])))
    lines += ["## Thesis Table 7.1: loss (1 - metric; FPR as is)", "", f"Published: {thesis.get('citation', '')}", ""]
    for metric in LOSS_METRICS:
        header = ["Model", "Thesis"] + [f"ours {p}/{t}" for p, t in combos]
        lines += [f"### {LOSS_LABELS[metric]}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model in _models_in_order(metrics):
            cells = [DISPLAY_NAMES.get(model, model), _fmt(losses.get(model, {}).get(metric), 2)]
            for p, t in combos:
                r = metrics[(metrics["protocol"] == p) & (metrics["test_set"] == t) & (metrics["model"] == model)]
                cells.append(_fmt(loss(r.iloc[0], metric)) if len(r) else "–")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    tav = paper.get("tavallaee2009", {})
    tav_rows = table[table["comparison"] == "tavallaee2009_accuracy"]
    lines += ["## Tavallaee et al. 2009 baselines (accuracy, standard protocol)", "", f"Published: {tav.get('citation', '')}",
              f"(their training file: {tav.get('train_file', 'see citation')})", ""]
    for test_set in tav.get("accuracy_percent", {}):
        lines += [f"### {test_set}", "", "| Published learner | Published accuracy | Our model | Our accuracy |", "|---|---|---|---|"]
        for _, r in tav_rows[tav_rows["test_set"] == test_set].iterrows():
            lines.append(
                f"| {r['paper_model'] or '–'} | {_fmt(r['paper_value'])} | {DISPLAY_NAMES.get(r['model'], r['model']) if r['model'] else '–'} | {_fmt(r['ours'])} |"
            )
        lines.append("")
    lines += ["## The gap between the protocols (accuracy)", "", "| Model | " + " | ".join(f"{p}/{t}" for p, t in combos) + " |",
              "|---|" + "---|" * len(combos)]
    for model in _models_in_order(metrics):
        cells = [DISPLAY_NAMES.get(model, model)]
        for p, t in combos:
            r = metrics[(metrics["protocol"] == p) & (metrics["test_set"] == t) & (metrics["model"] == model)]
            cells.append(_fmt(float(r.iloc[0]["accuracy"])) if len(r) else "–")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += protocol_gap_sentences(metrics)
    return "\n".join(lines)


def protocol_gap_sentences(metrics: pd.DataFrame) -> list[str]:
    """Measured accuracy drop from the thesis holdout to each standard test set, per model."""
    out = []
    holdout = metrics[metrics["protocol"] == "thesis"].set_index("model")["accuracy"]
    for test_set in ("KDDTest+", "KDDTest-21"):
        std = metrics[(metrics["protocol"] == "standard") & (metrics["test_set"] == test_set)].set_index("model")["accuracy"]
        common = holdout.index.intersection(std.index)
        if len(common) == 0:
            continue
        drop = holdout[common] - std[common]
        out.append(
            f"Accuracy drop from the thesis holdout to {test_set}: mean {drop.mean():.3f} "
            f"(smallest {drop.min():.3f} for {drop.idxmin()}, largest {drop.max():.3f} for {drop.idxmax()})."
        )
    return out + [""] if out else []
