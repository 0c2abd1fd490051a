"""Validate a dataset's files into typed parquet tables and write its dataset card."""

from pathlib import Path

from tinyids.datasets.card import card_markdown
from tinyids.datasets.manifest import load_manifest
from tinyids.datasets.prepare import prepare
from tinyids.fileio import atomic_path, write_json_atomic, write_text_atomic
from tinyids.runlog import logged

with logged(snakemake.log[0]) as log:
    files = {Path(p).name: Path(p) for p in snakemake.input.files}
    tables, card = prepare(
        snakemake.params.dataset,
        files,
        load_manifest(snakemake.params.manifest),
        nan_policy=snakemake.params.nan_policy,
        source=snakemake.params.get("source"),
    )
    for path in snakemake.output.tables:
        stem = Path(path).name.removesuffix(".parquet")
        with atomic_path(path) as tmp:
            tables[stem].to_parquet(tmp, index=False)
        log.info("wrote %s (%d rows)", path, len(tables[stem]))
    write_json_atomic(snakemake.output.card_json, card)
    write_text_atomic(snakemake.output.card_md, card_markdown(card))
