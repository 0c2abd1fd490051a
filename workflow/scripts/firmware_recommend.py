"""firmware: the paper's Figure 7 computed (recommendation.csv / .md) from the fit matrix, the
emulation table and the Deployables of firmware.models."""

import pandas as pd

from tinyids.fileio import write_csv_atomic, write_text_atomic
from tinyids.firmware import recommend
from tinyids.runlog import logged
from tinyids.study import deployable

with logged(snakemake.log[0]) as log:
    fw = snakemake.params.fw
    deps = [deployable.read(p) for p in snakemake.input.deployables]
    rec = recommend.recommend(deps, pd.read_csv(snakemake.input.fit_matrix), pd.read_csv(snakemake.input.emulation), fw)
    md = recommend.markdown(rec, fw, smoke=bool(snakemake.params.smoke))
    write_csv_atomic(snakemake.output.csv, rec)
    write_text_atomic(snakemake.output.md, md)
    for r in rec.itertuples():
        log.info("%s / %s: %s %s (n=%s)", r.board, r.study, r.models, r.accuracy_mean, r.n_seeds)
