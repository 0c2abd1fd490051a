"""idrissi2022: train OM, POM or POM7 (float Keras) on one protocol/seed split."""

from tinyids.idrissi2022.steps import train_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    train_step(snakemake.input.data, snakemake.params.cfg, model_name=snakemake.wildcards.model,
               seed=int(snakemake.wildcards.seed), threads=snakemake.threads,
               out_model=snakemake.output.model, out_history=snakemake.output.history)
