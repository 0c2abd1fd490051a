"""Snakemake adapter: the kernel variants side by side on the emulated boards."""

import logging

from tinyids.codegen.pipeline import emulation_report

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
try:
    p = snakemake.params  # noqa: F821
    emulation_report(snakemake.wildcards.cg_study, snakemake.input.tflite, snakemake.input.deployable,  # noqa: F821
                     snakemake.output[0], boards=list(p.boards), board_info=dict(p.board_info),  # noqa: F821
                     vectors=p.vectors, seed=p.seed, timeout_s=p.timeout_s, icount_shift=p.icount_shift,
                     unroll_limit=p.unroll_limit)
except Exception:
    logging.exception("codegen step failed")
    raise
