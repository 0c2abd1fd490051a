"""The report of the smoke run: scorecard from the studies' files, plots, HTML checked in Chromium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tinyids.report.browser import render
from tinyids.study import comparison, metrics

from conftest import run_snakemake

pytestmark = pytest.mark.workflow


def test_every_study_file_has_the_contract_columns(smoke_run: Path):
    comparisons = sorted((smoke_run / "results").glob("*/paper_comparison.csv"))
    metrics_files = sorted((smoke_run / "results").glob("*/metrics.csv"))
    studies = {"srm2025", "ibrahim2025", "idrissi2022"}
    assert {p.parent.name for p in comparisons} == studies and {p.parent.name for p in metrics_files} == studies
    for path in comparisons:
        table = comparison.read(path)  # checks the columns, numbers and non-empty keys
        assert tuple(table.columns[: len(comparison.COLUMNS)]) == comparison.COLUMNS, path
        assert set(table["study"]) == {path.parent.name}, path
        assert (table.loc[table["our_value"].notna(), "n_runs"] >= 1).all(), path
        several = table[table["n_runs"] > 1]
        assert several["our_sd"].notna().all(), path  # a sample sd wherever several runs were averaged
        assert table.loc[table["n_runs"] == 1, "our_sd"].isna().all(), path
    for path in metrics_files:
        table = metrics.read(path)
        assert tuple(table.columns[: len(metrics.COLUMNS)]) == metrics.COLUMNS, path
        assert set(table["study"]) == {path.parent.name}, path
        assert table["accuracy"].between(0, 1).all(), path


def _comparison_files(smoke_run: Path) -> list[Path]:
    """Every ComparisonRow file of the run: the studies' and the testbed's baselines."""
    files = sorted((smoke_run / "results").glob("*/paper_comparison.csv"))
    return files + [smoke_run / "results/mqtt_testbed/baselines.csv"]


def test_scorecard_has_a_verdict_for_every_paper_figure_of_each_study(smoke_run: Path):
    card = pd.read_csv(smoke_run / "results/report/scorecard.csv")
    # the testbed's baselines.csv is read like any other comparison file
    assert set(card["study"]) == {"srm2025", "ibrahim2025", "idrissi2022", "mqtt_testbed"}
    assert len(card) == sum(len(comparison.read(p)) for p in _comparison_files(smoke_run))
    assert set(card["verdict"]) <= {"reproduced", "better", "worse", "not comparable"}
    assert tuple(card.columns[: len(comparison.COLUMNS)]) == comparison.COLUMNS
    # every row carries the paper's figure and its citation from config, never a typed number
    assert card["citation"].notna().all() and (card["citation"].str.len() > 10).all()
    for study in ("srm2025", "ibrahim2025", "idrissi2022"):
        own = comparison.read(smoke_run / f"results/{study}/paper_comparison.csv")
        mine = card[card["study"] == study].reset_index(drop=True)
        assert len(mine) == len(own)
        for column in ("paper_value", "our_value", "our_sd", "n_runs"):
            assert np.allclose(mine[column], own[column], equal_nan=True), (study, column)
    md = (smoke_run / "results/report/scorecard.md").read_text()
    assert "Smoke run" in md and "| paper | ours | sd | n |" in md


def test_index_page_renders_scorecard_and_pareto_visibly_in_chromium(smoke_run: Path, tmp_path: Path):
    rendered = render(smoke_run / "results/report/index.html", tmp_path / "index.png", height=2400)
    assert rendered.visible.get("scorecard") is True
    assert rendered.visible.get("pareto") is True
    assert rendered.visible.get("fit_matrix") is True
    shot = np.asarray(Image.open(rendered.screenshot).convert("L"))
    assert shot.std() > 5


def test_summary_is_on_the_first_screen_at_1400x900_in_chromium(smoke_run: Path, tmp_path: Path):
    rendered = render(smoke_run / "results/report/index.html", tmp_path / "first.png", width=1400, height=900)
    assert rendered.visible.get("summary") is True and rendered.visible.get("pareto") is True
    view, box = rendered.layout["viewport"], rendered.layout["summary"]
    assert view["width"] == 1400 and 700 <= view["height"] <= 900
    assert 0 <= box["top"] and box["bottom"] <= view["height"] and box["right"] <= view["width"], (box, view)
    dom = rendered.dom
    # one headline block per study of the scorecard, summary before the scorecard
    for study in ("srm2025", "ibrahim2025", "idrissi2022", "mqtt_testbed"):
        assert f"data-study=\"{study}\"" in dom or f"data-study='{study}'" in dom, study
    assert dom.index('id="summary"') < dom.index('id="scorecard"')


def test_recommendation_is_the_best_fitting_variant_per_board_and_study(smoke_run: Path, smoke_config: dict):
    from tinyids.firmware.pipeline import deployable_inputs
    from tinyids.firmware.recommend import deployable_refs
    from tinyids.study import deployable

    fw = smoke_config["firmware"]
    deps = {ref: deployable.read(smoke_run / deployable_inputs(ref, fw)["json"]) for ref in deployable_refs(fw)}
    rec = pd.read_csv(smoke_run / "results/firmware/recommendation.csv")
    fit = pd.read_csv(smoke_run / "results/firmware/fit_matrix.csv")
    studies = {d.study for d in deps.values()}
    assert len(rec) == len(fw["fit_boards"]) * len(studies) and set(rec["study"]) == studies
    for r in rec[rec["models"].notna()].itertuples():
        chosen = r.models.split(";")
        rows = fit[(fit["board"] == r.board) & fit["model"].isin(chosen)]
        assert (rows["fits"] == "yes").all(), (r.board, chosen)
        accs = [deps[m].accuracy for m in chosen]
        assert r.n_seeds == len(chosen) and abs(r.accuracy_mean - sum(accs) / len(accs)) < 1e-12
        # no other fitting deployable of the study is more accurate (one seed each in the smoke run)
        better = [ref for ref, d in deps.items() if d.study == r.study and d.accuracy > r.accuracy_mean + 1e-12
                  and (fit[(fit["board"] == r.board) & (fit["model"] == ref)]["fits"] == "yes").all()]
        assert not better, (r.board, r.study, better)
    uno = rec[(rec["board"] == "uno") & rec["models"].notna()]
    assert len(uno) and (uno["stack_measured"] == "yes").all() and (uno["latency_us_median"] > 0).all()
    md = (smoke_run / "results/firmware/recommendation.md").read_text()
    assert "Headline: the Arduino Uno" in md and md.count("Paper's choice:") == len(fw["fit_boards"])


def test_snakemake_report_packages_the_registered_outputs(smoke_run: Path, tmp_path: Path):
    result = run_snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--report", "results/report/report.html",
                           timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (smoke_run / "results/report/report.html").read_text(errors="replace")
    for item in ("scorecard.csv", "pareto.png", "board_costs.png", "index.html"):
        assert item in html
    rendered = render(smoke_run / "results/report/report.html", tmp_path / "report.png", height=1200)
    assert np.asarray(Image.open(rendered.screenshot).convert("L")).std() > 5
