"""tinyids.compress: pruning schedule, pruning to the configured sparsity, int8 conversion, sizes."""

from __future__ import annotations

import numpy as np
import pytest

import tinyids  # noqa: F401
from tinyids import compress
from tinyids.compress import CompressionError


def _tiny_model(n_inputs: int = 6, seed: int = 0):
    import tf_keras as keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.layers.InputLayer(input_shape=(n_inputs,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _toy_data(n: int = 200, n_inputs: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_inputs)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 1.0).astype(np.float32)
    return x, y


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(initial_sparsity=0.9, final_sparsity=0.5, begin_step=0, end_step=100),
        dict(initial_sparsity=0.5, final_sparsity=1.0, begin_step=0, end_step=100),
        dict(initial_sparsity=0.5, final_sparsity=0.9, begin_step=100, end_step=100),
        dict(initial_sparsity=0.5, final_sparsity=0.9, begin_step=0, end_step=100, frequency=0),
    ],
)
def test_polynomial_decay_rejects_inconsistent_schedules(kwargs):
    with pytest.raises(CompressionError):
        compress.polynomial_decay(**kwargs)


def test_span_end_step_is_the_last_pruning_step_the_run_reaches():
    for total, begin, freq in [(1000, 0, 100), (18270, 0, 100), (90, 0, 10), (95, 5, 10)]:
        end = compress.span_end_step(total, begin, freq)
        assert (end - begin) % freq == 0
        assert end <= total - 1 < end + freq


def test_span_end_step_refuses_a_run_too_short_for_one_pruning_interval():
    with pytest.raises(CompressionError):
        compress.span_end_step(50, 0, 100)


def test_steps_per_epoch_matches_keras_validation_split_arithmetic():
    # Keras keeps int(n * (1 - split)) ... it holds out int(n * split) rows and batches the rest.
    assert compress.steps_per_epoch(100, 10, 0.2) == 8
    assert compress.steps_per_epoch(101, 10, 0.2) == 9  # 81 training rows -> 9 batches
    assert compress.steps_per_epoch(10, 3, 0.0) == 4


@pytest.mark.slow
def test_pruning_with_polynomial_decay_reaches_the_final_sparsity_and_strips_wrappers():
    x, y = _toy_data()
    model = _tiny_model()
    model.fit(x, y, epochs=1, batch_size=20, verbose=0)
    batch, epochs = 10, 3
    total = compress.steps_per_epoch(len(y), batch) * epochs
    end = compress.span_end_step(total, 0, 10)
    pruned = compress.prune_low_magnitude(model, compress.polynomial_decay(0.5, 0.8, 0, end, frequency=10))
    pruned.compile(optimizer="adam", loss="binary_crossentropy")
    compress.fine_tune_pruned(pruned, x, y, batch_size=batch, epochs=epochs, verbose=0)
    stripped = compress.strip_pruning(pruned)
    assert all("prune" not in layer.name for layer in stripped.layers)
    for name, sparsity in compress.kernel_sparsity(stripped).items():
        assert sparsity == pytest.approx(0.8, abs=0.02), name
    assert compress.count_parameters(stripped) == compress.count_parameters(model)
    assert compress.count_nonzero(stripped) < 0.3 * compress.count_parameters(stripped)


@pytest.mark.slow
def test_full_integer_conversion_has_int8_input_and_output_and_tracks_the_float_model():
    from tinyids.litert import make_interpreter, predict_float_features

    x, y = _toy_data()
    model = _tiny_model()
    model.fit(x, y, epochs=3, batch_size=20, verbose=0)
    int8 = compress.to_tflite_int8(model, x, n_samples=100)
    assert compress.tflite_io_dtypes(int8) == (np.dtype(np.int8), np.dtype(np.int8))
    float_tfl = compress.to_tflite_float(model)
    assert compress.tflite_io_dtypes(float_tfl) == (np.dtype(np.float32), np.dtype(np.float32))
    ref = model.predict(x, verbose=0).reshape(-1)
    got = predict_float_features(make_interpreter(int8), x).reshape(-1)
    assert np.max(np.abs(got - ref)) < 0.05  # a few output quantization steps of 1/256
    got_float = predict_float_features(make_interpreter(float_tfl), x).reshape(-1)
    assert np.allclose(got_float, ref, atol=1e-5)


def test_representative_dataset_is_seeded_and_bounded():
    x = np.arange(60, dtype=np.float32).reshape(30, 2)
    a = [r[0].copy() for r in compress.representative_dataset(x, 5, seed=3)()]
    b = [r[0].copy() for r in compress.representative_dataset(x, 5, seed=3)()]
    assert len(a) == 5 and all(r.shape == (1, 2) for r in a)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    with pytest.raises(CompressionError):
        compress.representative_dataset(np.empty((0, 2)), 5)


def test_gzip_size_is_deterministic_and_rewards_zeros(tmp_path):
    rng = np.random.default_rng(0)
    dense = rng.standard_normal(10000).astype(np.float32)
    sparse = dense.copy()
    sparse[rng.random(10000) < 0.9] = 0.0
    assert compress.gzip_size(sparse.tobytes()) < 0.5 * compress.gzip_size(dense.tobytes())
    assert compress.gzip_size(dense.tobytes()) == compress.gzip_size(dense.tobytes())
    path = tmp_path / "blob.bin"
    path.write_bytes(sparse.tobytes())
    assert compress.gzip_size(path) == compress.gzip_size(sparse.tobytes())


def test_parameter_and_nonzero_counts_follow_the_weights():
    model = _tiny_model()
    expected = (6 * 32 + 32) + (32 * 16 + 16) + (16 + 1)
    assert compress.count_parameters(model) == expected
    weights = model.get_weights()
    weights[0][:] = 0.0
    model.set_weights(weights)
    # biases start at zero in Keras, so only the non-zero kernels of layers 2 and 3 remain
    assert compress.count_nonzero(model) == 32 * 16 + 16
    assert compress.weight_sparsity(model) == pytest.approx(1 - (32 * 16 + 16) / expected)
