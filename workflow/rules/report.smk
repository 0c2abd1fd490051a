# Report stage: the leaves of the DAG. Reads the studies' comparison and metrics files and the
# firmware results; writes the scorecard, cross-study plots and a single-page HTML report.
# `snakemake --report results/report/report.html` packages everything flagged with report().

from tinyids.report.targets import comparison_files as _report_comparisons


rule report_build:
    input:
        stages=upstream_final_targets(),
        # every ComparisonRow file an enabled stage registers (config report.comparisons: globs)
        comparisons=_report_comparisons(upstream_final_targets(), config["report"]["comparisons"]),
        emulation="results/firmware/emulation.csv",
        fit_matrix="results/firmware/fit_matrix.csv",
        fit_heatmap="results/firmware/fit_matrix.png",
        recommendation="results/firmware/recommendation.csv",
    output:
        scorecard_csv=report(
            "results/report/scorecard.csv",
            caption="../report/scorecard.rst",
            category="Scorecard",
        ),
        scorecard_md="results/report/scorecard.md",
        pareto=report(
            "results/report/pareto.png", caption="../report/pareto.rst", category="Cross-study"
        ),
        board_costs=report(
            "results/report/board_costs.png",
            caption="../report/board_costs.rst",
            category="Firmware",
        ),
        figures=report(
            directory("results/report/figures"),
            patterns=["{name}.png"],
            caption="../report/figures.rst",
            category="Study figures",
        ),
        index=report(
            "results/report/index.html",
            caption="../report/index.rst",
            category="Scorecard",
        ),
    params:
        report=config["report"],
        studies=config["studies"],
        smoke=config.get("smoke", False),
    log:
        "logs/report/report_build.log",
    benchmark:
        "benchmarks/report/report_build.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/report_build.py"


FINAL_TARGETS["report"] = [
    "results/report/scorecard.csv",
    "results/report/scorecard.md",
    "results/report/index.html",
]
