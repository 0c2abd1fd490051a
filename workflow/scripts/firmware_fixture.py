"""firmware: write the hand-written fixture models (known weights) as deployables."""

from pathlib import Path

from tinyids.firmware import fixture
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    folder = Path(snakemake.output.npz[0]).parent
    fixture.write_deployables(folder, n=int(snakemake.params.n), seed=int(snakemake.params.seed))
    log.info("fixture models written to %s", folder)
