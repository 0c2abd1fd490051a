"""firmware: run one model's firmware in the emulators; parity with the host build, counts."""

import json

from tinyids.fileio import write_json_atomic
from tinyids.firmware.pipeline import emulate_model
from tinyids.runlog import LoggerStream, logged


with logged(snakemake.log[0]) as log:
    files = {k: str(v) for k, v in snakemake.input.items() if k != "build"}
    build = json.loads(open(snakemake.input.build).read())
    result = emulate_model(snakemake.params.ref, files, build, snakemake.params.fw, snakemake.params.seed,
                           LoggerStream(log))
    for row in result["boards"]:
        log.info("%s on %s: %s mismatches=%s median=%s %s", snakemake.params.ref, row["board"],
                 row["status"], row.get("mismatches"), row.get("count_median"), row.get("count_unit", ""))
    write_json_atomic(snakemake.output.json, result)
