"""idrissi2022: the float32 and dynamic-range .tflite of tMO / tMOP (the paper's Table II sizes)."""

from tinyids.idrissi2022.steps import convert_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    convert_step(dict(zip(snakemake.params.sources, snakemake.input.models)), seed=int(snakemake.wildcards.seed),
                 threads=snakemake.threads, outputs=dict(zip(snakemake.params.names, snakemake.output.tflites)),
                 out_info=snakemake.output.info)
