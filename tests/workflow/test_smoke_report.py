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


def test_scorecard_has_a_verdict_for_every_paper_figure_of_each_study(smoke_run: Path):
    card = pd.read_csv(smoke_run / "results/report/scorecard.csv")
    assert set(card["study"]) == {"srm2025", "ibrahim2025", "idrissi2022"}
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


def test_snakemake_report_packages_the_registered_outputs(smoke_run: Path, tmp_path: Path):
    result = run_snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--report", "results/report/report.html",
                           timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (smoke_run / "results/report/report.html").read_text(errors="replace")
    for item in ("scorecard.csv", "pareto.png", "board_costs.png", "index.html"):
        assert item in html
    rendered = render(smoke_run / "results/report/report.html", tmp_path / "report.png", height=1200)
    assert np.asarray(Image.open(rendered.screenshot).convert("L")).std() > 5
