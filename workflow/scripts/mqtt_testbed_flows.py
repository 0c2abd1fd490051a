"""One class pcap -> uniflow CSV in the MQTT-IoT-IDS2020 layout (plus extraction statistics)."""

import json
import logging

from tinyids.fileio import write_csv_atomic, write_json_atomic
from tinyids.testbed.flows import extract_uniflows

snakemake = globals()["snakemake"]
logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
with open(snakemake.input.manifest, encoding="utf-8") as handle:
    manifest = json.load(handle)
frame, stats = extract_uniflows(snakemake.input.pcap, manifest["attacker_ips"], snakemake.params.flow_timeout_s)
write_csv_atomic(snakemake.output.csv, frame)
write_json_atomic(snakemake.output.stats, stats.as_dict())
logging.info("%s: %d uniflows (%d attack)", snakemake.wildcards.cls, len(frame), int(frame["is_attack"].sum()))
