"""ibrahim2025 model and training: the paper's architecture; pruning reaches the configured sparsity."""

from __future__ import annotations

import numpy as np
import pytest

import tinyids  # noqa: F401
from tinyids import compress
from tinyids.ibrahim2025 import training
from tinyids.ibrahim2025.model import build_mlp
from tinyids.ibrahim2025.settings import SPAN, Pruning, Settings, Training


def test_mlp_has_the_papers_layers():
    model = build_mlp(12)
    dense = [layer for layer in model.layers]
    assert [layer.units for layer in dense] == [100, 512, 512, 512, 512, 1]
    assert [layer.activation.__name__ for layer in dense] == ["relu"] * 5 + ["sigmoid"]
    assert model.input_shape == (None, 12)


def _small_settings(**pruning) -> Settings:
    return Settings(
        seed=1, units=(16, 16), threads=1,
        training=Training(epochs=2, batch_size=10, validation_split=0.2, jit_compile=False, steps_per_execution=5),
        pruning=Pruning(frequency=5, fine_tune_epochs=2, **pruning),
    )


def _data(n=150, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 12)).astype(np.float32)
    y = (x[:, :3].sum(axis=1) > 1.5).astype(np.int64)
    return x, y


def test_span_end_step_lies_on_the_pruning_grid_within_the_fine_tuning():
    s = _small_settings(variants={"pruned_span": SPAN, "pruned_paper": 10})
    total = compress.steps_per_epoch(150, 10, 0.2) * 2
    end = training.end_step_for("pruned_span", s, 150)
    assert end % 5 == 0 and end <= total - 1 < end + 5
    assert training.end_step_for("pruned_paper", s, 150) == 10


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["pruned_paper", "pruned_span"])
def test_pruning_reaches_the_configured_sparsity_in_every_kernel(variant):
    s = _small_settings(initial_sparsity=0.5, final_sparsity=0.75, variants={"pruned_paper": 10, "pruned_span": SPAN})
    x, y = _data()
    full = training.train_full(x, y, s, seed=1)
    pruned = training.prune_and_fine_tune(full.model, x, y, variant, s, seed=2)
    for layer, sparsity in compress.kernel_sparsity(pruned.model).items():
        assert sparsity == pytest.approx(s.pruning.final_sparsity, abs=0.02), layer
    assert compress.count_parameters(pruned.model) == compress.count_parameters(full.model)
    # the full model is left unpruned
    assert max(compress.kernel_sparsity(full.model).values()) < 0.05
    assert set(pruned.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


@pytest.mark.slow
def test_training_is_deterministic_for_a_seed():
    s = _small_settings()
    x, y = _data()
    a = training.train_full(x, y, s, seed=3).model.get_weights()
    b = training.train_full(x, y, s, seed=3).model.get_weights()
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
