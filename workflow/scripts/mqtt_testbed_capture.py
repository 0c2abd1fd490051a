"""Run the MQTT testbed: one pcap per class plus the capture manifest (needs root)."""

import logging
from pathlib import Path

from tinyids.fileio import write_json_atomic
from tinyids.testbed.capture import CLASSES, run_capture

snakemake = globals()["snakemake"]
logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
pcaps = {cls: Path(snakemake.output.pcaps[i]) for i, cls in enumerate(CLASSES)}
manifest = run_capture(snakemake.params.cfg, pcaps, tool_log_dir=Path(snakemake.log[0]).with_suffix(".tools"))
write_json_atomic(snakemake.output.manifest, manifest)
