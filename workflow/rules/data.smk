# Data stage: acquire each dataset file (mirror or documented sources, digest-checked), then
# validate each dataset into typed tables and a dataset card. Studies read the tables only.

from tinyids.datasets.manifest import load_manifest

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


rule download_dataset_file:
    output:
        "resources/data/{dataset}/{filename}",
    wildcard_constraints:
        dataset="nsl-kdd|wustl-ehms-2020|mqtt-iot-ids2020",
    params:
        manifest=config["datasets"]["manifest"],
        timeout_s=config["datasets"].get("download_timeout_s", 60),
        max_mb=config["datasets"].get("max_archive_member_mb", 512),
    log:
        "logs/data/download/{dataset}/{filename}.log",
    benchmark:
        "benchmarks/data/download/{dataset}/{filename}.tsv"
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/data_download.py"


rule prepare_nslkdd:
    input:
        files=expand("resources/data/nsl-kdd/{stem}.txt", stem=NSLKDD_STEMS),
    output:
        tables=expand("results/data/nsl-kdd/{stem}.parquet", stem=NSLKDD_STEMS),
        card_json="results/data/nsl-kdd/card.json",
        card_md="results/data/nsl-kdd/card.md",
    params:
        dataset="nsl-kdd",
        manifest=config["datasets"]["manifest"],
        nan_policy=config["datasets"]["nan_policy"],
    log:
        "logs/data/prepare_nslkdd.log",
    benchmark:
        "benchmarks/data/prepare_nslkdd.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/data_prepare.py"


rule prepare_wustl:
    input:
        files=["resources/data/wustl-ehms-2020/wustl-ehms-2020_with_attacks_categories.csv"],
    output:
        tables=["results/data/wustl-ehms-2020/wustl-ehms-2020.parquet"],
        card_json="results/data/wustl-ehms-2020/card.json",
        card_md="results/data/wustl-ehms-2020/card.md",
    params:
        dataset="wustl-ehms-2020",
        manifest=config["datasets"]["manifest"],
        nan_policy=config["datasets"]["nan_policy"],
    log:
        "logs/data/prepare_wustl.log",
    benchmark:
        "benchmarks/data/prepare_wustl.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/data_prepare.py"


rule prepare_mqtt:
    input:
        files=expand("{dir}/uniflow_{cls}.csv", dir=MQTT_DIR, cls=MQTT_CLASSES),
    output:
        tables=["results/data/mqtt-iot-ids2020/uniflow.parquet"],
        card_json="results/data/mqtt-iot-ids2020/card.json",
        card_md="results/data/mqtt-iot-ids2020/card.md",
    params:
        dataset="mqtt-iot-ids2020",
        manifest=config["datasets"]["manifest"],
        nan_policy=config["datasets"]["nan_policy"],
        source=MQTT_SOURCE,
    log:
        "logs/data/prepare_mqtt.log",
    benchmark:
        "benchmarks/data/prepare_mqtt.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=15,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/data_prepare.py"


FINAL_TARGETS["data"] = [
    "results/data/nsl-kdd/card.md",
    "results/data/wustl-ehms-2020/card.md",
    "results/data/mqtt-iot-ids2020/card.md",
]
