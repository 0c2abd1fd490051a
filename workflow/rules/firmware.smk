# firmware stage: every deployable model built for every board of Idrissi et al. (2022) Table I
# with PlatformIO offline (project-local platform firmware/platform/tinyids, Debian's cross
# compilers), the device-fit matrix, the paper's Figure 7 computed, and on-device parity and
# counts in emulation (simavr for the Uno; QEMU for the Cortex-M7, the LX106 and the Pi).
# The models are exactly config["firmware"]["models"] ("<study>/<name>"), so the DAG is explicit.

from tinyids.firmware.pipeline import deployable_inputs as _fw_inputs
from tinyids.firmware.pipeline import parse_model_ref as _fw_parse
from tinyids.firmware.recommend import deployable_refs as _fw_recommend_refs

FW = config["firmware"]
FW_OUT = "results/firmware"
FW_MODELS = list(FW["models"])
FW_STUDY_RE = "|".join(sorted({_fw_parse(m)[0] for m in FW_MODELS})) or "none"


rule firmware_toolchain:
    output:
        json=f"{FW_OUT}/toolchain.json",
    params:
        fw=FW,
    log:
        "logs/firmware/toolchain.log",
    benchmark:
        "benchmarks/firmware/toolchain.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_toolchain.py"


rule firmware_fixture:
    output:
        npz=[f"{FW_OUT}/fixture/{n}.npz" for n in ("fixture_int8", "fixture_float")],
        json=[f"{FW_OUT}/fixture/{n}.json" for n in ("fixture_int8", "fixture_float")],
        c=[f"{FW_OUT}/fixture/{n}.c" for n in ("fixture_int8", "fixture_float")],
        h=[f"{FW_OUT}/fixture/{n}.h" for n in ("fixture_int8", "fixture_float")],
    params:
        n=FW["emulation"]["vectors"],
        seed=study_seed("firmware"),
    log:
        "logs/firmware/fixture.log",
    benchmark:
        "benchmarks/firmware/fixture.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_fixture.py"


rule firmware_build:
    input:
        unpack(lambda wc: _fw_inputs(f"{wc.study}/{wc.name}", FW)),
        toolchain=f"{FW_OUT}/toolchain.json",
    output:
        json=f"{FW_OUT}/builds/{{study}}/{{name}}.json",
    wildcard_constraints:
        study=FW_STUDY_RE,
    params:
        fw=FW,
        ref=lambda wc: f"{wc.study}/{wc.name}",
    log:
        "logs/firmware/build_{study}_{name}.log",
    benchmark:
        "benchmarks/firmware/build_{study}_{name}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_build.py"


rule firmware_emulate:
    input:
        unpack(lambda wc: _fw_inputs(f"{wc.study}/{wc.name}", FW)),
        build=f"{FW_OUT}/builds/{{study}}/{{name}}.json",
    output:
        json=f"{FW_OUT}/emulation/{{study}}/{{name}}.json",
    wildcard_constraints:
        study=FW_STUDY_RE,
    params:
        fw=FW,
        ref=lambda wc: f"{wc.study}/{wc.name}",
        seed=study_seed("firmware"),
    log:
        "logs/firmware/emulate_{study}_{name}.log",
    benchmark:
        "benchmarks/firmware/emulate_{study}_{name}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=60,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_emulate.py"


rule firmware_report:
    input:
        builds=[f"{FW_OUT}/builds/{m}.json" for m in FW_MODELS],
        emulations=[f"{FW_OUT}/emulation/{m}.json" for m in FW_MODELS],
        kernels=CG_EMU_FILES,  # codegen's old-vs-new kernel runs of the same models (codegen.smk)
    output:
        fit_matrix=f"{FW_OUT}/fit_matrix.csv",
        heatmap=f"{FW_OUT}/fit_matrix.png",
        emulation=f"{FW_OUT}/emulation.csv",
        headline=f"{FW_OUT}/uno_headline.json",
    params:
        fw=FW,
    log:
        "logs/firmware/report.log",
    benchmark:
        "benchmarks/firmware/report.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_report.py"


# The paper's Figure 7 computed: per board and study, the most accurate deployable (every seed of a
# (study, protocol, variant)) that fits with the measured stack (tinyids.firmware.recommend).
rule firmware_recommend:
    input:
        fit_matrix=f"{FW_OUT}/fit_matrix.csv",
        emulation=f"{FW_OUT}/emulation.csv",
        deployables=[_fw_inputs(m, FW)["json"] for m in _fw_recommend_refs(FW)],
    output:
        csv=f"{FW_OUT}/recommendation.csv",
        md=f"{FW_OUT}/recommendation.md",
    params:
        fw=FW,
        smoke=bool(config.get("smoke", False)),
    log:
        "logs/firmware/recommend.log",
    benchmark:
        "benchmarks/firmware/recommend.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/tinyids.yaml"
    script:
        "../scripts/firmware_recommend.py"


FINAL_TARGETS["firmware"] = [
    f"{FW_OUT}/toolchain.json",
    f"{FW_OUT}/fit_matrix.csv",
    f"{FW_OUT}/fit_matrix.png",
    f"{FW_OUT}/emulation.csv",
    f"{FW_OUT}/recommendation.csv",
    f"{FW_OUT}/recommendation.md",
    f"{FW_OUT}/uno_headline.json",
]
