"""ibrahim2025: the quantization-robust int8 variant of one trained model of one (protocol, fold)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    record = steps.robust(
        snakemake.input.data, snakemake.input.keras, snakemake.input.eval,
        snakemake.output.keras, snakemake.output.int8, snakemake.output.eval,
        snakemake.wildcards.protocol, int(snakemake.wildcards.fold), snakemake.wildcards.model, snakemake.params.cfg,
    )
    log.info("%s: int8 accuracy %.4f (float %.4f)", record["model"], record["metrics_int8"]["accuracy"],
             record["metrics"]["accuracy"])
