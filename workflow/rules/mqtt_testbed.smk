# mqtt_testbed stage (issue 3): a real MQTT testbed in network namespaces (mosquitto broker,
# paho-mqtt sensors and camera, sshd victim, attacker with nmap/hydra), one capture window per
# MQTT-IoT-IDS2020 class, and the dataset's uniflow features extracted from each pcap.
# The capture needs root; see tinyids/testbed/capture.py for the topology and safety rules.

from tinyids.testbed.capture import CLASSES as MQTT_TESTBED_CLASSES
from tinyids.testbed.capture import planned_duration_s

MQTT_TESTBED = config["mqtt_testbed"]
# The capture's own settings: editing the published counts or the baselines reruns no capture.
MQTT_TESTBED_CAPTURE = {k: v for k, v in MQTT_TESTBED.items() if k not in ("published_counts", "baselines")}


rule mqtt_testbed_capture:
    output:
        pcaps=expand("resources/mqtt_testbed/pcap/{cls}.pcap", cls=MQTT_TESTBED_CLASSES),
        manifest="resources/mqtt_testbed/capture.json",
    params:
        cfg=MQTT_TESTBED_CAPTURE,
    log:
        "logs/mqtt_testbed/capture.log",
    benchmark:
        "benchmarks/mqtt_testbed/capture.tsv"
    localrule: True
    threads: 1  # the capture mostly waits; nmap, hydra and sshd run in its namespaces
    resources:
        mem_mb=2000,
        runtime=int(planned_duration_s(MQTT_TESTBED) / 60) + 10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/mqtt_testbed_capture.py"


rule mqtt_testbed_flows:
    input:
        pcap="resources/mqtt_testbed/pcap/{cls}.pcap",
        manifest="resources/mqtt_testbed/capture.json",
    output:
        csv="resources/mqtt_testbed/uniflow_{cls}.csv",
        stats="resources/mqtt_testbed/extraction_{cls}.json",
    wildcard_constraints:
        cls="|".join(MQTT_TESTBED_CLASSES),
    params:
        flow_timeout_s=MQTT_TESTBED["flow_timeout_s"],
    log:
        "logs/mqtt_testbed/flows_{cls}.log",
    benchmark:
        "benchmarks/mqtt_testbed/flows_{cls}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/mqtt_testbed_flows.py"


rule mqtt_testbed_card:
    input:
        csvs=expand("resources/mqtt_testbed/uniflow_{cls}.csv", cls=MQTT_TESTBED_CLASSES),
        stats=expand("resources/mqtt_testbed/extraction_{cls}.json", cls=MQTT_TESTBED_CLASSES),
        manifest="resources/mqtt_testbed/capture.json",
    output:
        json="results/mqtt_testbed/card.json",
        md="results/mqtt_testbed/card.md",
        published="results/mqtt_testbed/counts_vs_published.csv",
    params:
        cfg=MQTT_TESTBED_CAPTURE | {"published_counts": MQTT_TESTBED["published_counts"]},
        smoke=bool(config.get("smoke", False)),
    log:
        "logs/mqtt_testbed/card.log",
    benchmark:
        "benchmarks/mqtt_testbed/card.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/mqtt_testbed_card.py"


# The dataset authors' classifier set (their classification.py) on the validated uniflow table
# (the testbed's files when datasets.mqtt.source is testbed), beside a replication's figures.
rule mqtt_testbed_baselines:
    input:
        table="results/data/mqtt-iot-ids2020/uniflow.parquet",
    output:
        csv="results/mqtt_testbed/baselines.csv",
        md="results/mqtt_testbed/baselines.md",
    params:
        cfg=MQTT_TESTBED["baselines"],
        smoke=bool(config.get("smoke", False)),
    log:
        "logs/mqtt_testbed/baselines.log",
    benchmark:
        "benchmarks/mqtt_testbed/baselines.tsv"
    threads: 2  # k-NN and the random forest use them; results do not depend on the count
    resources:
        mem_mb=6000,
        runtime=120,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/mqtt_testbed_baselines.py"


FINAL_TARGETS["mqtt_testbed"] = [
    "results/mqtt_testbed/card.json",
    "results/mqtt_testbed/card.md",
    "results/mqtt_testbed/counts_vs_published.csv",
    "results/mqtt_testbed/baselines.csv",
    "results/mqtt_testbed/baselines.md",
]
