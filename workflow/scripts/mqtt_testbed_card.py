"""Dataset card of the testbed capture: card.json, card.md and counts_vs_published.csv (thin adapter)."""

import json

from tinyids.fileio import write_csv_atomic, write_json_atomic, write_text_atomic
from tinyids.runlog import logged
from tinyids.testbed.capture import CLASSES
from tinyids.testbed.card import build_card, card_markdown, comparison_rows

snakemake = globals()["snakemake"]
with logged(snakemake.log[0]) as log:
    with open(snakemake.input.manifest, encoding="utf-8") as handle:
        manifest = json.load(handle)
    extraction = {}
    for cls, path in zip(CLASSES, snakemake.input.stats):
        with open(path, encoding="utf-8") as handle:
            extraction[cls] = json.load(handle)
    csvs = dict(zip(CLASSES, snakemake.input.csvs))
    card = build_card(manifest, csvs, extraction, snakemake.params.cfg, snakemake.params.smoke)
    write_json_atomic(snakemake.output.json, card)
    write_text_atomic(snakemake.output.md, card_markdown(card))
    write_csv_atomic(snakemake.output.published, comparison_rows(card))
    log.info("card: %s rows in all; outside the published tolerance: %s", card["totals"]["rows"],
             ", ".join(card["published"]["misses"]) or "none")
