"""srm2025: copy the deploy protocol's exports to results/srm2025/deploy/ (thin adapter)."""

import shutil

from tinyids.fileio import atomic_path
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    for source, target in zip(snakemake.input.files, snakemake.output.files):
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        log.info("%s -> %s", source, target)
