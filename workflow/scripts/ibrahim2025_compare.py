"""ibrahim2025: the paper's Tables 2, 4, 5 beside our figures (CSV and Markdown)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    table = steps.compare(
        snakemake.input.metrics, snakemake.input.statistics, snakemake.params.cfg,
        snakemake.output.csv, snakemake.output.md, robust_evals=list(snakemake.input.robust),
    )
    log.info("wrote %s (%d rows)", snakemake.output.csv, len(table))
