# Shared helpers for every stage: config validation and the registry of final targets.

import os
from pathlib import Path

from tinyids.config import validate_config
from tinyids.datasets.manifest import load_manifest
# Every study names its folders, files and wildcard constraints through its Layout;
# one_of(values) is the constraint matching exactly the configured values.
from tinyids.study.layout import STUDIES, one_of

# Fails with one message listing every bad key (dotted path) before any job is scheduled.
config = validate_config(config, schema_dir=Path(workflow.basedir) / "config" / "schemas")

# Each stage registers the files that end its part of the DAG; `rule all` asks for the
# targets of the data stage, of every enabled study and of the stages that serve them.
FINAL_TARGETS: dict[str, list[str]] = {}


def final_targets() -> list[str]:
    targets: list[str] = []
    for stage, files in FINAL_TARGETS.items():
        if stage in config["studies"] or stage not in STUDIES:
            targets.extend(files)
    return targets


def study_seed(study: str) -> int:
    """The study's own seed if its section sets one, else the global seed."""
    return int(config.get(study, {}).get("seed", config["seed"]))


DATA_MIRROR = os.environ.get("TINYIDS_DATA_MIRROR", "")


# ---- data ----
MANIFEST = load_manifest(config["datasets"]["manifest"])
MQTT_CLASSES = ["normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce"]


def validated_table(dataset: str, stem: str) -> str:
    return f"results/data/{dataset}/{stem}.parquet"


def _mirror_has(relative: str) -> bool:
    return bool(DATA_MIRROR) and any(
        (Path(DATA_MIRROR) / f"{relative}{suffix}").is_file() for suffix in ("", ".gz")
    )


def _nslkdd_train_stem() -> str:
    """KDDTrain+ when chosen or available (already placed, or in the mirror), else the 20% file."""
    choice = config["datasets"]["nslkdd"].get("train_file", "auto")
    if choice != "auto":
        return choice
    if Path("resources/data/nsl-kdd/KDDTrain+.txt").is_file() or _mirror_has("nsl-kdd/KDDTrain+.txt"):
        return "KDDTrain+"
    return "KDDTrain+_20Percent"


NSLKDD_TRAIN_STEM = _nslkdd_train_stem()
# The 20% file is always validated: it is the training set of the Tavallaee et al. baselines.
NSLKDD_STEMS = sorted({NSLKDD_TRAIN_STEM, "KDDTrain+_20Percent", "KDDTest+", "KDDTest-21"})
MQTT_SOURCE = config["datasets"]["mqtt"]["source"]
MQTT_DIR = "resources/data/mqtt-iot-ids2020" if MQTT_SOURCE == "original" else "resources/mqtt_testbed"


# ---- report ----
def upstream_final_targets() -> list[str]:
    """Everything the enabled stages end with: the report is the leaf that waits for all of it."""
    return [f for f in final_targets() if not f.startswith("results/report/")]


# ---- codegen ----
CODEGEN = config["codegen"]


def _codegen_entries() -> list[tuple[str, str]]:
    entries = []
    for entry in CODEGEN["models"]:
        study, _, name = entry.partition("/")
        entries.append((study, name))
    return entries


def _codegen_files(suffixes) -> list[str]:
    return [f"results/{study}/codegen/{name}{suffix}" for study, name in _codegen_entries() for suffix in suffixes]
