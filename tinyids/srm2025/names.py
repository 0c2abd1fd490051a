"""Names of srm2025: model keys, their display names (the thesis's row names) and table order,
the test sets of each protocol and the files the stage writes."""

from __future__ import annotations

from tinyids.study.layout import C_SUFFIXES, INT8_SUFFIXES, SRM2025

DISPLAY_NAMES = {
    "rf": "Random Forest",
    "svm": "Support Vector Machine",
    "lr": "Logistic Regression",
    "mlp": "Neural Network",
    "hybrid": "Hybrid (SVM + RF)",
    "tiny_rf": "Tiny Random Forest",
    "tiny_svm": "Tiny Support Vector Machine",
    "tiny_lr": "Tiny Logistic Regression",
    "tiny_nn": "Tiny Neural Network",
    "tiny_nn_int8": "Tiny Neural Network (int8 TFLite)",
    "tiny_hybrid": "Tiny Hybrid Model (SVM + RF)",
}
MODEL_ORDER = tuple(DISPLAY_NAMES)


def in_order(models) -> list[str]:
    """The distinct model keys of ``models`` in table order (unknown keys last)."""
    present = list(dict.fromkeys(models))
    return [m for m in MODEL_ORDER if m in present] + [m for m in present if m not in MODEL_ORDER]


# ---- the files of the stage (folders from tinyids.study.layout.SRM2025)

# The test sets each protocol evaluates on: the thesis's 80/20 holdout, or NSL-KDD's two test files.
TEST_SETS = {"thesis": ["holdout"], "standard": ["KDDTest+", "KDDTest-21"]}
# The emlearn headers a tiny_nn C export includes, copied beside it (``<folder>/emlearn/``).
EMLEARN_HEADERS = ("eml_common.h", "eml_log.h", "eml_net.h", "eml_net_common.h")


def int8_models(tiny_models) -> list[str]:
    """The int8 TFLite models exported beside the C ones (tiny_nn has one)."""
    return ["tiny_nn_int8"] if "tiny_nn" in tiny_models else []


def export_files(folder: str, tiny_models) -> list[str]:
    """Every file one protocol's export writes into ``folder`` (deploy/ holds the same set)."""
    files = SRM2025.deploy_files(tiny_models, C_SUFFIXES, folder=folder)
    files += SRM2025.deploy_files(int8_models(tiny_models), INT8_SUFFIXES, folder=folder)
    if "tiny_nn" in tiny_models:
        files += [f"{folder}/emlearn/{header}" for header in EMLEARN_HEADERS]
    return files


def plot_files(metrics, protocols) -> list[str]:
    """bars_<metric>.png, roc_<protocol>_<test set>.png, confusion_<protocol>_<test set>.png."""
    files = [SRM2025.path(f"plots/bars_{metric}.png") for metric in metrics]
    for kind in ("roc", "confusion"):
        files += [SRM2025.path(f"plots/{kind}_{p}_{t}.png") for p in protocols for t in TEST_SETS[p]]
    return files
