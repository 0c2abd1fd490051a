"""ibrahim2025: prune and fine-tune one variant of one (protocol, fold), evaluate and export it."""

import copy
from pathlib import Path

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    cfg = copy.deepcopy(dict(snakemake.params.cfg))
    cfg["ibrahim2025"]["threads"] = snakemake.threads
    record = steps.prune(
        snakemake.input.data, snakemake.input.full, Path(snakemake.output.eval).parent,
        snakemake.wildcards.protocol, int(snakemake.wildcards.fold), snakemake.wildcards.variant, cfg,
    )
    log.info("%s: accuracy %.4f, weight sparsity %.4f", snakemake.wildcards.variant,
             record["metrics"]["accuracy"], record["weight_sparsity"])
