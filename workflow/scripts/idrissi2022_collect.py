"""idrissi2022: merge evaluation, timing and arena results into metrics.csv and arena.csv."""

from tinyids.idrissi2022.steps import collect_step, features_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    collect_step(snakemake.input.evals, snakemake.input.timings, snakemake.input.arenas,
                 snakemake.input.reports, snakemake.input.infos, smoke=snakemake.params.smoke,
                 out_metrics=snakemake.output.metrics, out_arena=snakemake.output.arena,
                 robust_jsons=snakemake.input.robust)
    features_step(snakemake.input.chi2, snakemake.output.features)
