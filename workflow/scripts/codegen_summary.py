"""Snakemake adapter: one CSV row per generated model (parity, sizes, latency)."""

import logging

from tinyids.codegen.pipeline import benchmark_table, summarize

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    entries = [tuple(e) for e in snakemake.params.entries]  # noqa: F821
    summarize(entries, "results", snakemake.output.summary)  # noqa: F821
    benchmark_table(entries, "results", snakemake.output.benchmark)  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
