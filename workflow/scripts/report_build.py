"""Build the study report: scorecard (csv, md), per-study Pareto and board-cost plots, figures, and
index.html (the summary first: headlines, Pareto, the board recommendation; then the scorecard)."""

import shutil
from pathlib import Path

import pandas as pd

from tinyids.fileio import atomic_path, write_csv_atomic, write_text_atomic
from tinyids.report.html import render_index
from tinyids.report.latency import plot_board_costs
from tinyids.report.pareto import collect_points, plot_pareto
from tinyids.report.scorecard import build_scorecard, read_comparisons, scorecard_markdown
from tinyids.report.summary import headlines, protocol_description, study_order
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    cfg = snakemake.params.report
    studies = snakemake.params.studies
    smoke = bool(snakemake.params.smoke)
    log.info("comparison files: %s", ", ".join(snakemake.input.comparisons))
    comparisons = read_comparisons(snakemake.input.comparisons)
    scorecard = build_scorecard(comparisons, cfg["tolerances"])
    order = {s: i for i, s in enumerate(study_order(scorecard, cfg["summary"]))}
    scorecard = scorecard.sort_values("study", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    heads = headlines(scorecard, cfg["summary"])  # a headline selecting no row fails before any output
    write_csv_atomic(snakemake.output.scorecard_csv, scorecard)
    write_text_atomic(snakemake.output.scorecard_md, scorecard_markdown(scorecard, smoke=smoke))
    log.info("scorecard: %d rows, %s", len(scorecard), scorecard["verdict"].value_counts().to_dict())

    points = collect_points({s: cfg["pareto"][s] for s in studies if s in cfg["pareto"]})
    with atomic_path(snakemake.output.pareto) as tmp:
        plot_pareto(points, tmp, "Accuracy against model size, one front per study" + (" (smoke run)" if smoke else ""))
    with atomic_path(snakemake.output.board_costs) as tmp:
        plot_board_costs(pd.read_csv(snakemake.input.emulation), tmp)

    figures_dir = Path(snakemake.output.figures)
    staging = figures_dir.with_name(figures_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    collected = []
    for pattern in cfg["figures"]:
        for png in sorted(Path("results").glob(pattern)):
            name = "_".join(png.relative_to("results").with_suffix("").parts) + ".png"
            shutil.copyfile(png, staging / name)
            collected.append((name.removesuffix(".png"), staging / name, str(png)))
    shutil.copyfile(snakemake.input.fit_heatmap, staging / "firmware_fit_matrix.png")
    collected.insert(0, ("fit_matrix", staging / "firmware_fit_matrix.png", "device-fit matrix (results/firmware/fit_matrix.png)"))
    images = [("pareto", Path(snakemake.output.pareto),
               "accuracy against model size (log scale): one panel and one Pareto front (black) per study"),
              ("board_costs", Path(snakemake.output.board_costs), "inference cost per board (emulated)")]
    images += [(key, path, caption) for key, path, caption in collected]
    recommendation = pd.read_csv(snakemake.input.recommendation)
    notes = ["Every figure comes from a results file written by a workflow rule; paper values come "
             "from config/config.yaml with their citations (full scorecard below)."]
    if smoke:
        notes.insert(0, "Smoke run: small subsamples and few epochs. The figures test the pipeline, not the papers.")
    page = render_index(cfg["title"], scorecard, images,
                        tables=[("Model per board (the paper's Figure 7, computed), every column", recommendation),
                                ("Device fit", pd.read_csv(snakemake.input.fit_matrix))],
                        notes=notes, headlines=heads, recommendation=recommendation,
                        describe_protocol=lambda study, protocol: protocol_description(cfg["summary"], study, protocol))
    write_text_atomic(snakemake.output.index, page)
    shutil.rmtree(figures_dir, ignore_errors=True)
    staging.replace(figures_dir)
    log.info("report: %d headlines, %d figures, index at %s", len(heads), len(images), snakemake.output.index)
