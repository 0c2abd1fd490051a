"""idrissi2022: confusion matrices per protocol and variant, and accuracy versus size."""

from tinyids.idrissi2022.steps import plots_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    keys = snakemake.params.panels
    plots_step(snakemake.input.metrics, snakemake.input.confusions, snakemake.params.cfg,
               confusion_pngs={tuple(k): p for k, p in zip(keys, snakemake.output.confusions)},
               out_scatter=snakemake.output.scatter)
