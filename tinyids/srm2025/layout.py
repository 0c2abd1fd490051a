"""The files of the srm2025 stage, named in one place for its Snakemake rules and its tests."""

from __future__ import annotations

from collections.abc import Sequence

TEST_SETS = {"thesis": ["holdout"], "standard": ["KDDTest+", "KDDTest-21"]}
EMLEARN_HEADERS = ("eml_common.h", "eml_log.h", "eml_net.h", "eml_net_common.h")
OUT = "results/srm2025"


def int8_models(tiny_models: Sequence[str]) -> list[str]:
    return ["tiny_nn_int8"] if "tiny_nn" in tiny_models else []


def export_files(folder: str, tiny_models: Sequence[str]) -> list[str]:
    """Every file one protocol's export writes into ``folder`` (deploy/ holds the same set)."""
    files = [f"{folder}/{name}.{ext}" for name in tiny_models for ext in ("c", "h", "npz", "json")]
    files += [f"{folder}/{name}.{ext}" for name in int8_models(tiny_models) for ext in ("tflite", "npz", "json")]
    if "tiny_nn" in tiny_models:
        files += [f"{folder}/emlearn/{header}" for header in EMLEARN_HEADERS]
    return files


def plot_files(metrics: Sequence[str], protocols: Sequence[str]) -> list[str]:
    """bars_<metric>.png, roc_<protocol>_<test set>.png, confusion_<protocol>_<test set>.png."""
    files = [f"{OUT}/plots/bars_{metric}.png" for metric in metrics]
    for kind in ("roc", "confusion"):
        files += [f"{OUT}/plots/{kind}_{p}_{t}.png" for p in protocols for t in TEST_SETS[p]]
    return files
