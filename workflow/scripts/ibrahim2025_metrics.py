"""ibrahim2025: one metrics.csv row per (protocol, model, fold)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    frame = steps.collect_metrics(list(snakemake.input.evals), snakemake.output.metrics)
    log.info("wrote %s (%d rows)", snakemake.output.metrics, len(frame))
