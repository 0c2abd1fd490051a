"""Small random int8 models (Keras -> TFLiteConverter full-integer), for testing the generator.

``cnn_model`` mirrors the studies' Conv1D CNNs (Reshape, Conv1D, MaxPool1D, Flatten, Dense,
softmax); ``mlp_model`` their MLPs (Dense + ReLU stacks, sigmoid or softmax output). Weights
and biases are random (seeded), so the models exercise the arithmetic, not a trained optimum.
"""

from __future__ import annotations

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
    """Full-integer conversion with int8 input and output, as the studies convert."""
    import tensorflow as tf

    def representative():
        for row in calibration:
            yield [row[None, :].astype(np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


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
