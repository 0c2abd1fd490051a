"""Scorecard verdicts and the Pareto front on hand-made comparisons with known answers."""

from __future__ import annotations

import math

import pandas as pd

from tinyids.report.pareto import pareto_front
from tinyids.report.scorecard import build_scorecard, verdict

TOL = {"default": 0.01, "size": 0.10}


def test_accuracy_within_absolute_tolerance_is_reproduced():
    assert verdict("accuracy", 0.98, 0.975, TOL)["verdict"] == "reproduced"
    assert verdict("accuracy", 0.98, 0.995, TOL)["verdict"] == "better"
    assert verdict("accuracy", 0.98, 0.90, TOL)["verdict"] == "worse"


def test_sizes_compare_relatively_and_smaller_is_better():
    assert verdict("size_kb", 84.0, 88.0, TOL)["verdict"] == "reproduced"  # 4.8 % gap
    assert verdict("size_kb", 84.0, 40.0, TOL)["verdict"] == "better"
    assert verdict("parameters", 645, 1200, TOL)["verdict"] == "worse"


def test_missing_values_are_not_comparable_with_a_reason():
    result = verdict("accuracy", 0.98, float("nan"), TOL)
    assert result["verdict"] == "not comparable" and result["reason"] == "not measured in this run"
    assert math.isnan(result["difference"])


def test_scorecard_keeps_every_row_and_adds_verdicts():
    frame = pd.DataFrame({
        "study": ["a", "b"], "table": ["T2", "T4"], "quantity": ["accuracy", "size_kb"], "protocol": ["p", "p"],
        "paper_value": [0.9, 84], "our_value": [0.9, 200], "citation": ["x", "y"],
    })
    card = build_scorecard([frame], TOL)
    assert list(card["verdict"]) == ["reproduced", "worse"]
    assert card.loc[1, "difference"] == 116


def test_pareto_front_keeps_only_undominated_points():
    points = pd.DataFrame({"size_bytes": [100, 200, 300, 150], "accuracy": [0.90, 0.95, 0.94, 0.89]})
    assert list(pareto_front(points)) == [True, True, False, False]
