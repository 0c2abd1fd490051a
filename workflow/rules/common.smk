# Shared helpers for every stage: config validation and the registry of final targets.

import os
from pathlib import Path

from tinyids.config import validate_config

# Fails with one message listing every bad key (dotted path) before any job is scheduled.
config = validate_config(config, schema_dir=Path(workflow.basedir) / "config" / "schemas")

# Each stage registers the files that end its part of the DAG; `rule all` asks for the
# targets of the data stage, of every enabled study and of the stages that serve them.
FINAL_TARGETS: dict[str, list[str]] = {}


def final_targets() -> list[str]:
    targets: list[str] = []
    for stage, files in FINAL_TARGETS.items():
        if stage in config["studies"] or stage not in ("srm2025", "ibrahim2025", "idrissi2022"):
            targets.extend(files)
    return targets


def study_seed(study: str) -> int:
    """The study's own seed if its section sets one, else the global seed."""
    return int(config.get(study, {}).get("seed", config["seed"]))


DATA_MIRROR = os.environ.get("TINYIDS_DATA_MIRROR", "")
