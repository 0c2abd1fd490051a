"""idrissi2022: write one int8 deployable (.tflite, .npz, .json) per the deployables contract."""

from tinyids.idrissi2022.steps import deploy_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    deploy_step(snakemake.input.data, snakemake.input.tflite, snakemake.input.metrics,
                name=snakemake.wildcards.dname, variant=snakemake.params.variant,
                protocol=snakemake.params.protocol,
                seed=snakemake.params.seed, out_tflite=snakemake.output.tflite,
                out_npz=snakemake.output.npz, out_json=snakemake.output.meta)
