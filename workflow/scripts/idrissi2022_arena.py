"""idrissi2022: smallest TFLM tensor arena per .tflite variant (bisection, one subprocess per probe)."""

from tinyids.idrissi2022.steps import arena_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    arena_step(snakemake.input.data, dict(zip(snakemake.params.variants, snakemake.input.tflites)),
               snakemake.params.cfg, protocol=snakemake.wildcards.protocol,
               seed=int(snakemake.wildcards.seed), out_json=snakemake.output.arena)
