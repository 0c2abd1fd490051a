"""File-name helpers of the idrissi2022 rules: deployable names, bases, evaluation inputs."""

from __future__ import annotations

from tinyids.idrissi2022 import workflow as idwf

RUN = "results/idrissi2022/{protocol}/seed{seed}"


def test_deploy_protocol_gets_the_plain_names_that_codegen_and_firmware_read():
    names = idwf.deploy_names(["paper", "dedup"], ["tMO", "tMOP"], ["OM", "tM", "tMO", "tMOP"], "dedup")
    assert names == ["tMO_paper", "tMOP_paper", "tMO", "tMOP"]
    for name in names:
        protocol, variant = idwf.parse_deploy_name(name, ["paper", "dedup"], "dedup")
        assert name == (variant if protocol == "dedup" else f"{variant}_{protocol}")


def test_a_deploy_protocol_that_is_not_run_falls_back_to_the_first_one():
    assert idwf.deploy_protocol(["paper"], "dedup") == "paper"
    assert idwf.deploy_names(["paper"], ["tMO", "tMO_QAT"], ["tMO"], "dedup") == ["tMO"]


def test_every_tflite_variant_trains_its_base_model():
    assert idwf.keras_models(["tMOP"]) == ["POM7"]
    assert idwf.keras_models(["OM", "tM", "tMO", "tMO_QAT"]) == ["OM", "POM"]
    assert idwf.base_model(RUN, "dedup", 3, "tMOP") == "results/idrissi2022/dedup/seed3/models/POM7.h5"


def test_evaluation_reads_keras_files_for_every_variant_and_tflite_for_converted_ones():
    files = idwf.eval_files(RUN, "paper", 1, ["OM", "tMO"])
    assert files["OM"] == {"keras": "results/idrissi2022/paper/seed1/models/OM.h5", "tflite": None}
    assert files["tMO"]["tflite"] == "results/idrissi2022/paper/seed1/variants/tMO.tflite"
    assert idwf.eval_inputs(RUN, "paper", 1, ["OM", "tMO"]) == sorted(
        ["results/idrissi2022/paper/seed1/models/OM.h5", "results/idrissi2022/paper/seed1/variants/tMO.h5",
         "results/idrissi2022/paper/seed1/variants/tMO.tflite"])
