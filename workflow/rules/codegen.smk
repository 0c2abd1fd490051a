# codegen stage: every int8 deployable listed in config codegen.models ("<study>/<name>")
# becomes self-contained C99 (results/<study>/codegen/<name>.c/.h), checked bit for bit against
# LiteRT's reference kernels on every test row (<name>_parity.json) and benchmarked against
# LiteRT invoke() with object sizes (<name>_benchmark.json); results/codegen/summary.csv has one
# row per model. Inputs: results/<study>/deploy/<name>.tflite, .npz (X_test, y_test) and the
# Deployable <name>.json (tinyids.study.deployable, validated when read).

wildcard_constraints:
    cg_study=r"[A-Za-z0-9_]+",
    cg_name=r"[A-Za-z0-9_\-]+",


rule codegen_generate:
    input:
        tflite="results/{cg_study}/deploy/{cg_name}.tflite",
        deployable="results/{cg_study}/deploy/{cg_name}.json",
    output:
        c="results/{cg_study}/codegen/{cg_name}.c",
        h="results/{cg_study}/codegen/{cg_name}.h",
        info="results/{cg_study}/codegen/{cg_name}_codegen.json",
    params:
        variant=CODEGEN["variant"],
        unroll_limit=CODEGEN["unroll_limit"],
    log:
        "logs/codegen/{cg_study}/{cg_name}_generate.log",
    benchmark:
        "benchmarks/codegen/{cg_study}/{cg_name}_generate.tsv"
    threads: 1
    resources:
        mem_mb=1024,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_generate.py"


rule codegen_parity:
    input:
        c="results/{cg_study}/codegen/{cg_name}.c",
        h="results/{cg_study}/codegen/{cg_name}.h",
        info="results/{cg_study}/codegen/{cg_name}_codegen.json",
        tflite="results/{cg_study}/deploy/{cg_name}.tflite",
        npz="results/{cg_study}/deploy/{cg_name}.npz",
    output:
        "results/{cg_study}/codegen/{cg_name}_parity.json",
    params:
        cc=CODEGEN["cc"],
        opt=CODEGEN["opt"],
        fail_on_mismatch=CODEGEN["fail_on_mismatch"],
    log:
        "logs/codegen/{cg_study}/{cg_name}_parity.log",
    benchmark:
        "benchmarks/codegen/{cg_study}/{cg_name}_parity.tsv"
    threads: 1
    resources:
        mem_mb=2048,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_parity.py"


rule codegen_benchmark:
    input:
        c="results/{cg_study}/codegen/{cg_name}.c",
        h="results/{cg_study}/codegen/{cg_name}.h",
        tflite="results/{cg_study}/deploy/{cg_name}.tflite",
        npz="results/{cg_study}/deploy/{cg_name}.npz",
        # timed after parity: a model that is not bit-exact is not worth timing
        parity="results/{cg_study}/codegen/{cg_name}_parity.json",
    output:
        "results/{cg_study}/codegen/{cg_name}_benchmark.json",
    params:
        cc=CODEGEN["cc"],
        opt=CODEGEN["opt"],
        rows=CODEGEN["benchmark"]["rows"],
        repeats=CODEGEN["benchmark"]["repeats"],
        unroll_limit=CODEGEN["unroll_limit"],
    log:
        "logs/codegen/{cg_study}/{cg_name}_benchmark.log",
    benchmark:
        "benchmarks/codegen/{cg_study}/{cg_name}_benchmark.tsv"
    threads: 1
    resources:
        mem_mb=2048,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_benchmark.py"


rule codegen_summary:
    input:
        _codegen_files([".c", ".h", "_codegen.json", "_parity.json", "_benchmark.json"]),
    output:
        summary="results/codegen/summary.csv",
        benchmark="results/codegen/benchmark.csv",
    params:
        entries=_codegen_entries(),
    log:
        "logs/codegen/summary.log",
    benchmark:
        "benchmarks/codegen/summary.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_summary.py"


CG_EMU = CODEGEN["emulation"]
# the emulated models are among codegen.models (checked here: a typo is an error, not a silent gap)
CG_EMU_FILES = [f"results/{s}/codegen/{n}_emulation.json" for s, n in _codegen_entries() if f"{s}/{n}" in CG_EMU["models"]]
if len(CG_EMU_FILES) != len(CG_EMU["models"]):
    raise ValueError(f"config codegen.emulation.models {CG_EMU['models']} must all be in codegen.models")


rule codegen_emulate:
    # the kernel variants side by side on the emulated boards (tinyids.codegen.boardbench)
    input:
        tflite="results/{cg_study}/deploy/{cg_name}.tflite",
        deployable="results/{cg_study}/deploy/{cg_name}.json",
        npz="results/{cg_study}/deploy/{cg_name}.npz",
    output:
        "results/{cg_study}/codegen/{cg_name}_emulation.json",
    params:
        boards=CG_EMU["boards"],
        board_info={b: config["firmware"]["boards"][b] for b in CG_EMU["boards"]},
        vectors=CG_EMU["vectors"],
        timeout_s=CG_EMU["timeout_s"],
        icount_shift=config["firmware"]["emulation"]["icount_shift"],
        unroll_limit=CODEGEN["unroll_limit"],
        seed=study_seed("codegen"),
    log:
        "logs/codegen/{cg_study}/{cg_name}_emulation.log",
    benchmark:
        "benchmarks/codegen/{cg_study}/{cg_name}_emulation.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_emulate.py"


rule codegen_emulation_table:
    input:
        CG_EMU_FILES,
    output:
        "results/codegen/emulation.csv",
    log:
        "logs/codegen/emulation_table.log",
    benchmark:
        "benchmarks/codegen/emulation_table.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/codegen_emulation_table.py"


FINAL_TARGETS["codegen"] = _codegen_files([".c", ".h", "_parity.json", "_benchmark.json"]) + (
    ["results/codegen/summary.csv", "results/codegen/benchmark.csv"] if CODEGEN["models"] else []
) + (["results/codegen/emulation.csv"] if CG_EMU["models"] else [])
