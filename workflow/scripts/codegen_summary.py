"""Snakemake adapter: one CSV row per generated model (parity, sizes, latency)."""

import logging

from tinyids.codegen.pipeline import summarize

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    summarize([tuple(e) for e in snakemake.params.entries], "results", snakemake.output[0])  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
