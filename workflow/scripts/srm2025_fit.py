"""srm2025: fit and evaluate every model of one protocol (thin adapter)."""

from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from tinyids.fileio import atomic_path, write_csv_atomic
from tinyids.runlog import logged
from tinyids.srm2025 import handover
from tinyids.srm2025.study import run_protocol

# BLAS / OpenMP pools limited to the rule's threads (the machine is shared).
with logged(snakemake.log[0]) as log, threadpool_limits(limits=snakemake.threads):
    protocol = snakemake.wildcards.protocol
    train = pd.read_parquet(snakemake.input.train)
    tests = {Path(p).name.removesuffix(".parquet"): pd.read_parquet(p) for p in snakemake.input.tests}
    metrics, scores, bundle = run_protocol(
        protocol, train, snakemake.params.train_file, tests, snakemake.params.cfg, int(snakemake.params.seed), log
    )
    write_csv_atomic(snakemake.output.metrics, metrics)
    with atomic_path(snakemake.output.scores) as tmp:
        scores.to_parquet(tmp, index=False)
    write_csv_atomic(snakemake.output.budgets, pd.DataFrame(bundle["budget_rows"], columns=["protocol", "model", "budget", "limit", "measured", "within"]))
    write_csv_atomic(snakemake.output.encodings, bundle["encodings"])
    handover.save(bundle, Path(snakemake.output.handover[0]).parent)
    log.info("wrote %d metric rows for the %s protocol", len(metrics), protocol)
