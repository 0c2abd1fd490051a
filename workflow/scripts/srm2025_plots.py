"""srm2025: bar charts per metric, ROC curves, confusion matrices (thin adapter).

Each output's name says what it shows: bars_<metric>.png, roc_<protocol>_<test set>.png,
confusion_<protocol>_<test set>.png."""

from pathlib import Path

import pandas as pd

from tinyids.runlog import logged
from tinyids.srm2025.plots import bar_chart, confusion_grid, roc_plot

with logged(snakemake.log[0]) as log:
    metrics = pd.read_csv(snakemake.input.metrics)
    scores = pd.concat([pd.read_parquet(p) for p in [*snakemake.input.scores, *snakemake.input.int8]], ignore_index=True)
    smoke = bool(snakemake.params.smoke)
    for path in snakemake.output.plots:
        kind, rest = Path(path).stem.split("_", 1)
        if kind == "bars":
            bar_chart(metrics, rest, path, smoke)
        else:
            protocol, test_set = rest.split("_", 1)
            (roc_plot if kind == "roc" else confusion_grid)(scores, protocol, test_set, path, smoke)
        log.info("wrote %s", path)
