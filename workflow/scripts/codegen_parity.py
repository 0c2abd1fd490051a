"""Snakemake adapter: generated C vs LiteRT (BUILTIN_REF) on every test row."""

import logging

from tinyids.codegen.pipeline import parity_report

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    parity_report(snakemake.input.c, snakemake.input.tflite, snakemake.input.npz,  # noqa: F821
                  snakemake.output[0], cc=snakemake.params.cc, opt=snakemake.params.opt,  # noqa: F821
                  fail_on_mismatch=snakemake.params.fail_on_mismatch)  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
