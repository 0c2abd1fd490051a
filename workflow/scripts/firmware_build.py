"""firmware: build one deployable model for every board of Table I, with its sizes."""

from tinyids.fileio import write_json_atomic
from tinyids.firmware.pipeline import build_model
from tinyids.runlog import LoggerStream, logged


with logged(snakemake.log[0]) as log:
    files = {k: str(v) for k, v in snakemake.input.items() if k != "toolchain"}
    result = build_model(snakemake.params.ref, files, snakemake.params.fw, LoggerStream(log))
    for row in result["builds"]:
        log.info("%s on %s: %s flash=%s ram=%s %s", snakemake.params.ref, row["board"], row["status"],
                 row["flash"], row["ram"], row["reason"])
    write_json_atomic(snakemake.output.json, result)
