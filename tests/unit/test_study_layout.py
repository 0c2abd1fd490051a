"""The study Layout: folders, file names and wildcard constraints shared by the rules and the package."""

from __future__ import annotations

import re

import pytest

from tinyids.srm2025 import names as srm_names
from tinyids.study import layout
from tinyids.study.layout import IBRAHIM2025, IDRISSI2022, SRM2025, Layout, one_of


def _matches(constraint: str, value: str) -> bool:
    return re.fullmatch(f"(?:{constraint})", value) is not None


def test_one_of_matches_exactly_the_configured_values_and_nothing_more():
    constraint = one_of(["paper", "dedup", "paper"])
    assert _matches(constraint, "paper") and _matches(constraint, "dedup")
    for other in ("sound", "paperx", "dedup/seed1", "", "paper|dedup"):
        assert not _matches(constraint, other)
    assert _matches(one_of(["KDDTest+"]), "KDDTest+") and not _matches(one_of(["KDDTest+"]), "KDDTestt")


def test_an_empty_list_of_values_gives_a_constraint_that_matches_nothing():
    assert not any(_matches(one_of([]), v) for v in ("", "none", "tMO"))


def test_a_folder_pattern_keeps_the_wildcards_that_are_not_filled():
    assert IDRISSI2022.dir() == "results/idrissi2022/{protocol}/seed{seed}"
    assert IDRISSI2022.dir(seed=42) == "results/idrissi2022/{protocol}/seed42"
    assert IBRAHIM2025.file("{model}_eval.json", fold=0) == (
        "results/ibrahim2025/runs/{protocol}/fold0/{model}_eval.json")
    assert SRM2025.file("exports.csv", "export", protocol="thesis") == "results/srm2025/exports/thesis/exports.csv"
    assert SRM2025.path("plots/bars_{metric}.png", metric="fpr") == "results/srm2025/plots/bars_fpr.png"


def test_files_vary_the_first_keyword_slowest_like_snakemake_expand():
    assert IDRISSI2022.files("eval.json", protocol=["paper", "dedup"], seed=[1, 2]) == [
        "results/idrissi2022/paper/seed1/eval.json", "results/idrissi2022/paper/seed2/eval.json",
        "results/idrissi2022/dedup/seed1/eval.json", "results/idrissi2022/dedup/seed2/eval.json"]


def test_constraints_give_each_folder_wildcard_a_regex_and_configured_values_exactly():
    wc = IBRAHIM2025.constraints(protocol=["sound"], variant=["pruned_paper"])
    assert set(wc) == {"protocol", "fold", "variant"}
    assert _matches(wc["fold"], "12") and not _matches(wc["fold"], "x")
    assert _matches(wc["protocol"], "sound") and not _matches(wc["protocol"], "paper")
    assert _matches(wc["variant"], "pruned_paper") and not _matches(wc["variant"], "pruned_span")
    assert not _matches(SRM2025.constraints("export")["protocol"], "thesis/x")  # one path segment


def test_parse_reads_back_the_values_that_file_wrote_for_every_study():
    cases = [
        (IDRISSI2022, "run", {"protocol": "dedup", "seed": "43"}, "variants/tMO_QAT.json"),
        (IBRAHIM2025, "run", {"protocol": "paper", "fold": "3"}, "pruned_span_eval.json"),
        (SRM2025, "run", {"protocol": "standard"}, "tiny/facts.json"),
        (SRM2025, "export", {"protocol": "thesis"}, "emlearn/eml_net.h"),
    ]
    for lay, kind, values, name in cases:
        path = lay.file(name, kind, **values)
        assert lay.parse(path, kind) == values
        assert lay.parse(f"/somewhere/else/{path}", kind) == values


def test_parse_names_the_path_that_is_not_in_the_folder():
    with pytest.raises(ValueError, match=r"results/ibrahim2025/metrics.csv: not inside the ibrahim2025 run folder"):
        IBRAHIM2025.parse("results/ibrahim2025/metrics.csv")
    with pytest.raises(ValueError, match="not inside"):
        IDRISSI2022.parse("results/idrissi2022/dedup/seedX/eval.json")  # the seed is a number
    with pytest.raises(ValueError, match="not inside"):
        IDRISSI2022.parse("results/srm2025/dedup/seed1/eval.json")  # another study's folder


