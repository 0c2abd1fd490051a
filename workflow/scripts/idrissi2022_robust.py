"""idrissi2022: train one quantization-robust variant (log1p + min-max on training rows) and convert it."""

from tinyids.idrissi2022.robust import robust_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    robust_step(snakemake.input.uniflow, snakemake.input.data, snakemake.params.cfg,
                variant=snakemake.wildcards.rvariant, protocol=snakemake.wildcards.protocol,
                seed=int(snakemake.wildcards.seed), threads=snakemake.threads,
                out_tflite=snakemake.output.tflite, out_dynamic=snakemake.output.dynamic,
                out_model=snakemake.output.model,
                out_compressed=snakemake.output.compressed, out_npz=snakemake.output.npz, out_eval=snakemake.output.eval)
