"""srm2025: our figures beside thesis Table 7.1 and the Tavallaee 2009 baselines (thin adapter)."""

from tinyids.fileio import write_text_atomic
from tinyids.runlog import logged
from tinyids.srm2025.paper import comparison_markdown, comparison_table, read_encodings
from tinyids.study import comparison, metrics as metrics_file

with logged(snakemake.log[0]) as log:
    metrics = metrics_file.read(snakemake.input.metrics)
    encodings = read_encodings(snakemake.input.encodings)
    table = comparison_table(metrics, snakemake.params.paper, encodings, snakemake.params.compare_encoding)
    comparison.write(table, snakemake.output.csv)
    write_text_atomic(snakemake.output.md, comparison_markdown(metrics, table, snakemake.params.paper, bool(snakemake.params.smoke), encodings))
    log.info("paper comparison: %d rows", len(table))
