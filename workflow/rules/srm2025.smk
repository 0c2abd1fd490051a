# srm2025 stage: classical and tiny classifiers on NSL-KDD (Vaddempudi, Chinta, Kuruva 2025).
# fit (per protocol; hands the tiny models over as runs/<protocol>/tiny/: facts.json, arrays.npz,
# one joblib per scikit-learn estimator, see tinyids.srm2025.handover)
# -> export tiny models to C / int8 TFLite with gcc parity (per protocol)
# -> deploy copy -> merged metrics -> paper comparison (both encodings where they differ) and plots;
# the tiny NN's quantization ablation (per protocol, in the export) -> one study file and its plot.

from tinyids.srm2025 import handover as srm2025_handover
from tinyids.srm2025 import names as srm2025_names
from tinyids.study.layout import SRM2025 as SRM2025_LAYOUT

SRM2025 = config["srm2025"]
SRM2025_PROTOCOLS = list(SRM2025["protocols"])
SRM2025_TINY = list(SRM2025["tiny"]["models"])
SRM2025_DEPLOY_PROTOCOL = SRM2025["deploy_protocol"]
SRM2025_SMOKE = bool(config.get("smoke", False))
SRM2025_STANDARD_TESTS = [validated_table("nsl-kdd", stem) for stem in srm2025_names.TEST_SETS["standard"]]
SRM2025_PLOTS = srm2025_names.plot_files(SRM2025["plots"]["metrics"], SRM2025_PROTOCOLS)
SRM2025_ABLATION_PLOT = SRM2025_LAYOUT.path("plots/quantization_ablation.png")
# Wildcards of the per-protocol rules: the configured protocols (and the deploy protocol).
SRM2025_WC = SRM2025_LAYOUT.constraints(protocol=[*SRM2025_PROTOCOLS, SRM2025_DEPLOY_PROTOCOL])


rule srm2025_fit:
    input:
        train=validated_table("nsl-kdd", NSLKDD_TRAIN_STEM),
        tests=lambda wildcards: SRM2025_STANDARD_TESTS if wildcards.protocol == "standard" else [],
    output:
        metrics=SRM2025_LAYOUT.file("metrics.csv"),
        scores=SRM2025_LAYOUT.file("scores.parquet"),
        budgets=SRM2025_LAYOUT.file("budgets.csv"),
        encodings=SRM2025_LAYOUT.file("encodings.csv"),
        handover=srm2025_handover.files(SRM2025_LAYOUT.file("tiny"), SRM2025_TINY),
    wildcard_constraints:
        **SRM2025_WC,
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
        handover=srm2025_handover.files(SRM2025_LAYOUT.file("tiny"), SRM2025_TINY),
    output:
        files=srm2025_names.export_files(SRM2025_LAYOUT.dir("export"), SRM2025_TINY),
        records=SRM2025_LAYOUT.file("exports.csv", "export"),
        metrics=SRM2025_LAYOUT.file("metrics_int8.csv", "export"),
        scores=SRM2025_LAYOUT.file("scores_int8.parquet", "export"),
        budgets=SRM2025_LAYOUT.file("budgets.csv", "export"),
        ablation=SRM2025_LAYOUT.file("ablation.csv", "export"),
        zero_point=SRM2025_LAYOUT.file("zero_point.csv", "export"),
    wildcard_constraints:
        **SRM2025_WC,
    params:
        budgets=SRM2025["tiny"]["budgets"],
        out_dir=lambda wildcards: SRM2025_LAYOUT.dir("export", protocol=wildcards.protocol),
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
        files=srm2025_names.export_files(SRM2025_LAYOUT.dir("export", protocol=SRM2025_DEPLOY_PROTOCOL), SRM2025_TINY),
    output:
        files=srm2025_names.export_files(SRM2025_LAYOUT.deploy_dir, SRM2025_TINY),
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
        runs=SRM2025_LAYOUT.files("metrics.csv", protocol=SRM2025_PROTOCOLS),
        records=SRM2025_LAYOUT.files("exports.csv", "export", protocol=SRM2025_PROTOCOLS),
        int8=SRM2025_LAYOUT.files("metrics_int8.csv", "export", protocol=SRM2025_PROTOCOLS),
        budgets=[
            *SRM2025_LAYOUT.files("budgets.csv", protocol=SRM2025_PROTOCOLS),
            *SRM2025_LAYOUT.files("budgets.csv", "export", protocol=SRM2025_PROTOCOLS),
        ],
    output:
        metrics="results/srm2025/metrics.csv",
        budgets="results/srm2025/budgets.csv",
    params:
        seed=study_seed("srm2025"),
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


rule srm2025_ablation:
    input:
        ablation=SRM2025_LAYOUT.files("ablation.csv", "export", protocol=SRM2025_PROTOCOLS),
        zero_point=SRM2025_LAYOUT.files("zero_point.csv", "export", protocol=SRM2025_PROTOCOLS),
    output:
        csv="results/srm2025/quantization_ablation.csv",
        zero_point="results/srm2025/quantization_zero_point.csv",
        plot=SRM2025_ABLATION_PLOT,
    log:
        "logs/srm2025/ablation.log",
    benchmark:
        "benchmarks/srm2025/ablation.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/srm2025_ablation.py"


rule srm2025_compare:
    input:
        metrics="results/srm2025/metrics.csv",
        encodings=SRM2025_LAYOUT.files("encodings.csv", protocol=SRM2025_PROTOCOLS),
    output:
        csv="results/srm2025/paper_comparison.csv",
        md="results/srm2025/paper_comparison.md",
    params:
        paper=SRM2025["paper"],
        compare_encoding=SRM2025["compare_encoding"],
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
        scores=SRM2025_LAYOUT.files("scores.parquet", protocol=SRM2025_PROTOCOLS),
        int8=SRM2025_LAYOUT.files("scores_int8.parquet", "export", protocol=SRM2025_PROTOCOLS),
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
    "results/srm2025/quantization_ablation.csv",
    "results/srm2025/quantization_zero_point.csv",
    SRM2025_ABLATION_PLOT,
    *SRM2025_PLOTS,
    *srm2025_names.export_files(SRM2025_LAYOUT.deploy_dir, SRM2025_TINY),
]
