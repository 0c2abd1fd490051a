"""Acquire one dataset file (mirror or documented sources), verified by its digest."""

import os
from pathlib import Path

from tinyids.datasets.download import acquire
from tinyids.datasets.manifest import file_spec, load_manifest
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    spec = file_spec(load_manifest(snakemake.params.manifest), snakemake.wildcards.dataset, snakemake.wildcards.filename)
    mirror = os.environ.get("TINYIDS_DATA_MIRROR") or None
    origin = acquire(
        spec,
        Path(snakemake.output[0]),
        mirror_dir=Path(mirror) if mirror else None,
        timeout_s=snakemake.params.timeout_s,
        max_bytes=int(snakemake.params.max_mb * (1 << 20)),
    )
    log.info("%s/%s acquired from %s and verified", spec.dataset, spec.name, origin)
