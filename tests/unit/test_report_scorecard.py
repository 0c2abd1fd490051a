"""Scorecard verdicts on hand-made ComparisonRows with known answers, the scorecard read straight
from comparison files (any study, no adapter), its md and HTML showing sd and n, and the Pareto
front of MetricsRow files."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tinyids.errors import DataError
from tinyids.report.html import render_index
from tinyids.report.pareto import collect_points, pareto_front
from tinyids.report.scorecard import OUTPUT_COLUMNS, build_scorecard, read_comparisons, scorecard_markdown, verdict
from tinyids.study import comparison, metrics
from tinyids.tables import MISSING

TOL = {"default": 0.01, "size": 0.10}


def _row(**over):
    row = dict(study="toy", table="Table 1", quantity="accuracy", unit="fraction", protocol="sound", model="m",
               paper_value=0.9, our_value=0.9, our_sd=0.004, n_runs=3, citation="Doe et al. 2020, Table 1")
    row.update(over)
    return row


def test_accuracy_within_absolute_tolerance_is_reproduced():
    assert verdict("accuracy", 0.98, 0.975, TOL)["verdict"] == "reproduced"
    assert verdict("accuracy", 0.98, 0.995, TOL)["verdict"] == "better"
    assert verdict("accuracy", 0.98, 0.90, TOL)["verdict"] == "worse"


def test_sizes_compare_relatively_and_smaller_is_better():
    assert verdict("size_kb", 84.0, 88.0, TOL)["verdict"] == "reproduced"  # 4.8 % gap
    assert verdict("size_kb", 84.0, 40.0, TOL)["verdict"] == "better"
    assert verdict("parameters", 645, 1200, TOL)["verdict"] == "worse"


def test_percentages_are_compared_as_rates_by_quantity_name_or_unit():
    # 5 % against 4.5 %: 0.005 apart as rates (within 0.01); 10 % apart if read as counts
    assert verdict("accuracy_percent", 5.0, 4.5, TOL)["verdict"] == "reproduced"
    assert verdict("accuracy", 5.0, 4.5, TOL, unit="%")["verdict"] == "reproduced"
    assert verdict("accuracy", 5.0, 4.5, TOL)["verdict"] == "worse"


def test_missing_values_are_not_comparable_with_a_reason():
    result = verdict("accuracy", 0.98, float("nan"), TOL)
    assert result["verdict"] == "not comparable" and result["reason"] == "not measured in this run"
    assert math.isnan(result["difference"])


def test_scorecard_keeps_every_row_and_adds_verdicts():
    frame = pd.DataFrame([_row(), _row(study="b", table="T4", quantity="size_kb", unit="KB", paper_value=84,
                                       our_value=200, n_runs=1, our_sd=float("nan"))])
    card = build_scorecard([frame], TOL)
    assert tuple(card.columns) == OUTPUT_COLUMNS
    assert list(card["verdict"]) == ["reproduced", "worse"]
    assert card.loc[1, "difference"] == 116


def test_scorecard_reads_the_comparison_files_of_any_study_directly(tmp_path):
    # two studies the report has never heard of: no adapter, no per-study code
    a = comparison.write([_row(study="alpha"), _row(study="alpha", model="n", our_value=0.7)], tmp_path / "a.csv")
    b = comparison.write([_row(study="beta", quantity="model size", unit="bytes", paper_value=1000,
                               our_value=1050, extra="kept")], tmp_path / "b.csv")
    card = build_scorecard(read_comparisons([tmp_path / "a.csv", tmp_path / "b.csv"]), TOL)
    assert list(card["study"]) == ["alpha", "alpha", "beta"] and len(card) == len(a) + len(b)
    assert list(card["verdict"]) == ["reproduced", "worse", "reproduced"]


def test_a_malformed_comparison_file_is_an_error_naming_file_row_and_column(tmp_path):
    path = tmp_path / "paper_comparison.csv"
    pd.DataFrame([_row(), _row(n_runs=1.5)]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"paper_comparison\.csv: row 3, column n_runs: 1\.5"):
        read_comparisons([path])
    pd.DataFrame([_row()]).drop(columns=["our_sd"]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"paper_comparison\.csv: paper comparison lacks column\(s\) our_sd"):
        read_comparisons([path])
    pd.DataFrame([_row(), _row(), _row(model=" ")]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"paper_comparison\.csv: row 4, column model is empty"):
        read_comparisons([path])


def test_scorecard_markdown_and_html_show_sd_and_n_beside_our_value():
    card = build_scorecard([pd.DataFrame([_row(our_value=0.8912, our_sd=0.0123, n_runs=5),
                                          _row(model="single", our_value=0.85, our_sd=float("nan"), n_runs=1)])], TOL)
    md = scorecard_markdown(card, smoke=True)
    assert "| paper | ours | sd | n |" in md
    assert "| 0.9 | 0.8912 | 0.0123 | 5 |" in md
    assert f"| 0.9 | 0.85 | {MISSING} | 1 |" in md
    assert "Smoke run" in md and "- Doe et al. 2020, Table 1" in md
    page = render_index("t", card, images=[])
    assert "<th>sd</th><th>n</th>" in page and "<td>0.8912</td><td>0.0123</td><td>5</td>" in page


def test_pareto_points_come_from_metrics_files_and_keep_the_undominated(tmp_path):
    rows = [dict(zip(metrics.COLUMNS, ["toy", p, m, 0, "test", acc, 0.9, 0.9, 0.9, 0.1, 0.95, size]))
            for p, m, acc, size in (("a", "small", 0.90, 100), ("a", "big", 0.95, 200), ("b", "skip", 0.99, 10))]
    metrics.write(rows, tmp_path / "metrics.csv")
    points = collect_points({"toy": {"metrics": "metrics.csv", "model": "model", "accuracy": "accuracy",
                                     "size": "model_bytes", "protocol": "protocol", "where": {"protocol": ["a"]}}},
                            base=tmp_path)
    assert list(points["model"]) == ["small", "big"] and list(points["size_bytes"]) == [100, 200]
    frame = pd.DataFrame({"size_bytes": [100, 200, 300, 150], "accuracy": [0.90, 0.95, 0.94, 0.89]})
    assert list(pareto_front(frame)) == [True, True, False, False]
