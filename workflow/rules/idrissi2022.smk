# idrissi2022 stage: 1D-CNN DL-HIDS on MQTT-IoT-IDS2020 uniflow and its variants
# (Idrissi, Azizi, Moussaoui 2022; package tinyids/idrissi2022).
#
# Per (protocol, seed): prepare (drop identifiers, encode, unit norm, 60/20/20, chi-square 16 -> 7)
# -> train OM, POM, POM7 -> build tM, tMO, tMOP, tMO_QAT -> evaluate; LiteRT timing and TFLM arena
# bisection of the .tflite variants; the float32 / dynamic-range conversions of tMO and tMOP
# (issue 16); the quantization-robust variants (robust/, issue 14). Then: metrics.csv, chi2
# features, paper comparison, plots, quantization_ablation.csv + _zero_point.csv, and the int8
# deployables (the robust ones too) (first seed) under results/idrissi2022/deploy: tMO / tMOP from the
# `deploy_protocol` (what codegen and firmware read), tMO_<protocol> / tMOP_<protocol> otherwise.

from tinyids.idrissi2022 import robust as idrobust
from tinyids.idrissi2022 import variants as idv
from tinyids.study.layout import IDRISSI2022 as ID_LAYOUT

ID_SEC = config["idrissi2022"]
ID_OUT = ID_LAYOUT.out
ID_RUN = ID_LAYOUT.dir()  # results/idrissi2022/{protocol}/seed{seed}
ID_SEED = study_seed("idrissi2022")
ID_SEEDS = [ID_SEED + r for r in range(int(ID_SEC["replicates"]))]
ID_PROTOCOLS = list(ID_SEC["protocols"])
ID_SMOKE = bool(config.get("smoke", False))
# Each rule gets only the keys it reads (params are a rerun trigger): editing the `paper` block
# or the timing settings retrains nothing.
ID_CFG_PREP = {k: ID_SEC.get(k) for k in ("features", "classes", "dropped_identifiers", "split", "chi2_k", "max_rows")}
ID_CFG_TRAIN = {k: ID_SEC[k] for k in ("architecture", "train")}
ID_CFG_VARIANT = {k: ID_SEC[k] for k in ("train", "optimize")}
ID_CFG_BENCH = {"bench": ID_SEC["bench"]}
ID_CFG_ARENA = {"arena": ID_SEC["arena"]}
ID_CFG_ALL = dict(ID_SEC)
ID_VARIANTS = list(ID_SEC["variants"])
ID_TFLITE = idv.tflite_variants(ID_VARIANTS)
ID_KERAS = idv.keras_models(ID_VARIANTS)
# Wildcards of the per-run rules: the configured protocols, a number for the seed.
ID_WC = ID_LAYOUT.constraints(protocol=ID_PROTOCOLS)
ID_KEYS = [(p, v) for p in ID_PROTOCOLS for v in ID_VARIANTS]
ID_DEPLOY_PROTOCOL = idv.deploy_protocol(ID_PROTOCOLS, ID_SEC.get("deploy_protocol", "dedup"))
ID_DEPLOY_NAMES = idv.deploy_names(ID_PROTOCOLS, ID_SEC["deployables"], ID_VARIANTS, ID_DEPLOY_PROTOCOL)
ID_DEPLOY_FILES = ID_LAYOUT.deploy_files(ID_DEPLOY_NAMES)
ID_CONFUSION_PNGS = [ID_LAYOUT.path(f"plots/confusion_{p}_{v}.png") for p, v in ID_KEYS]
ID_FIRST = ID_LAYOUT.dir(seed=ID_SEEDS[0])
ID_DEPLOY_OF = {n: idv.parse_deploy_name(n, ID_PROTOCOLS, ID_DEPLOY_PROTOCOL) for n in ID_DEPLOY_NAMES}
# Issue 16: float32 and dynamic-range .tflite of tMO / tMOP beside the full-int8 ones.
ID_CONVERSIONS = idv.conversion_variants(ID_VARIANTS)
ID_CONVERTED = [v for v in idv.CONVERTED if v in ID_VARIANTS]
# Issue 14: the quantization-robust variants (log1p + min-max fitted on training rows), their
# deployables and the ablation of every compression step.
ID_ROBUST_SEC = ID_SEC["robust"]
ID_ROBUST = idrobust.variant_names(ID_ROBUST_SEC)
ID_CFG_ROBUST = {k: ID_SEC[k] for k in ("architecture", "robust", "optimize")}
ID_ROBUST_DEPLOY_NAMES = idv.robust_deploy_names(ID_PROTOCOLS, ID_ROBUST_SEC["deployables"], ID_ROBUST,
                                                 ID_DEPLOY_PROTOCOL)
