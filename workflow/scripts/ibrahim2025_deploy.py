"""ibrahim2025: one deployable int8 model (.tflite, .npz test features, .json Deployable)."""

from pathlib import Path

from tinyids.ibrahim2025.deploy import write_deployable
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    dep = write_deployable(
        name=Path(snakemake.output.tflite).stem,
        int8_tflite=snakemake.input.int8, data_npz=snakemake.input.data,
        preprocess_json=snakemake.input.preprocess, eval_json=snakemake.input.eval,
        out_tflite=snakemake.output.tflite, out_npz=snakemake.output.npz, out_json=snakemake.output.json,
    )
    log.info("deployed %s: int8 accuracy %.4f on %d test rows", dep.name, dep.accuracy,
             dep.doc["test_vectors"]["rows"])
