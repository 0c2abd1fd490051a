"""firmware: fit matrix + heatmap, emulation table and Uno headline (Figure 7: firmware_recommend.py)."""

import json

from tinyids.fileio import atomic_path, write_csv_atomic, write_json_atomic
from tinyids.firmware import report
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    fw = snakemake.params.fw
    builds = [json.loads(open(p).read()) for p in snakemake.input.builds]
    emus = [json.loads(open(p).read()) for p in snakemake.input.emulations]
    matrix = report.fit_matrix(builds, emus, fw)
    write_csv_atomic(snakemake.output.fit_matrix, matrix)
    with atomic_path(snakemake.output.heatmap) as tmp:
        report.heatmap(matrix, fw, tmp.with_suffix(".png"))
        tmp.with_suffix(".png").replace(tmp)
    kernels = [json.loads(open(p).read()) for p in snakemake.input.kernels]
    emulation = report.emulation_table(emus, kernels=kernels)
    write_csv_atomic(snakemake.output.emulation, emulation)
    head = report.headline(matrix, emulation, fw)
    write_json_atomic(snakemake.output.headline, head)
    log.info("fit matrix: %d rows, %d fit; headline: %s", len(matrix), int((matrix["fits"] == "yes").sum()),
             json.dumps(head, default=str))
