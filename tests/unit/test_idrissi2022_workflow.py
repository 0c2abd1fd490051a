"""File names of the idrissi2022 rules: deployable names, bases, evaluation inputs (through the layout)."""

from __future__ import annotations

import pytest

from tinyids.idrissi2022 import variants as idv
from tinyids.study.layout import IDRISSI2022


def test_deploy_protocol_gets_the_plain_names_that_codegen_and_firmware_read():
    names = idv.deploy_names(["paper", "dedup"], ["tMO", "tMOP"], ["OM", "tM", "tMO", "tMOP"], "dedup")
    assert names == ["tMO_paper", "tMOP_paper", "tMO", "tMOP"]
    for name in names:
        protocol, variant = idv.parse_deploy_name(name, ["paper", "dedup"], "dedup")
        assert name == (variant if protocol == "dedup" else f"{variant}_{protocol}")


def test_a_deploy_name_with_an_underscore_in_its_variant_parses_back_to_that_variant():
    names = idv.deploy_names(["paper", "dedup"], ["tMO_QAT"], ["tMO_QAT"], "dedup")
    assert names == ["tMO_QAT_paper", "tMO_QAT"]
    assert [idv.parse_deploy_name(n, ["paper", "dedup"], "dedup") for n in names] == [
        ("paper", "tMO_QAT"), ("dedup", "tMO_QAT")]


def test_a_deploy_protocol_that_is_not_run_falls_back_to_the_first_one():
    assert idv.deploy_protocol(["paper"], "dedup") == "paper"
    assert idv.deploy_names(["paper"], ["tMO", "tMO_QAT"], ["tMO"], "dedup") == ["tMO"]


def test_every_tflite_variant_trains_its_base_model():
    assert idv.keras_models(["tMOP"]) == ["POM7"]
    assert idv.keras_models(["OM", "tM", "tMO", "tMO_QAT"]) == ["OM", "POM"]
    base = IDRISSI2022.file(idv.base_file("tMOP"), protocol="dedup", seed=3)
    assert base == "results/idrissi2022/dedup/seed3/models/POM7.h5"


def test_a_keras_variant_has_no_base_model():
    with pytest.raises(KeyError, match="'OM' is not a TFLite variant"):
        idv.base_file("OM")


def test_evaluation_reads_keras_files_for_every_variant_and_tflite_for_converted_ones():
    run = IDRISSI2022.dir(protocol="paper", seed=1)
    files = idv.eval_files(run, ["OM", "tMO"])
    assert files["OM"] == {"keras": "results/idrissi2022/paper/seed1/models/OM.h5", "tflite": None}
    assert files["tMO"]["tflite"] == "results/idrissi2022/paper/seed1/variants/tMO.tflite"
    assert idv.eval_inputs(run, ["OM", "tMO"]) == sorted(
        ["results/idrissi2022/paper/seed1/models/OM.h5", "results/idrissi2022/paper/seed1/variants/tMO.h5",
         "results/idrissi2022/paper/seed1/variants/tMO.tflite",
         "results/idrissi2022/paper/seed1/variants/tMO_float.tflite",
         "results/idrissi2022/paper/seed1/variants/tMO_dynamic.tflite"])


def test_deployables_are_three_files_each_under_the_deploy_folder():
    assert IDRISSI2022.deploy_files(["tMO", "tMOP_paper"]) == [
        "results/idrissi2022/deploy/tMO.tflite", "results/idrissi2022/deploy/tMO.npz",
        "results/idrissi2022/deploy/tMO.json", "results/idrissi2022/deploy/tMOP_paper.tflite",
        "results/idrissi2022/deploy/tMOP_paper.npz", "results/idrissi2022/deploy/tMOP_paper.json"]


def test_collect_and_plots_read_the_protocol_of_a_run_file_from_the_layout_not_a_position():
    assert IDRISSI2022.parse("results/idrissi2022/paper/seed42/variants/tMO.json")["protocol"] == "paper"
    assert IDRISSI2022.parse("/tmp/work/results/idrissi2022/dedup/seed7/confusion.npz") == {
        "protocol": "dedup", "seed": "7"}
    with pytest.raises(ValueError, match="not inside the idrissi2022 run folder"):
        IDRISSI2022.parse("results/idrissi2022/deploy/tMO.json")
