"""Snakemake adapter: per-sample latency of the generated C vs LiteRT (invoke() from Python, and its
default CPU path natively through the C API), object sizes."""

import logging

from tinyids.codegen.pipeline import benchmark_report

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    benchmark_report(snakemake.input.c, snakemake.input.tflite, snakemake.input.npz,  # noqa: F821
                     snakemake.output[0], rows=snakemake.params.rows,  # noqa: F821
                     repeats=snakemake.params.repeats, cc=snakemake.params.cc,  # noqa: F821
                     opt=snakemake.params.opt, unroll_limit=snakemake.params.unroll_limit)  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
