"""ibrahim2025: McNemar exact test and paired bootstrap (and the fold t-test with cv_folds > 1)."""

from tinyids.ibrahim2025 import steps
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    keys = [(p, int(f), m) for p, f, m in snakemake.params.runs]
    predictions = dict(zip(keys, snakemake.input.predictions))
    frame = steps.statistics(
        predictions, snakemake.params.cfg, snakemake.output.statistics, snakemake.output.get("ttest"),
    )
    log.info("wrote %s (%d comparisons)", snakemake.output.statistics, len(frame))