ID_ROBUST_DEPLOY_OF = {n: idv.parse_deploy_name(n, ID_PROTOCOLS, ID_DEPLOY_PROTOCOL) for n in ID_ROBUST_DEPLOY_NAMES}
ID_RUNS = [{"protocol": p, "seed": s, "dir": ID_LAYOUT.dir(protocol=p, seed=s)} for p in ID_PROTOCOLS for s in ID_SEEDS]


rule idrissi2022_architecture:
    output:
        table=f"{ID_OUT}/architecture_search.csv",
        summary=f"{ID_OUT}/architecture_search.json",
    params:
        cfg=ID_CFG_ALL,
    log:
        "logs/idrissi2022/architecture.log",
    benchmark:
        "benchmarks/idrissi2022/architecture.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_architecture.py"


rule idrissi2022_prepare:
    input:
        uniflow=validated_table("mqtt-iot-ids2020", "uniflow"),
    output:
        data=f"{ID_RUN}/data.npz",
        chi2=f"{ID_RUN}/chi2.csv",
        report=f"{ID_RUN}/prepare.json",
    wildcard_constraints:
        **ID_WC,
    params:
        cfg=ID_CFG_PREP,
    log:
        "logs/idrissi2022/prepare_{protocol}_seed{seed}.log",
    benchmark:
        "benchmarks/idrissi2022/prepare_{protocol}_seed{seed}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_prepare.py"


rule idrissi2022_train:
    input:
        data=f"{ID_RUN}/data.npz",
    output:
        model=f"{ID_RUN}/models/{{model}}.h5",
        history=f"{ID_RUN}/models/{{model}}_history.json",
    wildcard_constraints:
        **ID_WC,
        model=one_of(ID_KERAS),
    params:
        cfg=ID_CFG_TRAIN,
    log:
        "logs/idrissi2022/train_{protocol}_seed{seed}_{model}.log",
    benchmark:
        "benchmarks/idrissi2022/train_{protocol}_seed{seed}_{model}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_train.py"


rule idrissi2022_variant:
    input:
        base=lambda wc: ID_LAYOUT.file(idv.base_file(wc.variant), protocol=wc.protocol, seed=wc.seed),
        data=f"{ID_RUN}/data.npz",
    output:
        tflite=f"{ID_RUN}/variants/{{variant}}.tflite",
        model=f"{ID_RUN}/variants/{{variant}}.h5",
        info=f"{ID_RUN}/variants/{{variant}}.json",
    wildcard_constraints:
        **ID_WC,
        variant=one_of(ID_TFLITE),
    params:
        cfg=ID_CFG_VARIANT,
    log:
        "logs/idrissi2022/variant_{protocol}_seed{seed}_{variant}.log",
    benchmark:
        "benchmarks/idrissi2022/variant_{protocol}_seed{seed}_{variant}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_variant.py"


if ID_CONVERSIONS:

    rule idrissi2022_convert:
        input:
            models=expand(f"{ID_RUN}/variants/{{v}}.h5", v=ID_CONVERTED, allow_missing=True),
        output:
            tflites=expand(f"{ID_RUN}/variants/{{c}}.tflite", c=ID_CONVERSIONS, allow_missing=True),
            info=f"{ID_RUN}/variants/conversions.json",
        wildcard_constraints:
            **ID_WC,
        params:
            sources=ID_CONVERTED,
            names=ID_CONVERSIONS,
        log:
            "logs/idrissi2022/convert_{protocol}_seed{seed}.log",
        benchmark:
            "benchmarks/idrissi2022/convert_{protocol}_seed{seed}.tsv"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../../envs/tinyids.yaml"
        script:
            "../scripts/idrissi2022_convert.py"


rule idrissi2022_robust:
    input:
        uniflow=validated_table("mqtt-iot-ids2020", "uniflow"),
        data=f"{ID_RUN}/data.npz",
    output:
        tflite=f"{ID_RUN}/robust/{{rvariant}}.tflite",
        dynamic=f"{ID_RUN}/robust/{{rvariant}}_dynamic.tflite",
        model=f"{ID_RUN}/robust/{{rvariant}}.h5",
        compressed=f"{ID_RUN}/robust/{{rvariant}}_compressed.h5",
        npz=f"{ID_RUN}/robust/{{rvariant}}.npz",
        eval=f"{ID_RUN}/robust/{{rvariant}}_eval.json",
    wildcard_constraints:
        **ID_WC,
        rvariant=one_of(ID_ROBUST),
    params:
        cfg=ID_CFG_ROBUST,
    log:
        "logs/idrissi2022/robust_{protocol}_seed{seed}_{rvariant}.log",
    benchmark:
        "benchmarks/idrissi2022/robust_{protocol}_seed{seed}_{rvariant}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_robust.py"


