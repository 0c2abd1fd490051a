"""Snakemake adapter: int8 .tflite -> <name>.c / <name>.h (tinyids.codegen)."""

import logging

from tinyids.codegen.pipeline import generate_files

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    generate_files(snakemake.input.tflite, snakemake.input.deployable, snakemake.output.c,  # noqa: F821
                   snakemake.output.h, snakemake.output.info, variant=snakemake.params.variant,  # noqa: F821
                   unroll_limit=snakemake.params.unroll_limit)  # noqa: F821
except Exception:
    logging.exception("codegen step failed")
    raise
