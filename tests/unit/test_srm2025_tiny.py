"""srm2025 tiny models: int8 arithmetic, exact tree thresholds, budgets enforced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyids.errors import ConfigError
from tinyids.srm2025.preprocessing import targets
from tinyids.srm2025.protocols import SUBSAMPLE_STRATA
from tinyids.study.sampling import stratified_subsample
from tinyids.srm2025.tiny import (
    BudgetError,
    Int8Linear,
    check_budget,
    check_config_budgets,
    fit_tiny_models,
    float32_threshold_for_lt,
)

TINY_CFG = {
    "models": ["tiny_rf", "tiny_svm", "tiny_lr", "tiny_nn", "tiny_hybrid"],
    "feature_selection": {"method": "chi2", "k": 12},
    "rf": {"n_estimators": 5, "max_depth": 6},
    "nn": {"hidden_layer_sizes": [8], "max_iter": 80},
    "budgets": {
        "tiny_rf": {"max_features": 12, "max_trees": 5, "max_depth": 6},
        "tiny_nn": {"max_params": 200},
    },
}


@pytest.fixture(scope="module")
def train_slice(nslkdd_train_frame: pd.DataFrame) -> pd.DataFrame:
    return stratified_subsample(nslkdd_train_frame, 1200, 5, by=SUBSAMPLE_STRATA)


@pytest.fixture(scope="module")
def fitted(train_slice):
    return fit_tiny_models(TINY_CFG, train_slice, targets(train_slice, "binary"), seed=0, encoding="onehot")


@settings(max_examples=300, deadline=None)
@given(
    x=st.floats(min_value=-2.0, max_value=2.0, width=32, allow_subnormal=False),
    t=st.floats(min_value=-2.0, max_value=2.0, allow_subnormal=False),
)
def test_exported_threshold_makes_strict_less_equal_sklearns_less_or_equal(x, t):
    x32 = np.float32(x)
    assert bool(x32 < float32_threshold_for_lt(t)) == bool(float(x32) <= t)


def test_threshold_on_a_representable_midpoint_keeps_the_equal_value_on_the_left():
    # sklearn splits between 0 and 2/511 at 1/511 (float32-representable); a test value equal to
    # it goes left in sklearn (<=) and must go left in the C code (<) too.
    t = float(np.float32(2 / 511)) / 2
    assert np.float32(t) < float32_threshold_for_lt(t)


def test_int8_linear_weights_and_decision_are_exact_integers(fitted, train_slice):
    features, models, _, _ = fitted
    x = features.transform(train_slice)
    for name in ("tiny_svm", "tiny_lr"):
        model = models[name]
        assert model.weights_q.dtype == np.int8 and np.abs(model.weights_q).max() == 127
        acc = Int8Linear.quantize_inputs(x).astype(np.int64) @ model.weights_q.astype(np.int64) + model.bias_q
        assert np.array_equal(model.predict(x), (acc > 0).astype(int))
        # quantization barely changes the decisions of the float model it came from
        assert np.mean(model.predict(x) == model.sklearn.predict(x)) > 0.97


def test_inputs_outside_the_training_range_are_clipped_before_quantization():
    q = Int8Linear.quantize_inputs(np.array([[-0.5, 0.0, 0.5, 1.0, 7.0]], dtype=np.float32))
    assert q.tolist() == [[0, 0, 128, 255, 255]]


def test_tiny_models_respect_their_budgets_and_report_measures(fitted):
    _, models, seconds, rows = fitted
    assert set(models) == set(TINY_CFG["models"]) and set(seconds) == set(models)
    measured = models["tiny_rf"].measures()
    assert measured["trees"] <= 5 and measured["depth"] <= 6 and measured["features"] == 12
    assert rows and all(r["within"] for r in rows)
    assert {(r["model"], r["budget"]) for r in rows} >= {("tiny_rf", "max_trees"), ("tiny_nn", "max_params")}


def test_a_model_over_budget_raises_budget_error_naming_the_limit():
    with pytest.raises(BudgetError, match="bytes 5000 > max_bytes 4096"):
        check_budget("tiny_rf", {"bytes": 5000, "trees": 3}, {"max_bytes": 4096, "max_trees": 10})
    with pytest.raises(ConfigError, match="unknown budget"):
        check_budget("tiny_rf", {"trees": 3}, {"max_leaves": 10})


def test_configuration_over_budget_is_refused_before_training(train_slice):
    cfg = {**TINY_CFG, "rf": {"n_estimators": 50, "max_depth": 6}}
    with pytest.raises(ConfigError, match="tiny_rf is configured with trees 50 > budget max_trees 5"):
        check_config_budgets(cfg)
    with pytest.raises(ConfigError, match="trees 50"):
        fit_tiny_models(cfg, train_slice, targets(train_slice, "binary"), seed=0, encoding="onehot")


def test_tiny_models_refuse_the_five_class_target(train_slice):
    with pytest.raises(ConfigError, match="binary"):
        fit_tiny_models(TINY_CFG, train_slice, targets(train_slice, "five_class"), seed=0, encoding="onehot")
