"""Small random int8 models (Keras -> TFLiteConverter full-integer), for testing the generator.

``cnn_model`` mirrors the studies' Conv1D CNNs (Reshape, Conv1D, MaxPool1D, Flatten, Dense,
softmax); ``mlp_model`` their MLPs (Dense + ReLU stacks, sigmoid or softmax output). Weights
and biases are random (seeded), so the models exercise the arithmetic, not a trained optimum.
``deployable`` wraps a converted model in the Deployable contract, for tests of the stages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

import tinyids  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow is imported)


def _randomize(model, rng: np.random.Generator, weight_scale: float) -> None:
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        new = []
        for w in ws:
            fan = max(1, int(np.prod(w.shape[:-1]))) if w.ndim > 1 else 1
            std = weight_scale / np.sqrt(fan) if w.ndim > 1 else weight_scale * 0.3
            new.append(rng.normal(0.0, std, size=w.shape).astype(np.float32))
        layer.set_weights(new)


def convert_int8(model, calibration: np.ndarray) -> bytes:
    """Full-integer conversion with int8 input and output, as the studies convert: the shared
    :func:`tinyids.compress.to_tflite_int8`, calibrated on every row of ``calibration`` in order."""
    from tinyids.compress import to_tflite_int8

    return to_tflite_int8(model, calibration, n_samples=None)


def deployable(tflite, name: str, *, steps: Sequence[Mapping] = (), n_raw: int | None = None,
               raw_feature_names: Sequence[str] | None = None, class_names: Sequence[str] | None = None,
               probability: float = 0.5, description: str = "", study: str = "synthetic"):
    """A :class:`tinyids.study.deployable.Deployable` for a converted model (path or bytes):
    its quantization read from the model, ``steps`` from ``n_raw`` raw features (default: the
    model input size) to the model input; a one-output model decides by threshold at
    ``probability``, others by argmax."""
    from tinyids.litert import input_quantization, make_interpreter, output_quantization
    from tinyids.study.deployable import Deployable, quantization, threshold_int8

    raw = bytes(tflite) if isinstance(tflite, (bytes, bytearray)) else Path(tflite).read_bytes()
    interp = make_interpreter(raw)
    qin, qout = input_quantization(interp), output_quantization(interp)
    n_in = int(np.prod(interp.get_input_details()[0]["shape"]))
    n_out = int(np.prod(interp.get_output_details()[0]["shape"]))
    if raw_feature_names is None:
        raw_feature_names = [f"raw{i}" for i in range(n_in if n_raw is None else n_raw)]
    if class_names is None:
        class_names = ["normal", "attack"] if n_out == 1 else [f"class{i}" for i in range(n_out)]
    decision = ({"rule": "threshold", "output": 0, "probability": float(probability),
                 "int8": threshold_int8(qout.scale, qout.zero_point, probability)}
                if n_out == 1 else {"rule": "argmax"})
    return Deployable.create(
        name=name, study=study, protocol="synthetic", variant="random", seed=0, class_names=class_names,
        raw_feature_names=raw_feature_names, feature_names=[f"x{i}" for i in range(n_in)],
        model_format="tflite-int8", input_quantization=quantization(qin.scale, qin.zero_point),
        output_quantization=quantization(qout.scale, qout.zero_point), decision=decision, test_rows=0,
        metrics={"accuracy": None}, steps=list(steps), description=description,
        preprocessing_description=description)


def cnn_model(seed: int, n_features: int, filters: int, kernel: int, pool: int, classes: int,
              *, padding: str = "valid", pool_padding: str = "valid", strides: int = 1,
              hidden: int = 0, activation: str = "relu", weight_scale: float = 1.0):
    import tf_keras as keras

    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Input((n_features,)), keras.layers.Reshape((n_features, 1)),
              keras.layers.Conv1D(filters, kernel, strides=strides, padding=padding, activation=activation),
              keras.layers.MaxPool1D(pool, padding=pool_padding), keras.layers.Flatten()]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="relu"))
    layers.append(keras.layers.Dense(classes, activation="softmax" if classes > 1 else "sigmoid"))
    model = keras.Sequential(layers)
    _randomize(model, np.random.default_rng(seed), weight_scale)
    return model


def mlp_model(seed: int, n_features: int, hidden: tuple[int, ...], classes: int, *,
              weight_scale: float = 1.0):
    import tf_keras as keras

    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Input((n_features,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden]
    layers.append(keras.layers.Dense(classes, activation="softmax" if classes > 1 else "sigmoid"))
    model = keras.Sequential(layers)
    _randomize(model, np.random.default_rng(seed), weight_scale)
    return model


def features(seed: int, rows: int, n_features: int) -> np.ndarray:
    """Float feature rows: mostly standard-normal, with heavy tails and exact zeros (as scaled
    intrusion features are), so quantized inputs cover the whole int8 range."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=(rows, n_features))
    x[rng.random(x.shape) < 0.1] *= 4.0
    x[rng.random(x.shape) < 0.1] = 0.0
    return x.astype(np.float32)
