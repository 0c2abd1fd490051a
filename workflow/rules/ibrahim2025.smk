# ibrahim2025 stage: PCA-DNN with weight pruning on WUSTL-EHMS-2020 (Ibrahim, Fagge, Mabu).
#
# Per (protocol, fold): prepare (split, scaler, SMOTE, PCA) -> train the full MLP -> prune and
# fine-tune each variant; every model is evaluated and exported (.keras, float and int8 .tflite)
# by the job that trains it; robust.models get a quantization-robust int8 variant "<model>_robust".
# Then: metrics.csv, statistics, plots, paper comparison, the compression-step ablation, deployables.

from tinyids.ibrahim2025 import settings as _ib_settings
from tinyids.ibrahim2025.deploy import deploy_name as _ib_deploy_name
from tinyids.ibrahim2025.ablation import ablation_runs as _ib_ablation_runs
from tinyids.ibrahim2025.robust import robust_name as _ib_robust_name
from tinyids.study.layout import IBRAHIM2025 as IB_LAYOUT

IB = _ib_settings.from_config(config)  # cross-key checks fail here, before any job runs
IB_MODELS = list(IB.models)
IB_RUN = IB_LAYOUT.dir()  # results/ibrahim2025/runs/{protocol}/fold{fold}
IB_OUT = IB_LAYOUT.out
# What the scripts read: the section, the seed, the smoke flag. The `paper` block only matters to
# the comparison, so editing it does not retrain anything (params are a rerun trigger).
IB_CFG = {"ibrahim2025": dict(config["ibrahim2025"]), "seed": study_seed("ibrahim2025"), "smoke": config.get("smoke", False)}
# Training reads neither the paper block nor the robust-variant settings: editing them retrains nothing.
IB_CFG_TRAIN = {**IB_CFG, "ibrahim2025": {k: v for k, v in config["ibrahim2025"].items() if k not in ("paper", "robust")}}
IB_CFG_ROBUST = {**IB_CFG, "ibrahim2025": {k: v for k, v in config["ibrahim2025"].items() if k != "paper"}}
IB_EPOCHS = IB.training.epochs
IB_FT_EPOCHS = IB.pruning.fine_tune_epochs
# Wildcards of the per-run rules: the configured protocols, a number for the fold.
IB_WC = IB_LAYOUT.constraints(protocol=IB.protocols)

IB_KEYS = [(p, f, m) for p in IB.protocols for f in IB.folds for m in IB.models_of(p)]
IB_STAT_OUT = {"statistics": f"{IB_OUT}/statistics.csv"}
if IB.cv_folds > 1:
    IB_STAT_OUT["ttest"] = f"{IB_OUT}/fold_ttest.csv"
IB_PLOTS = expand(IB_LAYOUT.path("plots/{protocol}_{kind}.png"), protocol=IB.protocols, kind=["roc", "training", "confusion"])
# Quantization-robust variants "<model>_robust" (issue 14) and the compression-step ablation.
IB_ROBUST_KEYS = [(p, f, m) for p in IB.protocols for f in IB.folds for m in IB.robust_models_of(p)]
IB_ROBUST_MODELS = [_ib_robust_name(m) for m in IB.robust.models]
for _m in IB.deploy_models:
    if _m.endswith("_robust") and _m not in IB_ROBUST_MODELS:
        raise ValueError(f"ibrahim2025.deploy.models: {_m} needs {_m[:-len('_robust')]} in ibrahim2025.robust.models")


IB_ABLATION_RUNS = _ib_ablation_runs(IB_LAYOUT, IB_KEYS, IB_ROBUST_KEYS)
IB_ABLATION_OUT = {
    "csv": f"{IB_OUT}/quantization_ablation.csv",
    "zero_point": f"{IB_OUT}/quantization_zero_point.csv",
    "png": f"{IB_OUT}/plots/quantization_ablation.png",
}
IB_DEPLOY = IB_LAYOUT.deploy_files([_ib_deploy_name(p, m) for p in IB.deploy_protocols for m in IB.deploy_models])


rule ibrahim2025_prepare:
    input:
        table=validated_table("wustl-ehms-2020", "wustl-ehms-2020"),
    output:
        data=f"{IB_RUN}/data.npz",
        preprocess=f"{IB_RUN}/preprocess.json",
    wildcard_constraints:
        **IB_WC,
    params:
        cfg=IB_CFG_TRAIN,
    log:
        "logs/ibrahim2025/prepare_{protocol}_fold{fold}.log",
    benchmark:
        "benchmarks/ibrahim2025/prepare_{protocol}_fold{fold}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_prepare.py"


rule ibrahim2025_train_full:
    input:
        data=f"{IB_RUN}/data.npz",
    output:
        **IB_LAYOUT.record("full"),
    wildcard_constraints:
        **IB_WC,
    params:
        cfg=IB_CFG_TRAIN,
    log:
        "logs/ibrahim2025/train_full_{protocol}_fold{fold}.log",
    benchmark:
        "benchmarks/ibrahim2025/train_full_{protocol}_fold{fold}.tsv"
    threads: IB.threads
    resources:
        mem_mb=4000,
        runtime=10 + IB_EPOCHS,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_train_full.py"


rule ibrahim2025_prune:
    input:
        data=f"{IB_RUN}/data.npz",
        full=f"{IB_RUN}/full.keras",
    output:
        **IB_LAYOUT.record("{variant}"),
    wildcard_constraints:
        **IB_WC,
        variant=one_of(IB.pruning.variants),
    params:
        cfg=IB_CFG_TRAIN,
    log:
        "logs/ibrahim2025/prune_{variant}_{protocol}_fold{fold}.log",
    benchmark:
        "benchmarks/ibrahim2025/prune_{variant}_{protocol}_fold{fold}.tsv"
    threads: IB.threads
    resources:
        mem_mb=4000,
        runtime=10 + 3 * IB_FT_EPOCHS,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_prune.py"


