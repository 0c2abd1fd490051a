"""ibrahim2025: ROC, training-curve and confusion-matrix figures of one protocol (fold 0)."""

from pathlib import Path

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    steps.plots(
        snakemake.wildcards.protocol, list(snakemake.params.models), Path(snakemake.input.predictions[0]).parent,
        snakemake.output.roc, snakemake.output.training, snakemake.output.confusion, bool(snakemake.params.smoke),
    )
    log.info("wrote figures of the %s protocol", snakemake.wildcards.protocol)
