"""idrissi2022: Table II of the paper beside our measurements (paper_comparison.csv / .md)."""

from tinyids.idrissi2022.steps import compare_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    compare_step(snakemake.input.metrics, snakemake.input.arena, snakemake.params.cfg,
                 smoke=snakemake.params.smoke, out_csv=snakemake.output.csv, out_md=snakemake.output.md)
