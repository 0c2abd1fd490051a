"""idrissi2022: build one TFLite variant (tM, tMO, tMOP, tMO_QAT) from its trained base model."""

from tinyids.idrissi2022.steps import variant_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    variant_step(snakemake.input.base, snakemake.input.data, snakemake.params.cfg,
                 variant=snakemake.wildcards.variant, seed=int(snakemake.wildcards.seed),
                 threads=snakemake.threads, out_tflite=snakemake.output.tflite,
                 out_model=snakemake.output.model, out_info=snakemake.output.info)
