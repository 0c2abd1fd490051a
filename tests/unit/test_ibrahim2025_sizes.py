"""Model sizes: the paper's formula (7)-(8) and the measures beside it."""

from __future__ import annotations

import numpy as np
import pytest

import tinyids  # noqa: F401
from tinyids.ibrahim2025 import sizes
from tinyids.ibrahim2025.model import build_mlp, dense_layer_sizes


def test_formula_7_8_adds_four_bytes_per_parameter_and_per_layer():
    assert sizes.formula_size([10, 0, 5]) == (10 + 1) * 4 + (5 + 1) * 4
    assert sizes.formula_size([]) == 0


def test_paper_architecture_parameter_count_and_formula_size():
    model = build_mlp(12)
    dims = dense_layer_sizes(12, (100, 512, 512, 512, 512))
    per_layer = [fan_in * fan_out + fan_out for fan_in, fan_out in dims]
    wbl = sizes.weights_by_layer(model)
    assert sizes.layer_parameter_counts(wbl) == per_layer
    assert sizes.formula_size(sizes.layer_parameter_counts(wbl)) == 4 * (sum(per_layer) + len(per_layer))


def test_formula_on_nonzero_counts_shrinks_with_pruning():
    w = [[np.ones((4, 3)), np.zeros(3)], [np.array([[0.0], [1.0], [0.0]]), np.ones(1)]]
    assert sizes.layer_nonzero_counts(w) == [12, 2]
    assert sizes.formula_size_nonzero(sizes.layer_nonzero_counts(w)) < sizes.formula_size(sizes.layer_parameter_counts(w))


def test_size_table_reports_raw_and_gzip_bytes_per_format():
    model = build_mlp(4, (8,))
    table = sizes.model_size_table(model, {"blob": b"\x00" * 1000})
    assert table["blob_bytes"] == 1000 and table["blob_gzip_bytes"] < 100
    assert table["parameters"] == 4 * 8 + 8 + 8 + 1


def test_closest_measure_picks_the_nearest_on_a_log_scale():
    row = {"parameters": 841_000, "nonzero_parameters": 86_000, "tflite_int8_bytes": 860_000}
    assert sizes.closest_measure(row, 84_000)[0] == "nonzero_parameters"
    best, ratio = sizes.closest_measure(row, 1_000_000)
    assert best == "tflite_int8_bytes" and ratio == pytest.approx(0.86)
