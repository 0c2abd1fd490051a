"""srm2025: export one protocol's tiny models (C, int8 TFLite), check C parity with gcc, measure the
tiny NN's quantization ablation (thin adapter)."""

from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from tinyids.fileio import atomic_path, write_csv_atomic
from tinyids.runlog import logged
from tinyids.srm2025 import handover
from tinyids.srm2025.export import export_protocol
from tinyids.study import ablation

# BLAS / OpenMP pools limited to the rule's threads (the machine is shared).
with logged(snakemake.log[0]) as log, threadpool_limits(limits=snakemake.threads):
    bundle = handover.load(Path(snakemake.input.handover[0]).parent)
    out = export_protocol(bundle, snakemake.params.out_dir, snakemake.params.budgets, log)
    write_csv_atomic(snakemake.output.records, out["records"])
    write_csv_atomic(snakemake.output.metrics, out["metrics"])
    with atomic_path(snakemake.output.scores) as tmp:
        out["scores"].to_parquet(tmp, index=False)
    ablation.write(out["ablation"], snakemake.output.ablation)
    ablation.write(out["zero_point"], snakemake.output.zero_point, ablation.ZERO_POINT_COLUMNS)
    write_csv_atomic(snakemake.output.budgets, pd.DataFrame(out["budget_rows"], columns=["protocol", "model", "budget", "limit", "measured", "within"]))
