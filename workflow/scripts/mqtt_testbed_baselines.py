"""The dataset authors' classifier set on the validated uniflows, beside a replication (thin adapter)."""

import pandas as pd

from tinyids.fileio import write_text_atomic
from tinyids.runlog import logged
from tinyids.study import comparison
from tinyids.testbed.baselines import comparison_table, markdown, run

snakemake = globals()["snakemake"]
with logged(snakemake.log[0]) as log:
    frame = pd.read_parquet(snakemake.input.table)
    cfg = snakemake.params.cfg
    results = run(frame, cfg, n_jobs=snakemake.threads)
    source = ", ".join(sorted(set(frame["source"].astype(str)))) if "source" in frame.columns else "unknown"
    table = comparison_table(results, cfg, source)
    comparison.write(table, snakemake.output.csv)
    write_text_atomic(snakemake.output.md, markdown(table, cfg, bool(snakemake.params.smoke)))
    log.info("baselines: %d rows (%d fits) on %d uniflows (%s)", len(table), len(results), len(frame), source)
