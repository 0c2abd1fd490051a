"""ibrahim2025: accuracy after every compression step (quantization_ablation.csv, zero-point shares, plot)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    table = steps.ablation(
        list(snakemake.params.runs), snakemake.params.cfg,
        snakemake.output.csv, snakemake.output.zero_point, snakemake.output.png,
    )
    log.info("wrote %s (%d rows)", snakemake.output.csv, len(table))
