"""srm2025: merge the per-protocol metrics and export figures into metrics.csv (thin adapter)."""

import pandas as pd

from tinyids.fileio import write_csv_atomic
from tinyids.runlog import logged
from tinyids.srm2025.evaluate import merge_metrics
from tinyids.study.metrics import write as write_metrics


def read(path):
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


with logged(snakemake.log[0]) as log:
    metrics = merge_metrics(
        [read(p) for p in snakemake.input.runs],
        [read(p) for p in snakemake.input.records],
        [read(p) for p in snakemake.input.int8],
        seed=snakemake.params.seed,
    )
    write_metrics(metrics, snakemake.output.metrics)
    budgets = pd.concat([read(p) for p in snakemake.input.budgets], ignore_index=True)
    write_csv_atomic(snakemake.output.budgets, budgets)
    log.info("metrics.csv: %d rows; budgets.csv: %d rows", len(metrics), len(budgets))
