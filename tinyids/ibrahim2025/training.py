"""Deterministic training of the full model, then pruning with fine-tuning.

Speed without changing the protocol (measured on the 2-core host, batch 10): default Keras
~180 steps/s, ``jit_compile=True`` ~400, XLA plus ``steps_per_execution=50`` ~700 (several
optimizer steps per call into the runtime; the same updates in the same order). Pruning keeps
``steps_per_execution=1`` because ``UpdatePruningStep`` advances the pruning step per batch.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import tinyids  # noqa: F401

import numpy as np

from tinyids import compress
from tinyids.ibrahim2025.model import build_mlp, compile_model
from tinyids.ibrahim2025.settings import SPAN, Settings

log = logging.getLogger(__name__)

_CONFIGURED: dict[str, Any] = {}


def configure_runtime(seed: int, threads: int) -> None:
    """Seed Python/NumPy/TF, make TF ops deterministic, cap TF's thread pools.

    Thread pools can only be set before TensorFlow initialises its runtime; later calls keep
    the first setting (tests in one process) and only reseed.
    """
    import tensorflow as tf
    import tf_keras as keras

    if not _CONFIGURED:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(max(1, int(threads)))
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # runtime already initialised by an earlier caller
            log.info("TensorFlow runtime already initialised; thread pools unchanged")
        tf.config.experimental.enable_op_determinism()
        _CONFIGURED["threads"] = threads
    keras.utils.set_random_seed(int(seed))


@dataclass
class TrainResult:
    model: Any
    history: dict[str, list[float]]
    seconds: float
    steps: int
    info: dict[str, Any]

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


def train_full(x: np.ndarray, y: np.ndarray, settings: Settings, seed: int) -> TrainResult:
    """Train the paper's MLP from scratch (Table 1 hyperparameters from config)."""
    t = settings.training
    configure_runtime(seed, settings.threads)
    model = compile_model(
        build_mlp(x.shape[1], settings.units), t.learning_rate,
        jit_compile=t.jit_compile, steps_per_execution=t.steps_per_execution,
    )
    steps = compress.steps_per_epoch(len(y), t.batch_size, t.validation_split) * t.epochs
    log.info("training full model: %d rows, %d epochs, batch %d, %d steps", len(y), t.epochs, t.batch_size, steps)
    start = time.perf_counter()
    hist = model.fit(
        x, y.astype(np.float32), batch_size=t.batch_size, epochs=t.epochs,
        validation_split=t.validation_split, shuffle=True, verbose=0,
        callbacks=[_EpochLogger("full")],
    )
    seconds = time.perf_counter() - start
    info = {"epochs": t.epochs, "batch_size": t.batch_size, "jit_compile": t.jit_compile,
            "steps_per_execution": t.steps_per_execution}
    return TrainResult(model, _history(hist), seconds, steps, info)


def end_step_for(variant: str, settings: Settings, n_rows: int) -> int:
    """The variant's PolynomialDecay end step; ``span`` = last pruning step of the fine-tuning."""
    p, t = settings.pruning, settings.training
    end = p.variants[variant]
    if end == SPAN:
        total = compress.steps_per_epoch(n_rows, t.batch_size, t.validation_split) * p.fine_tune_epochs
        return compress.span_end_step(total, p.begin_step, p.frequency)
    return int(end)


def prune_and_fine_tune(full_model, x: np.ndarray, y: np.ndarray, variant: str, settings: Settings, seed: int) -> TrainResult:
    """Magnitude pruning (PolynomialDecay) during ``fine_tune_epochs`` of fine-tuning, then strip.

    The fine-tuning reuses Table 1's hyperparameters with a fresh Adam (Section 4.2).
    """
    import tf_keras as keras

    p, t = settings.pruning, settings.training
    configure_runtime(seed, settings.threads)
    end_step = end_step_for(variant, settings, len(y))
    total = compress.steps_per_epoch(len(y), t.batch_size, t.validation_split) * p.fine_tune_epochs
    if end_step > total - 1:
        log.warning("%s: end step %d is beyond the %d fine-tuning steps; final sparsity not reached", variant, end_step, total)
    schedule = compress.polynomial_decay(
        p.initial_sparsity, p.final_sparsity, p.begin_step, end_step, power=p.power, frequency=p.frequency
    )
    base = keras.models.clone_model(full_model)
    base.set_weights(full_model.get_weights())
    pruned = compress.prune_low_magnitude(base, schedule)
    compile_model(pruned, t.learning_rate, jit_compile=p.jit_compile, steps_per_execution=1)
    log.info("pruning %s: sparsity %.2f -> %.2f, steps %d..%d every %d, %d fine-tuning steps",
             variant, p.initial_sparsity, p.final_sparsity, p.begin_step, end_step, p.frequency, total)
    start = time.perf_counter()
    hist = compress.fine_tune_pruned(
        pruned, x, y.astype(np.float32), batch_size=t.batch_size, epochs=p.fine_tune_epochs,
        validation_split=t.validation_split, shuffle=True, verbose=0, callbacks=[_EpochLogger(variant)],
    )
    seconds = time.perf_counter() - start
    stripped = compress.strip_pruning(pruned)
    compile_model(stripped, t.learning_rate)  # so it saves with an optimizer config and can evaluate
    info = {
        "variant": variant, "end_step": end_step, "fine_tune_steps": total,
        "initial_sparsity": p.initial_sparsity, "final_sparsity": p.final_sparsity,
        "begin_step": p.begin_step, "frequency": p.frequency, "power": p.power,
        "fine_tune_epochs": p.fine_tune_epochs, "kernel_sparsity": compress.kernel_sparsity(stripped),
    }
    return TrainResult(stripped, _history(hist), seconds, total, info)


def _history(hist) -> dict[str, list[float]]:
    return {k: [float(v) for v in vals] for k, vals in hist.history.items()}


def _callback_base():
    import tf_keras as keras

    return keras.callbacks.Callback


class _EpochLogger(_callback_base()):  # type: ignore[misc]
    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        log.info("%s epoch %d: %s", self.name, epoch + 1, ", ".join(f"{k}={v:.4f}" for k, v in logs.items()))
