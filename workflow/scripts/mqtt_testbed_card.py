"""Dataset card of the testbed capture: card.json and card.md."""

import json
import logging

from tinyids.fileio import write_json_atomic, write_text_atomic
from tinyids.testbed.capture import CLASSES
from tinyids.testbed.card import build_card, card_markdown

snakemake = globals()["snakemake"]
logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
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
logging.info("card: %s rows in all", card["totals"]["rows"])
