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
        "results/codegen/summary.csv",
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


FINAL_TARGETS["codegen"] = _codegen_files([".c", ".h", "_parity.json", "_benchmark.json"]) + (
    ["results/codegen/summary.csv"] if CODEGEN["models"] else []
)
