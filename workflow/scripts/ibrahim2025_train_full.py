"""ibrahim2025: train the full MLP of one (protocol, fold), evaluate and export it."""

import copy
from pathlib import Path

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    cfg = copy.deepcopy(dict(snakemake.params.cfg))
    cfg["ibrahim2025"]["threads"] = snakemake.threads
    record = steps.train_full(
        snakemake.input.data, Path(snakemake.output.eval).parent,
        snakemake.wildcards.protocol, int(snakemake.wildcards.fold), cfg,
    )
    log.info("full model: accuracy %.4f", record["metrics"]["accuracy"])
