"""Model keys of srm2025, their display names (the thesis's row names) and table order."""

from __future__ import annotations

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