rule ibrahim2025_robust:
    input:
        data=f"{IB_RUN}/data.npz",
        keras=IB_LAYOUT.record_file("{model}", "keras"),
        eval=IB_LAYOUT.record_file("{model}", "eval"),
    output:
        keras=IB_LAYOUT.record_file("{model}_robust", "keras"),
        int8=IB_LAYOUT.record_file("{model}_robust", "tflite_int8"),
        eval=IB_LAYOUT.record_file("{model}_robust", "eval"),
    wildcard_constraints:
        **IB_WC,
        model=one_of(IB.robust.models),
    params:
        cfg=IB_CFG_ROBUST,
    log:
        "logs/ibrahim2025/robust_{model}_{protocol}_fold{fold}.log",
    benchmark:
        "benchmarks/ibrahim2025/robust_{model}_{protocol}_fold{fold}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=15,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_robust.py"


rule ibrahim2025_ablation:
    input:
        files=sorted({v for run in IB_ABLATION_RUNS for k, v in run.items()
                      if v and k not in ("protocol", "fold", "model")}),
    output:
        **IB_ABLATION_OUT,
    params:
        runs=IB_ABLATION_RUNS,
        cfg=IB_CFG_ROBUST,
    log:
        "logs/ibrahim2025/ablation.log",
    benchmark:
        "benchmarks/ibrahim2025/ablation.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_ablation.py"


rule ibrahim2025_metrics:
    input:
        evals=[IB_LAYOUT.record_file(m, "eval", protocol=p, fold=f) for p, f, m in IB_KEYS],
    output:
        metrics=f"{IB_OUT}/metrics.csv",
    log:
        "logs/ibrahim2025/metrics.log",
    benchmark:
        "benchmarks/ibrahim2025/metrics.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_metrics.py"


rule ibrahim2025_statistics:
    input:
        predictions=[IB_LAYOUT.record_file(m, "predictions", protocol=p, fold=f) for p, f, m in IB_KEYS],
    output:
        **IB_STAT_OUT,
    params:
        runs=IB_KEYS,
        cfg=IB_CFG_TRAIN,
    log:
        "logs/ibrahim2025/statistics.log",
    benchmark:
        "benchmarks/ibrahim2025/statistics.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_statistics.py"


rule ibrahim2025_plots:
    input:
        predictions=lambda wc: [IB_LAYOUT.record_file(m, "predictions", protocol=wc.protocol, fold=0)
                                for m in IB.models_of(wc.protocol)],
        histories=lambda wc: [IB_LAYOUT.record_file(m, "history", protocol=wc.protocol, fold=0)
                              for m in IB.models_of(wc.protocol)],
    output:
        roc=f"{IB_OUT}/plots/{{protocol}}_roc.png",
        training=f"{IB_OUT}/plots/{{protocol}}_training.png",
        confusion=f"{IB_OUT}/plots/{{protocol}}_confusion.png",
    wildcard_constraints:
        protocol=one_of(IB.protocols),
    params:
        models=lambda wc: list(IB.models_of(wc.protocol)),
        smoke=IB.smoke,
    log:
        "logs/ibrahim2025/plots_{protocol}.log",
    benchmark:
        "benchmarks/ibrahim2025/plots_{protocol}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_plots.py"


rule ibrahim2025_compare:
    input:
        metrics=f"{IB_OUT}/metrics.csv",
        statistics=f"{IB_OUT}/statistics.csv",
        robust=[IB_LAYOUT.record_file(_ib_robust_name(m), "eval", protocol=p, fold=f) for p, f, m in IB_ROBUST_KEYS],
    output:
        csv=f"{IB_OUT}/paper_comparison.csv",
        md=f"{IB_OUT}/paper_comparison.md",
    params:
        cfg=IB_CFG,
    log:
        "logs/ibrahim2025/compare.log",
    benchmark:
        "benchmarks/ibrahim2025/compare.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_compare.py"


rule ibrahim2025_deploy:
    input:
        int8=IB_LAYOUT.record_file("{model}", "tflite_int8", fold=0),
        data=IB_LAYOUT.file("data.npz", fold=0),
        preprocess=IB_LAYOUT.file("preprocess.json", fold=0),
        eval=IB_LAYOUT.record_file("{model}", "eval", fold=0),
    output:
        tflite=f"{IB_OUT}/deploy/ibrahim2025_{{protocol}}_{{model}}.tflite",
        npz=f"{IB_OUT}/deploy/ibrahim2025_{{protocol}}_{{model}}.npz",
        json=f"{IB_OUT}/deploy/ibrahim2025_{{protocol}}_{{model}}.json",
    wildcard_constraints:
        protocol=one_of(IB.protocols),
        model=one_of(IB_MODELS + IB_ROBUST_MODELS),
    log:
        "logs/ibrahim2025/deploy_{protocol}_{model}.log",
    benchmark:
        "benchmarks/ibrahim2025/deploy_{protocol}_{model}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/ibrahim2025_deploy.py"


FINAL_TARGETS["ibrahim2025"] = [
    f"{IB_OUT}/metrics.csv",
    *IB_STAT_OUT.values(),
    *IB_PLOTS,
    f"{IB_OUT}/paper_comparison.csv",
    f"{IB_OUT}/paper_comparison.md",
    *IB_ABLATION_OUT.values(),
    *IB_DEPLOY,
]
