"""firmware: fit matrix + heatmap, emulation table, recommendation (Figure 7) and Uno headline."""

import json

from tinyids.fileio import atomic_path, write_csv_atomic, write_json_atomic, write_text_atomic
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
    emulation = report.emulation_table(emus)
    write_csv_atomic(snakemake.output.emulation, emulation)
    rec = report.recommendation(matrix, emulation, fw)
    write_csv_atomic(snakemake.output.recommendation, rec)
    head = report.headline(matrix, emulation, fw)
    write_json_atomic(snakemake.output.headline, head)
    write_text_atomic(snakemake.output.recommendation_md, report.recommendation_markdown(rec, head, fw))
    log.info("fit matrix: %d rows, %d fit; headline: %s", len(matrix), int((matrix["fits"] == "yes").sum()),
             json.dumps(head, default=str))
