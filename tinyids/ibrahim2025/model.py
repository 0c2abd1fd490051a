"""The MLP of the paper (Section 4, Table 1): 12 inputs, Dense 100 relu, four Dense 512 relu,
Dense 1 sigmoid; Adam, binary cross-entropy."""

from __future__ import annotations

from collections.abc import Sequence

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)


def build_mlp(n_inputs: int, units: Sequence[int] = (100, 512, 512, 512, 512)):
    """Uncompiled tf_keras Sequential model; layer names are stable (``dense_0`` ...)."""
    import tf_keras as keras

    layers = [keras.layers.InputLayer(input_shape=(n_inputs,), name="features")]
    for i, n in enumerate(units):
        layers.append(keras.layers.Dense(int(n), activation="relu", name=f"dense_{i}"))
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="attack_probability"))
    return keras.Sequential(layers, name="pca_dnn")


def compile_model(model, learning_rate: float, *, jit_compile: bool = False, steps_per_execution: int = 1):
    import tf_keras as keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        jit_compile=bool(jit_compile),
        steps_per_execution=int(steps_per_execution),
    )
    return model


def dense_layer_sizes(n_inputs: int, units: Sequence[int]) -> list[tuple[int, int]]:
    """(fan-in, fan-out) of each Dense layer, output layer included."""
    dims = [n_inputs, *[int(u) for u in units], 1]
    return list(zip(dims[:-1], dims[1:]))
