"""idrissi2022: write one quantization-robust int8 deployable (X_raw in its npz, log1p + offset_scale steps)."""

from tinyids.idrissi2022.steps import robust_deploy_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    robust_deploy_step(snakemake.input.data, snakemake.input.npz, snakemake.input.tflite, snakemake.input.metrics,
                       name=snakemake.wildcards.dname, variant=snakemake.params.variant,
                       protocol=snakemake.params.protocol, seed=snakemake.params.seed,
                       out_tflite=snakemake.output.tflite, out_npz=snakemake.output.npz,
                       out_json=snakemake.output.meta)
