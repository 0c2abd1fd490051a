# srm2025 stage: classical and tiny classifiers on NSL-KDD (Vaddempudi, Chinta, Kuruva 2025).
# fit (per protocol) -> export tiny models to C / int8 TFLite with gcc parity (per protocol)
# -> deploy copy -> merged metrics -> paper comparison and plots.

from tinyids.srm2025 import layout as srm2025_layout

SRM2025 = config["srm2025"]
SRM2025_PROTOCOLS = list(SRM2025["protocols"])
SRM2025_TINY = list(SRM2025["tiny"]["models"])
SRM2025_DEPLOY_PROTOCOL = SRM2025["deploy_protocol"]
SRM2025_SMOKE = bool(config.get("smoke", False))
SRM2025_STANDARD_TESTS = [validated_table("nsl-kdd", stem) for stem in srm2025_layout.TEST_SETS["standard"]]
SRM2025_PLOTS = srm2025_layout.plot_files(SRM2025["plots"]["metrics"], SRM2025_PROTOCOLS)


rule srm2025_fit:
    input:
        train=validated_table("nsl-kdd", NSLKDD_TRAIN_STEM),
        tests=lambda wildcards: SRM2025_STANDARD_TESTS if wildcards.protocol == "standard" else [],
    output:
        metrics="results/srm2025/runs/{protocol}/metrics.csv",
        scores="results/srm2025/runs/{protocol}/scores.parquet",
        budgets="results/srm2025/runs/{protocol}/budgets.csv",
        bundle="results/srm2025/runs/{protocol}/tiny_models.pkl",
    wildcard_constraints:
        protocol="thesis|standard",
    params:
        cfg=SRM2025,
        seed=study_seed("srm2025"),
        train_file=NSLKDD_TRAIN_STEM,
    log:
        "logs/srm2025/fit_{protocol}.log",
    benchmark:
        "benchmarks/srm2025/fit_{protocol}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_fit.py"


rule srm2025_export:
    input:
        bundle="results/srm2025/runs/{protocol}/tiny_models.pkl",
    output:
        files=srm2025_layout.export_files("results/srm2025/exports/{protocol}", SRM2025_TINY),
        records="results/srm2025/exports/{protocol}/exports.csv",
        metrics="results/srm2025/exports/{protocol}/metrics_int8.csv",
        scores="results/srm2025/exports/{protocol}/scores_int8.parquet",
        budgets="results/srm2025/exports/{protocol}/budgets.csv",
    wildcard_constraints:
        protocol="thesis|standard",
    params:
        budgets=SRM2025["tiny"]["budgets"],
        out_dir=lambda wildcards: f"results/srm2025/exports/{wildcards.protocol}",
    log:
        "logs/srm2025/export_{protocol}.log",
    benchmark:
        "benchmarks/srm2025/export_{protocol}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_export.py"


rule srm2025_deploy:
    input:
        files=srm2025_layout.export_files(f"results/srm2025/exports/{SRM2025_DEPLOY_PROTOCOL}", SRM2025_TINY),
    output:
        files=srm2025_layout.export_files("results/srm2025/deploy", SRM2025_TINY),
    log:
        "logs/srm2025/deploy.log",
    benchmark:
        "benchmarks/srm2025/deploy.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_deploy.py"


rule srm2025_metrics:
    input:
        runs=expand("results/srm2025/runs/{protocol}/metrics.csv", protocol=SRM2025_PROTOCOLS),
        records=expand("results/srm2025/exports/{protocol}/exports.csv", protocol=SRM2025_PROTOCOLS),
        int8=expand("results/srm2025/exports/{protocol}/metrics_int8.csv", protocol=SRM2025_PROTOCOLS),
        budgets=expand(
            "results/srm2025/{step}/{protocol}/budgets.csv", step=["runs", "exports"], protocol=SRM2025_PROTOCOLS
        ),
    output:
        metrics="results/srm2025/metrics.csv",
        budgets="results/srm2025/budgets.csv",
    log:
        "logs/srm2025/metrics.log",
    benchmark:
        "benchmarks/srm2025/metrics.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_metrics.py"


rule srm2025_compare:
    input:
        metrics="results/srm2025/metrics.csv",
    output:
        csv="results/srm2025/paper_comparison.csv",
        md="results/srm2025/paper_comparison.md",
    params:
        paper=SRM2025["paper"],
        smoke=SRM2025_SMOKE,
    log:
        "logs/srm2025/compare.log",
    benchmark:
        "benchmarks/srm2025/compare.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_compare.py"


rule srm2025_plots:
    input:
        metrics="results/srm2025/metrics.csv",
        scores=expand("results/srm2025/runs/{protocol}/scores.parquet", protocol=SRM2025_PROTOCOLS),
        int8=expand("results/srm2025/exports/{protocol}/scores_int8.parquet", protocol=SRM2025_PROTOCOLS),
    output:
        plots=SRM2025_PLOTS,
    params:
        smoke=SRM2025_SMOKE,
    log:
        "logs/srm2025/plots.log",
    benchmark:
        "benchmarks/srm2025/plots.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_plots.py"


FINAL_TARGETS["srm2025"] = [
    "results/srm2025/metrics.csv",
    "results/srm2025/budgets.csv",
    "results/srm2025/paper_comparison.csv",
    "results/srm2025/paper_comparison.md",
    *SRM2025_PLOTS,
    *srm2025_layout.export_files("results/srm2025/deploy", SRM2025_TINY),
]
