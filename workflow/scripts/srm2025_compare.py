"""srm2025: our figures beside thesis Table 7.1 and the Tavallaee 2009 baselines (thin adapter)."""

import pandas as pd

from tinyids.fileio import write_csv_atomic, write_text_atomic
from tinyids.runlog import logged
from tinyids.srm2025.paper import comparison_markdown, comparison_table

with logged(snakemake.log[0]) as log:
    metrics = pd.read_csv(snakemake.input.metrics)
    table = comparison_table(metrics, snakemake.params.paper)
    write_csv_atomic(snakemake.output.csv, table)
    write_text_atomic(snakemake.output.md, comparison_markdown(metrics, table, snakemake.params.paper, bool(snakemake.params.smoke)))
    log.info("paper comparison: %d rows", len(table))
