"""idrissi2022: evaluate every variant of one protocol/seed on its test split."""

from tinyids.idrissi2022.steps import evaluate_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    evaluate_step(snakemake.input.data, snakemake.params.files, protocol=snakemake.wildcards.protocol,
                  seed=int(snakemake.wildcards.seed), threads=snakemake.threads,
                  out_json=snakemake.output.metrics, out_confusion=snakemake.output.confusion)
