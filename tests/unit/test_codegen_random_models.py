"""Property: for random small int8 models (random shapes and weights, converted with
TFLiteConverter full-integer), the generated C of both kernel variants (fast and reference) is
bit-exact with LiteRT's reference kernels on random inputs, and predict_class returns predict's
class, so the parity guarantee does not rest on one trained model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tinyids import codegen
from tinyids.codegen import host, synthetic

ROWS = 400
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _check(model, n_features: int, seed: int, tmp: Path) -> dict:
    X = synthetic.features(seed, ROWS + 200, n_features)
    flat = synthetic.convert_int8(model, X[:200])
    tfl = tmp / "m.tflite"
    tfl.write_bytes(flat)
    # extreme rows too: saturated inputs and all zeros
    X_test = np.concatenate([X[200:], np.full((1, n_features), 1e3, np.float32),
                             np.full((1, n_features), -1e3, np.float32), np.zeros((1, n_features), np.float32)])
    for variant in codegen.VARIANTS:  # the fast kernels and the reference kernels alike
        g = codegen.generate(flat, "m", variant=variant)
        c_path, _ = codegen.write(g, tmp)
        report = host.parity(c_path, "m", g.ident, tfl, X_test, positive_threshold=g.positive_threshold)
        assert report["rows"] == len(X_test)
        assert report["mismatching_outputs"] == 0, (variant, report)
        assert report["max_abs_diff"] == 0, (variant, report)
        assert report["class_agreement"] == 1.0, (variant, report)
        assert report["predict_class_mismatches"] == 0, (variant, report)
        assert report["quantize_mismatches"] == 0, (variant, report)
        assert report["bit_exact"], (variant, report)
    return report


@pytest.mark.slow
@SETTINGS
@given(seed=st.integers(0, 10_000), n_features=st.integers(4, 24), filters=st.integers(1, 12),
       kernel=st.integers(1, 5), pool=st.integers(1, 3), classes=st.integers(1, 5),
       padding=st.sampled_from(["valid", "same"]), pool_padding=st.sampled_from(["valid", "same"]),
       strides=st.integers(1, 2), hidden=st.sampled_from([0, 0, 4, 16]),
       activation=st.sampled_from(["relu", "relu", None]), weight_scale=st.floats(0.2, 4.0))
def test_random_conv1d_cnn_is_bit_exact_with_litert(tmp_path_factory, seed, n_features, filters, kernel, pool,
                                                   classes, padding, pool_padding, strides, hidden,
                                                   activation, weight_scale):
    assume(kernel <= n_features)
    conv_len = -(-(n_features - kernel + 1) // strides) if padding == "valid" else -(-n_features // strides)
    assume(conv_len >= pool)
    model = synthetic.cnn_model(seed, n_features, filters, kernel, pool, classes, padding=padding,
                                pool_padding=pool_padding, strides=strides, hidden=hidden,
                                activation=activation, weight_scale=weight_scale)
    _check(model, n_features, seed, tmp_path_factory.mktemp("cnn"))


@pytest.mark.slow
@SETTINGS
@given(seed=st.integers(0, 10_000), n_features=st.integers(2, 30),
       hidden=st.lists(st.integers(1, 32), min_size=0, max_size=3), classes=st.integers(1, 5),
       weight_scale=st.floats(0.2, 4.0))
def test_random_mlp_is_bit_exact_with_litert(tmp_path_factory, seed, n_features, hidden, classes, weight_scale):
    model = synthetic.mlp_model(seed, n_features, tuple(hidden), classes, weight_scale=weight_scale)
    _check(model, n_features, seed, tmp_path_factory.mktemp("mlp"))
