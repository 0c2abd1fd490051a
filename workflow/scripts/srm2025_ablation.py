"""srm2025: the tiny NN's cost of every compression step, all protocols in one file, and its plot
(thin adapter; the rows come from each protocol's export, tinyids.srm2025.export.quantization_ablation)."""

from tinyids.runlog import logged
from tinyids.srm2025.ablation_report import merge, plot

with logged(snakemake.log[0]) as log:
    table, zero_point = merge(snakemake.input.ablation, snakemake.input.zero_point, snakemake.output.csv,
                              snakemake.output.zero_point)
    plot(table, snakemake.output.plot)
    log.info("quantization ablation: %d rows, %d zero-point rows", len(table), len(zero_point))
