# Data stage: acquire each dataset file (mirror or documented sources, digest-checked), then
# validate each dataset into typed tables and a dataset card. Studies read the tables only.

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