rule idrissi2022_ablation:
    input:
        data=ID_LAYOUT.files("data.npz", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        models=lambda wc: [p for r in ID_RUNS for p in idv.ablation_inputs(r["dir"], ID_VARIANTS, ID_ROBUST)],
    output:
        csv=f"{ID_OUT}/quantization_ablation.csv",
        zero_point=f"{ID_OUT}/quantization_zero_point.csv",
        png=f"{ID_OUT}/plots/quantization_ablation.png",
    params:
        runs=ID_RUNS,
        variants=ID_VARIANTS,
        robust={r["name"]: bool(r["compress"]) for r in ID_ROBUST_SEC["variants"]},
    log:
        "logs/idrissi2022/ablation.log",
    benchmark:
        "benchmarks/idrissi2022/ablation.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_ablation.py"


rule idrissi2022_evaluate:
    input:
        data=f"{ID_RUN}/data.npz",
        models=lambda wc: idv.eval_inputs(ID_LAYOUT.dir(protocol=wc.protocol, seed=wc.seed), ID_VARIANTS),
    output:
        metrics=f"{ID_RUN}/eval.json",
        confusion=f"{ID_RUN}/confusion.npz",
    wildcard_constraints:
        **ID_WC,
    params:
        files=lambda wc: idv.eval_files(ID_LAYOUT.dir(protocol=wc.protocol, seed=wc.seed), ID_VARIANTS),
    log:
        "logs/idrissi2022/evaluate_{protocol}_seed{seed}.log",
    benchmark:
        "benchmarks/idrissi2022/evaluate_{protocol}_seed{seed}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_evaluate.py"


rule idrissi2022_benchmark:
    input:
        data=f"{ID_RUN}/data.npz",
        tflites=expand(f"{ID_RUN}/variants/{{variant}}.tflite", variant=ID_TFLITE, allow_missing=True),
    output:
        timing=f"{ID_RUN}/timing.json",
    wildcard_constraints:
        **ID_WC,
    params:
        cfg=ID_CFG_BENCH,
        variants=ID_TFLITE,
    log:
        "logs/idrissi2022/benchmark_{protocol}_seed{seed}.log",
    benchmark:
        "benchmarks/idrissi2022/benchmark_{protocol}_seed{seed}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=20,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_benchmark.py"


rule idrissi2022_arena:
    input:
        data=f"{ID_RUN}/data.npz",
        tflites=expand(f"{ID_RUN}/variants/{{variant}}.tflite", variant=ID_TFLITE, allow_missing=True),
    output:
        arena=f"{ID_RUN}/arena.json",
    wildcard_constraints:
        **ID_WC,
    params:
        cfg=ID_CFG_ARENA,
        variants=ID_TFLITE,
    log:
        "logs/idrissi2022/arena_{protocol}_seed{seed}.log",
    benchmark:
        "benchmarks/idrissi2022/arena_{protocol}_seed{seed}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_arena.py"


rule idrissi2022_collect:
    input:
        evals=ID_LAYOUT.files("eval.json", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        timings=ID_LAYOUT.files("timing.json", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        arenas=ID_LAYOUT.files("arena.json", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        reports=ID_LAYOUT.files("prepare.json", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        chi2=ID_LAYOUT.files("chi2.csv", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        infos=ID_LAYOUT.files("variants/{variant}.json", variant=ID_TFLITE, protocol=ID_PROTOCOLS, seed=ID_SEEDS),
        robust=ID_LAYOUT.files("robust/{rvariant}_eval.json", rvariant=ID_ROBUST, protocol=ID_PROTOCOLS, seed=ID_SEEDS),
    output:
        metrics=f"{ID_OUT}/metrics.csv",
        arena=f"{ID_OUT}/arena.csv",
        features=f"{ID_OUT}/chi2_features.csv",
    params:
        smoke=ID_SMOKE,
    log:
        "logs/idrissi2022/collect.log",
    benchmark:
        "benchmarks/idrissi2022/collect.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_collect.py"


rule idrissi2022_compare:
    input:
        metrics=f"{ID_OUT}/metrics.csv",
        arena=f"{ID_OUT}/arena.csv",
    output:
        csv=f"{ID_OUT}/paper_comparison.csv",
        md=f"{ID_OUT}/paper_comparison.md",
    params:
        cfg=ID_CFG_ALL,
        smoke=ID_SMOKE,
    log:
        "logs/idrissi2022/compare.log",
    benchmark:
        "benchmarks/idrissi2022/compare.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_compare.py"


rule idrissi2022_plots:
    input:
        metrics=f"{ID_OUT}/metrics.csv",
        confusions=ID_LAYOUT.files("confusion.npz", protocol=ID_PROTOCOLS, seed=ID_SEEDS),
    output:
        confusions=ID_CONFUSION_PNGS,
        scatter=f"{ID_OUT}/plots/accuracy_vs_size.png",
    params:
        cfg=ID_CFG_ALL,
        panels=ID_KEYS,
    log:
        "logs/idrissi2022/plots.log",
    benchmark:
        "benchmarks/idrissi2022/plots.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_plots.py"


rule idrissi2022_deploy:
    input:
        data=lambda wc: f"{ID_FIRST}/data.npz".format(protocol=ID_DEPLOY_OF[wc.dname][0]),
        tflite=lambda wc: f"{ID_FIRST}/variants/{ID_DEPLOY_OF[wc.dname][1]}.tflite".format(
            protocol=ID_DEPLOY_OF[wc.dname][0]
        ),
        metrics=lambda wc: f"{ID_FIRST}/eval.json".format(protocol=ID_DEPLOY_OF[wc.dname][0]),
    output:
        tflite=f"{ID_OUT}/deploy/{{dname}}.tflite",
        npz=f"{ID_OUT}/deploy/{{dname}}.npz",
        meta=f"{ID_OUT}/deploy/{{dname}}.json",
    wildcard_constraints:
        dname=one_of(ID_DEPLOY_NAMES),
    params:
        protocol=lambda wc: ID_DEPLOY_OF[wc.dname][0],
        variant=lambda wc: ID_DEPLOY_OF[wc.dname][1],
        seed=ID_SEEDS[0],
    log:
        "logs/idrissi2022/deploy_{dname}.log",
    benchmark:
        "benchmarks/idrissi2022/deploy_{dname}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_deploy.py"


rule idrissi2022_deploy_robust:
    input:
        data=lambda wc: f"{ID_FIRST}/data.npz".format(protocol=ID_ROBUST_DEPLOY_OF[wc.dname][0]),
        npz=lambda wc: f"{ID_FIRST}/robust/{ID_ROBUST_DEPLOY_OF[wc.dname][1]}.npz".format(
            protocol=ID_ROBUST_DEPLOY_OF[wc.dname][0]
        ),
        tflite=lambda wc: f"{ID_FIRST}/robust/{ID_ROBUST_DEPLOY_OF[wc.dname][1]}.tflite".format(
            protocol=ID_ROBUST_DEPLOY_OF[wc.dname][0]
        ),
        metrics=lambda wc: f"{ID_FIRST}/robust/{ID_ROBUST_DEPLOY_OF[wc.dname][1]}_eval.json".format(
            protocol=ID_ROBUST_DEPLOY_OF[wc.dname][0]
        ),
    output:
        tflite=f"{ID_OUT}/deploy/{{dname}}.tflite",
        npz=f"{ID_OUT}/deploy/{{dname}}.npz",
        meta=f"{ID_OUT}/deploy/{{dname}}.json",
    wildcard_constraints:
        dname=one_of(ID_ROBUST_DEPLOY_NAMES),
    params:
        protocol=lambda wc: ID_ROBUST_DEPLOY_OF[wc.dname][0],
        variant=lambda wc: ID_ROBUST_DEPLOY_OF[wc.dname][1],
        seed=ID_SEEDS[0],
    log:
        "logs/idrissi2022/deploy_{dname}.log",
    benchmark:
        "benchmarks/idrissi2022/deploy_{dname}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/idrissi2022_deploy_robust.py"


FINAL_TARGETS["idrissi2022"] = [
    f"{ID_OUT}/architecture_search.csv",
    f"{ID_OUT}/architecture_search.json",
    f"{ID_OUT}/metrics.csv",
    f"{ID_OUT}/arena.csv",
    f"{ID_OUT}/chi2_features.csv",
    f"{ID_OUT}/paper_comparison.csv",
    f"{ID_OUT}/paper_comparison.md",
    f"{ID_OUT}/plots/accuracy_vs_size.png",
    *ID_CONFUSION_PNGS,
    *ID_DEPLOY_FILES,
    f"{ID_OUT}/quantization_ablation.csv",
    f"{ID_OUT}/quantization_zero_point.csv",
    f"{ID_OUT}/plots/quantization_ablation.png",
    *ID_LAYOUT.deploy_files(ID_ROBUST_DEPLOY_NAMES),
]
