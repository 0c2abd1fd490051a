"""idrissi2022: the loss of every compression step (quantization_ablation.csv, _zero_point.csv, plot)."""

from tinyids.idrissi2022.steps import ablation_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    ablation_step(snakemake.params.runs, variants=snakemake.params.variants,
                  robust_variants=snakemake.params.robust, threads=snakemake.threads,
                  out_csv=snakemake.output.csv, out_zero_point=snakemake.output.zero_point,
                  out_png=snakemake.output.png)
