"""The first screen of the report: per study, the paper's headline figures beside ours.

Which scorecard rows are a study's headline is config (``report.summary.<study>.headline``): each
entry selects exactly one scorecard row by ``table``, ``quantity``, ``protocol`` and ``model``
(the keys it gives). Where ours and the paper's differ, the one-line reason is measured, never
typed: the scorecard's own ``reason`` (the gap against the tolerance) followed by the rows the entry
names in ``beside`` (the same selector with some keys replaced, e.g. another protocol of the same
model), each with our figure and its verdict. Protocol descriptions come from
``report.summary.<study>.protocols``. Nothing here knows a study by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tinyids.errors import ConfigError
from tinyids.tables import fmt, fmt_mean_sd

SELECTOR_KEYS = ("table", "quantity", "protocol", "model")
COLUMNS = ("study", "title", "figure", "table", "quantity", "unit", "protocol", "model", "paper_value", "our_value",
           "our_sd", "n_runs", "verdict", "reason")


def select(scorecard: pd.DataFrame, selector: Mapping[str, Any]) -> pd.DataFrame:
    mask = pd.Series(True, index=scorecard.index)
    for key in SELECTOR_KEYS:
        if key in selector:
            mask &= scorecard[key].astype(str) == str(selector[key])
    return scorecard[mask]


def _ours(row: Any) -> str:
    return fmt_mean_sd(row.our_value, row.our_sd, row.n_runs)


def _beside(scorecard: pd.DataFrame, study: str, selector: Mapping[str, Any], over: Mapping[str, Any]) -> str:
    sel = {**selector, **{k: v for k, v in over.items() if k in SELECTOR_KEYS}}
    rows = select(scorecard[scorecard["study"] == study], sel)
    label = over.get("label") or ", ".join(f"{k} {over[k]}" for k in SELECTOR_KEYS if k in over)
    if rows.empty:
        return f"{label}: not in this run"
    r = next(rows.itertuples())
    return f"{label}: ours {_ours(r)} against {fmt(r.paper_value)}, {r.verdict}"


def headlines(scorecard: pd.DataFrame, summary: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per headline entry of every study that has rows in ``scorecard`` (in the
    scorecard's study order). A study with rows but no ``report.summary`` entry gets one row
    saying so; an entry that selects no row or several is a :class:`ConfigError` naming it."""
    out = []
    for study in study_order(scorecard, summary):
        cfg = summary.get(study)
        if cfg is None:
            out.append({"study": study, "title": study, "figure": "(no headline configured)", "verdict": "",
                        "reason": f"report.summary.{study} is not set: the full scorecard below has its rows"})
            continue
        rows = scorecard[scorecard["study"] == study]
        for i, entry in enumerate(cfg["headline"]):
            key = f"report.summary.{study}.headline[{i}]"
            selector = {k: entry[k] for k in SELECTOR_KEYS if k in entry}
            found = select(rows, selector)
            if len(found) != 1:
                raise ConfigError(f"{key}: selects {len(found)} scorecard rows of {study} ({selector}); it must select one")
            r = next(found.itertuples())
            reason = ""
            if r.verdict != "reproduced":
                parts = [str(r.reason)] + [_beside(scorecard, study, selector, over) for over in entry.get("beside", [])]
                reason = "; ".join(parts)
            out.append({"study": study, "title": cfg["title"], "figure": entry["label"], "table": r.table,
                        "quantity": r.quantity, "unit": r.unit, "protocol": r.protocol, "model": r.model,
                        "paper_value": r.paper_value, "our_value": r.our_value, "our_sd": r.our_sd,
                        "n_runs": r.n_runs, "verdict": r.verdict, "reason": reason})
    return pd.DataFrame(out, columns=list(COLUMNS))


def study_order(scorecard: pd.DataFrame, summary: Mapping[str, Any]) -> list[str]:
    """The scorecard's studies, those of ``report.summary`` first in its order, then the others."""
    present = list(dict.fromkeys(scorecard["study"].astype(str)))
    return [s for s in summary if s in present] + [s for s in present if s not in summary]


def protocol_description(summary: Mapping[str, Mapping[str, Any]], study: str, protocol: str) -> str | None:
    """``report.summary.<study>.protocols``: the protocol's own key (``standard/KDDTest+``), else
    the part before its first ``/`` (``standard``): a protocol and the test set it is scored on."""
    described = (summary.get(study) or {}).get("protocols", {})
    return described.get(protocol, described.get(str(protocol).split("/", 1)[0]))
