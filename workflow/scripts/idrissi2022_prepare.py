"""idrissi2022: one preprocessing protocol (paper | dedup) for one seed."""

from tinyids.idrissi2022.steps import prepare_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    prepare_step(snakemake.input.uniflow, snakemake.params.cfg, protocol=snakemake.wildcards.protocol,
                 seed=int(snakemake.wildcards.seed), out_npz=snakemake.output.data,
                 out_chi2=snakemake.output.chi2, out_report=snakemake.output.report)