def test_a_repeated_wildcard_must_repeat_its_value_when_parsed():
    twice = Layout("toy", folders={"run": "{protocol}/again_{protocol}"})
    assert twice.parse("results/toy/a/again_a/x.json") == {"protocol": "a"}
    with pytest.raises(ValueError, match="not inside the toy run folder"):
        twice.parse("results/toy/a/again_b/x.json")


def test_a_layout_refuses_a_folder_outside_its_study_and_names_unknown_kinds():
    with pytest.raises(ValueError, match="folder 'run' = '../x' must be relative"):
        Layout("toy", folders={"run": "../x"})
    with pytest.raises(ValueError, match="study name 'Toy Study'"):
        Layout("Toy Study")
    with pytest.raises(KeyError, match="no folder 'export' \\(known: run\\)"):
        IDRISSI2022.dir("export")
    with pytest.raises(KeyError, match="no record 'weights'"):
        IBRAHIM2025.record_file("full", "weights")
    with pytest.raises(KeyError, match="unknown study 'toy'"):
        layout.of("toy")


def test_a_trained_model_leaves_its_six_record_files_in_the_run_folder():
    assert IBRAHIM2025.record("full", protocol="sound", fold=0) == {
        "keras": "results/ibrahim2025/runs/sound/fold0/full.keras",
        "tflite_float": "results/ibrahim2025/runs/sound/fold0/full_float.tflite",
        "tflite_int8": "results/ibrahim2025/runs/sound/fold0/full_int8.tflite",
        "history": "results/ibrahim2025/runs/sound/fold0/full_history.csv",
        "predictions": "results/ibrahim2025/runs/sound/fold0/full_predictions.npz",
        "eval": "results/ibrahim2025/runs/sound/fold0/full_eval.json",
    }
    assert IBRAHIM2025.record("{variant}")["eval"] == (
        "results/ibrahim2025/runs/{protocol}/fold{fold}/{variant}_eval.json")
    with pytest.raises(KeyError, match="declares no model records"):
        SRM2025.record("tiny_rf")


def test_every_study_is_registered_under_its_own_results_folder():
    assert set(layout.STUDIES) == {"srm2025", "ibrahim2025", "idrissi2022"}
    for name, lay in layout.STUDIES.items():
        assert layout.of(name) is lay and lay.out == f"results/{name}" and lay.deploy_dir == f"results/{name}/deploy"


def test_srm2025_exports_c_models_int8_models_and_the_emlearn_headers_tiny_nn_needs():
    files = srm_names.export_files("results/srm2025/deploy", ["tiny_lr", "tiny_nn"])
    assert files == [
        *(f"results/srm2025/deploy/tiny_lr{ext}" for ext in (".c", ".h", ".npz", ".json")),
        *(f"results/srm2025/deploy/tiny_nn{ext}" for ext in (".c", ".h", ".npz", ".json")),
        *(f"results/srm2025/deploy/tiny_nn_int8{ext}" for ext in (".tflite", ".npz", ".json")),
        *(f"results/srm2025/deploy/emlearn/{h}" for h in srm_names.EMLEARN_HEADERS),
    ]
    assert srm_names.export_files(SRM2025.dir("export", protocol="thesis"), ["tiny_rf"]) == [
        f"results/srm2025/exports/thesis/tiny_rf{ext}" for ext in (".c", ".h", ".npz", ".json")]


def test_srm2025_plots_one_bar_chart_per_metric_and_roc_and_confusion_per_test_set():
    assert srm_names.plot_files(["fpr"], ["thesis", "standard"]) == [
        "results/srm2025/plots/bars_fpr.png",
        "results/srm2025/plots/roc_thesis_holdout.png",
        "results/srm2025/plots/roc_standard_KDDTest+.png",
        "results/srm2025/plots/roc_standard_KDDTest-21.png",
        "results/srm2025/plots/confusion_thesis_holdout.png",
        "results/srm2025/plots/confusion_standard_KDDTest+.png",
        "results/srm2025/plots/confusion_standard_KDDTest-21.png",
    ]
