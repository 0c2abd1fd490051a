"""Snakemake adapter: results/codegen/emulation.csv from the per-model emulation reports."""

import logging

from tinyids.codegen.pipeline import emulation_summary

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    emulation_summary(list(snakemake.input), snakemake.output[0])  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
