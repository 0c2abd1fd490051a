"""OM and POM builders (tf_keras functional models) and their training.

Layer sizes come from config (``idrissi2022.architecture``), chosen by the parameter-count
search documented in :mod:`tinyids.idrissi2022.architecture`: OM = Input(16, 1) ->
Conv1D(20, 3) -> MaxPooling1D(2) -> Flatten -> Dense(180) -> Dropout -> Dense(5), 26,365
parameters; POM = Input(16, 1) -> Conv1D(20, 6) -> MaxPooling1D(2) -> Flatten -> Dense(5), 645
parameters. The same POM layers on the 7 chi-square features (POM7, the base of tMOP) have
245 parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)

import numpy as np

from tinyids.errors import ConfigError

log = logging.getLogger(__name__)


def limit_threads(threads: int) -> None:
    """Pin TensorFlow to ``threads`` intra-op threads and one inter-op thread (call first)."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(max(1, int(threads)))
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # already initialised in this process: keep what it has
        pass


def _keras():
    import tf_keras as keras

    return keras


def build_pom(n_features: int, n_classes: int, *, filters: int, kernel_size: int, pool_size: int = 2):
    """Input -> Conv1D -> MaxPooling1D -> Flatten -> Dense(softmax): the paper's "five layers"."""
    if kernel_size > n_features:
        raise ConfigError(f"idrissi2022.architecture.POM.kernel_size {kernel_size} exceeds {n_features} features")
    keras = _keras()
    inputs = keras.Input(shape=(n_features, 1), name="features")
    x = keras.layers.Conv1D(filters, kernel_size, activation="relu", name="conv1d")(inputs)
    x = keras.layers.MaxPooling1D(pool_size, name="maxpool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="POM")


def build_om(n_features: int, n_classes: int, *, filters: int, kernel_size: int, units: int,
             dropout: float = 0.2, pool_size: int = 2):
    """Input -> Conv1D -> MaxPooling1D -> Flatten -> Dense(relu) -> Dropout -> Dense: "7 layers"."""
    if kernel_size > n_features:
        raise ConfigError(f"idrissi2022.architecture.OM.kernel_size {kernel_size} exceeds {n_features} features")
    keras = _keras()
    inputs = keras.Input(shape=(n_features, 1), name="features")
    x = keras.layers.Conv1D(filters, kernel_size, activation="relu", name="conv1d")(inputs)
    x = keras.layers.MaxPooling1D(pool_size, name="maxpool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(units, activation="relu", name="hidden")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="OM")


def build(model: str, n_features: int, n_classes: int, architecture: Mapping[str, Mapping[str, Any]]):
    """Build ``OM``, ``POM`` (16 features) or ``POM7`` (POM layers on the selected features)."""
    if model == "OM":
        spec = architecture["OM"]
        return build_om(n_features, n_classes, filters=spec["filters"], kernel_size=spec["kernel_size"],
                        units=spec["units"], dropout=spec.get("dropout", 0.2), pool_size=spec.get("pool_size", 2))
    if model in ("POM", "POM7"):
        spec = architecture["POM"]
        net = build_pom(n_features, n_classes, filters=spec["filters"], kernel_size=spec["kernel_size"],
                        pool_size=spec.get("pool_size", 2))
        net._name = model
        return net
    raise ConfigError(f"unknown idrissi2022 model {model!r} (expected OM, POM or POM7)")


def as_sequence(x: np.ndarray) -> np.ndarray:
    """(n, features) rows -> (n, features, 1), the "image data shape" the paper feeds the CNN."""
    x = np.asarray(x, dtype=np.float32)
    return x if x.ndim == 3 else x[..., np.newaxis]


def compile_model(model, learning_rate: float, *, jit_compile: bool = False, steps_per_execution: int = 1) -> None:
    """Adam + sparse categorical cross-entropy. ``jit_compile`` (XLA) and ``steps_per_execution`` change
    how the same optimizer steps are run, not which: the fine-tunes with tfmot wrappers keep the
    defaults, since ``UpdatePruningStep`` advances the pruning step once per runtime call."""
    keras = _keras()
    if jit_compile and _op_determinism_enabled():
        # XLA has no deterministic MaxPool gradient: a process that enabled op determinism (the
        # ibrahim2025 trainer does, and one test process runs both studies) trains without XLA.
        log.warning("op determinism is enabled in this process: training %s without XLA (jit_compile off)",
                    model.name)
        jit_compile = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=bool(jit_compile), steps_per_execution=int(steps_per_execution))


def _op_determinism_enabled() -> bool:
    from tensorflow.python.framework import config as tf_config

    return bool(tf_config.is_op_determinism_enabled())


def set_seed(seed: int) -> None:
    _keras().utils.set_random_seed(int(seed))


def train(model, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, *,
          epochs: int, batch_size: int, learning_rate: float, seed: int, jit_compile: bool,
          steps_per_execution: int) -> dict[str, list[float]]:
    """Compile (Adam, sparse categorical cross-entropy) and fit; returns the history. With XLA and
    50 steps per call the paper's 10 epochs at batch 32 run 3-4x faster on CPU (measured: POM 372 ->
    1,273 steps/s, OM 194 -> 755)."""
    set_seed(seed)
    compile_model(model, learning_rate, jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    history = model.fit(as_sequence(x_train), y_train, validation_data=(as_sequence(x_val), y_val),
                        epochs=int(epochs), batch_size=int(batch_size), shuffle=True, verbose=2)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def predict_classes(model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    return np.argmax(model.predict(as_sequence(x), batch_size=batch_size, verbose=0), axis=1)


def save(model, path) -> None:
    """HDF5 (Keras 2) with the optimizer state, as Keras saved models in the paper's era."""
    model.save(str(path), save_format="h5", include_optimizer=True)


def load(path):
    return _keras().models.load_model(str(path), compile=False)
