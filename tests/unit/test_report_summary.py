"""The report's first screen: headline rows chosen by config, the measured reason built from the
scorecard's rows, protocol descriptions from config, comparison files from the registered targets,
and one Pareto front per study."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tinyids.config import load_config
from tinyids.errors import ConfigError
from tinyids.report.html import render_index
from tinyids.report.pareto import plot_pareto
from tinyids.report.scorecard import build_scorecard
from tinyids.report.summary import headlines, protocol_description
from tinyids.report.targets import comparison_files

REPO = Path(__file__).resolve().parents[2]
TOL = {"default": 0.01}


def _row(**over):
    row = dict(study="toy", table="Table 1", quantity="accuracy", unit="fraction", protocol="paper", model="m",
               paper_value=0.98, our_value=0.90, our_sd=0.01, n_runs=3, citation="Doe et al. 2020, Table 1")
    row.update(over)
    return row


@pytest.fixture
def card():
    return build_scorecard([pd.DataFrame([
        _row(), _row(protocol="leaky", our_value=0.975, our_sd=0.002), _row(protocol="sound", our_value=0.85),
        _row(model="other", our_value=0.981, our_sd=float("nan"), n_runs=1),
        _row(study="second", model="x", our_value=0.5)])], TOL)


SUMMARY = {"toy": {"title": "Toy study", "protocols": {"paper": "the paper's order", "std": "standard split"},
                   "headline": [{"label": "m accuracy", "table": "Table 1", "quantity": "accuracy", "protocol": "paper",
                                 "model": "m", "beside": [{"protocol": "leaky"}, {"protocol": "absent"}]},
                                {"label": "other accuracy", "quantity": "accuracy", "protocol": "paper",
                                 "model": "other"}]}}


def test_headline_reason_is_the_scorecard_gap_and_the_measured_rows_beside_it(card):
    heads = headlines(card, SUMMARY).set_index("figure")
    m = heads.loc["m accuracy"]
    assert m["verdict"] == "worse" and m["our_value"] == pytest.approx(0.90) and m["n_runs"] == 3
    assert m["reason"] == ("absolute gap 0.08 vs tolerance 0.01; protocol leaky: ours 0.975 ± 0.002 (n=3) "
                           "against 0.98, reproduced; protocol absent: not in this run")
    # reproduced: no reason is needed, none is shown
    assert heads.loc["other accuracy"]["verdict"] == "reproduced" and heads.loc["other accuracy"]["reason"] == ""


def test_study_without_summary_config_is_shown_as_such_not_dropped(card):
    heads = headlines(card, SUMMARY)
    second = heads[heads["study"] == "second"].iloc[0]
    assert "report.summary.second is not set" in second["reason"]


def test_headline_selecting_no_row_or_several_is_a_config_error_naming_the_entry(card):
    bad = {"toy": {**SUMMARY["toy"], "headline": [SUMMARY["toy"]["headline"][0], {"label": "x", "quantity": "accuracy",
                                                                                  "protocol": "paper", "model": "nope"}]}}
    with pytest.raises(ConfigError, match=r"report\.summary\.toy\.headline\[1\]: selects 0 scorecard rows"):
        headlines(card, bad)
    several = {"toy": {**SUMMARY["toy"], "headline": [{"label": "x", "quantity": "accuracy", "protocol": "paper"}]}}
    with pytest.raises(ConfigError, match=r"headline\[0\]: selects 2 scorecard rows"):
        headlines(card, several)


def test_protocol_with_a_test_set_suffix_is_described_by_its_protocol():
    assert protocol_description(SUMMARY, "toy", "std/KDDTest+") == "standard split"
    assert protocol_description(SUMMARY, "toy", "paper") == "the paper's order"
    assert protocol_description(SUMMARY, "toy", "unknown") is None


def test_comparison_files_are_the_registered_targets_matching_config_globs():
    targets = ["results/a/metrics.csv", "results/a/paper_comparison.csv", "results/mqtt_testbed/baselines.csv",
               "results/mqtt_testbed/baselines.md", "results/b/paper_comparison.csv", "results/a/paper_comparison.csv"]
    cfg = load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["report"]
    assert comparison_files(targets, cfg["comparisons"]) == [
        "results/a/paper_comparison.csv", "results/mqtt_testbed/baselines.csv", "results/b/paper_comparison.csv"]
    # a stage that is not run registers nothing, and nothing is asked of it
    assert comparison_files(targets[:2], cfg["comparisons"]) == ["results/a/paper_comparison.csv"]


def test_default_config_headlines_name_described_protocols():
    cfg = load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["report"]
    for study, spec in cfg["summary"].items():
        for entry in spec["headline"]:
            for sel in [entry] + [{**entry, **b} for b in entry.get("beside", [])]:
                assert protocol_description(cfg["summary"], study, sel["protocol"]), (study, sel)


def test_pareto_draws_one_front_per_study(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = []
    monkeypatch.setattr(plt, "close", lambda fig: figures.append(fig))
    # across studies "b.small" would dominate every "a" point; per study each keeps its own front
    points = pd.DataFrame({"study": ["a", "a", "a", "b"], "model": ["a1", "a2", "a3", "small"], "protocol": "p",
                           "accuracy": [0.90, 0.95, 0.93, 0.99], "size_bytes": [100, 200, 300, 10]})
    plot_pareto(points, tmp_path / "p.png", "t")
    axes = [ax for ax in figures[0].axes if ax.axison]
    assert [ax.get_title() for ax in axes] == ["a (p)", "b (p)"]
    fronts = {ax.get_title(): ax.get_lines()[0].get_xdata().tolist() for ax in axes}
    assert fronts == {"a (p)": [100, 200], "b (p)": [10]}


def test_index_page_puts_the_summary_before_the_grouped_scorecard(card, tmp_path):
    rec = pd.DataFrame([{"board": "uno", "board_title": "Arduino Uno", "study": "toy", "models": "toy/m", "variant": "m",
                         "accuracy_mean": 0.97, "accuracy_sd": 0.004, "n_seeds": 3, "paper_model": None,
                         "paper_accuracy_percent": None}])
    page = render_index("t", card, [], headlines=headlines(card, SUMMARY), recommendation=rec,
                        describe_protocol=lambda s, p: protocol_description(SUMMARY, s, p))
    assert page.index("id='summary'") < page.index("id='scorecard'")
    assert "m: 97.0 ± 0.4 % (n=3)" in page and "<td>none</td>" in page
    # one group per (study, table), its protocols described once, from config or said to be missing
    assert page.count("<h4>toy: Table 1</h4>") == 1 and page.count("<h4>second: Table 1</h4>") == 1
    toy = page[page.index("<h4>toy: Table 1</h4>"):page.index("<h4>second: Table 1</h4>")]
    assert toy.count("<dt>paper</dt>") == 1 and toy.count("<dt>leaky</dt>") == 1
    assert "<dd>the paper&#x27;s order</dd>" in toy and "not described in config (report.summary.toy.protocols)" in toy


def test_a_row_beside_may_name_itself_and_replace_the_model_and_quantity(card):
    summary = {"toy": {**SUMMARY["toy"], "headline": [
        {"label": "m accuracy", "quantity": "accuracy", "protocol": "paper", "model": "m",
         "beside": [{"label": "our other model", "model": "other"}]}]}}
    reason = headlines(card, summary).iloc[0]["reason"]
    assert reason.endswith("; our other model: ours 0.981 (n=1) against 0.98, reproduced")
