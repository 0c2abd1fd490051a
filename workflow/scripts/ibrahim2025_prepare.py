"""ibrahim2025: split and preprocess one (protocol, fold) (paper or sound protocol)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    info = steps.prepare(
        snakemake.input.table, snakemake.wildcards.protocol, int(snakemake.wildcards.fold),
        snakemake.params.cfg, snakemake.output.data, snakemake.output.preprocess,
    )
    log.info("prepared %s fold %s: %s", snakemake.wildcards.protocol, snakemake.wildcards.fold, info)
