"""idrissi2022: the parameter-count search that fixes the OM / POM layer sizes."""

from tinyids.idrissi2022.steps import architecture_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    architecture_step(snakemake.params.cfg, snakemake.output.table, snakemake.output.summary)
