"""Model compression shared by the studies: pruning, TFLite conversion, int8 PTQ, sizes.

Generic on purpose: every function takes a tf_keras model (built with ``import tf_keras as
keras``) and plain arrays, so any study can use them. ``import tinyids`` runs first (it sets
``TF_USE_LEGACY_KERAS=1``), which tensorflow-model-optimization needs.

- Pruning (Zhu & Gupta 2017, as tfmot implements it): :func:`polynomial_decay`,
  :func:`prune_low_magnitude`, :func:`fine_tune_pruned` (adds ``UpdatePruningStep``),
  :func:`strip_pruning`; :func:`span_end_step` gives an end step that the fine-tuning reaches.
- Conversion: :func:`to_tflite_float` and :func:`to_tflite_int8` (full-integer post-training
  quantization with a representative dataset; int8 input and output tensors).
- Sizes and counts: :func:`gzip_size`, :func:`count_parameters`, :func:`count_nonzero`,
  :func:`weight_sparsity`, :func:`kernel_sparsity`.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import tinyids  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow is imported)

import numpy as np

from tinyids.errors import TinyidsError


class CompressionError(TinyidsError):
    """A compression step could not run as configured (schedule, conversion, data)."""


# ---------------------------------------------------------------- pruning


def _tfmot():
    import tensorflow_model_optimization as tfmot

    return tfmot


def polynomial_decay(
    initial_sparsity: float,
    final_sparsity: float,
    begin_step: int,
    end_step: int,
    *,
    power: float = 3.0,
    frequency: int = 100,
):
    """tfmot ``PolynomialDecay``: sparsity rises from ``initial`` to ``final`` between steps.

    Pruning happens at ``begin_step + k * frequency`` up to ``end_step``; the final sparsity is
    only applied if ``end_step - begin_step`` is a multiple of ``frequency`` and the training
    reaches ``end_step`` (see :func:`span_end_step`).
    """
    if not 0.0 <= initial_sparsity < 1.0 or not 0.0 < final_sparsity < 1.0:
        raise CompressionError(f"sparsities must lie in [0, 1): initial={initial_sparsity}, final={final_sparsity}")
    if initial_sparsity > final_sparsity:
        raise CompressionError(f"initial sparsity {initial_sparsity} exceeds final sparsity {final_sparsity}")
    if begin_step < 0 or end_step <= begin_step:
        raise CompressionError(f"pruning needs 0 <= begin_step < end_step, got {begin_step}, {end_step}")
    if frequency < 1:
        raise CompressionError(f"pruning frequency must be >= 1, got {frequency}")
    return _tfmot().sparsity.keras.PolynomialDecay(
        initial_sparsity=float(initial_sparsity),
        final_sparsity=float(final_sparsity),
        begin_step=int(begin_step),
        end_step=int(end_step),
        power=float(power),
        frequency=int(frequency),
    )


def span_end_step(total_steps: int, begin_step: int = 0, frequency: int = 100) -> int:
    """The last pruning step a run of ``total_steps`` optimizer steps reaches.

    Steps are numbered from 0, so the last one is ``total_steps - 1``; the result is the largest
    ``begin_step + k * frequency`` not beyond it (k >= 1), so the final sparsity is applied.
    """
    last = total_steps - 1
    k = (last - begin_step) // frequency
    if k < 1:
        raise CompressionError(
            f"a pruning schedule from step {begin_step} with frequency {frequency} needs more than "
            f"{begin_step + frequency} steps; the fine-tuning has {total_steps}"
        )
    return begin_step + k * frequency


def steps_per_epoch(n_rows: int, batch_size: int, validation_split: float = 0.0) -> int:
    """Optimizer steps per epoch of ``Model.fit`` on ``n_rows`` arrays (Keras' own split rule)."""
    n_val = int(n_rows * validation_split)
    n_train = n_rows - n_val
    return -(-n_train // batch_size)


def prune_low_magnitude(model, schedule):
    """Wrap every prunable layer of ``model`` (Dense kernels, ...) for magnitude pruning."""
    return _tfmot().sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)


def pruning_callbacks(log_dir: str | os.PathLike[str] | None = None) -> list[Any]:
    """The callbacks pruning needs: ``UpdatePruningStep`` (and a summary writer if asked)."""
    sparsity = _tfmot().sparsity.keras
    callbacks = [sparsity.UpdatePruningStep()]
    if log_dir is not None:
        callbacks.append(sparsity.PruningSummaries(log_dir=str(log_dir)))
    return callbacks


def fine_tune_pruned(pruned_model, x, y, *, callbacks: Sequence[Any] = (), **fit_kwargs):
    """``fit`` a model wrapped by :func:`prune_low_magnitude` with ``UpdatePruningStep``.

    The model must be compiled with ``steps_per_execution=1`` (the pruning step is advanced per
    batch by the callback). Returns the Keras ``History``.
    """
    return pruned_model.fit(x, y, callbacks=[*pruning_callbacks(), *callbacks], **fit_kwargs)


def strip_pruning(pruned_model):
    """Remove the pruning wrappers; the zeroed weights stay zero in the plain model."""
    return _tfmot().sparsity.keras.strip_pruning(pruned_model)


# ---------------------------------------------------------------- conversion


def to_tflite_float(model) -> bytes:
    """Float32 TFLite flatbuffer of a Keras model (no optimisation flags)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    return bytes(converter.convert())


def representative_dataset(x: np.ndarray, n_samples: int | None = 500, seed: int = 0) -> Callable[[], Iterable]:
    """A representative-dataset generator over up to ``n_samples`` rows of ``x`` (float32).

    Rows are drawn without replacement with ``seed`` so the calibration is reproducible.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 2 or x.shape[0] == 0:
        raise CompressionError("the representative dataset needs at least one row of features")
    if n_samples is not None and n_samples < x.shape[0]:
        idx = np.sort(np.random.default_rng(seed).choice(x.shape[0], size=n_samples, replace=False))
        x = x[idx]

    def generator():
        for row in x:
            yield [row[np.newaxis, ...]]

    return generator


def to_tflite_int8(model, calibration_x: np.ndarray, *, n_samples: int | None = 500, seed: int = 0) -> bytes:
    """Full-integer post-training quantization: int8 weights, activations, input and output.

    ``calibration_x`` holds float rows exactly as the model is fed (typically training rows).
    Fails if any op cannot be quantized (``TFLITE_BUILTINS_INT8`` only), so the result always
    runs on integer-only micro targets.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset(calibration_x, n_samples, seed)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def tflite_io_dtypes(flatbuffer: bytes) -> tuple[np.dtype, np.dtype]:
    """(input dtype, output dtype) of a .tflite flatbuffer, read with LiteRT."""
    from tinyids.litert import make_interpreter

    interp = make_interpreter(flatbuffer)
    return (
        np.dtype(interp.get_input_details()[0]["dtype"]),
        np.dtype(interp.get_output_details()[0]["dtype"]),
    )


# ---------------------------------------------------------------- sizes and counts


def gzip_size(data: bytes | str | os.PathLike[str]) -> int:
    """Bytes of ``data`` (or of the file at that path) after ``gzip -9`` (mtime 0, so stable)."""
    if not isinstance(data, (bytes, bytearray)):
        data = Path(data).read_bytes()
    return len(gzip.compress(bytes(data), compresslevel=9, mtime=0))


def model_weights(model) -> list[np.ndarray]:
    return [np.asarray(w) for w in model.get_weights()]


def count_parameters(model) -> int:
    """All weights and biases (trainable and not) of a plain Keras model."""
    return int(sum(w.size for w in model_weights(model)))


def count_nonzero(model) -> int:
    """Weights and biases that are not exactly zero."""
    return int(sum(np.count_nonzero(w) for w in model_weights(model)))


def weight_sparsity(model) -> float:
    """Fraction of all weights and biases that are exactly zero."""
    total = count_parameters(model)
    return 1.0 - count_nonzero(model) / total if total else 0.0


def kernel_sparsity(model) -> dict[str, float]:
    """Fraction of exact zeros in each layer's kernel (the tensors magnitude pruning targets)."""
    out: dict[str, float] = {}
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is None:
            continue
        k = np.asarray(kernel.numpy())
        out[layer.name] = float(1.0 - np.count_nonzero(k) / k.size)
    return out


# ---------------------------------------------------------------- weight clustering (appended by idrissi2022)


CENTROID_INITS = ("kmeans_plus_plus", "linear", "density_based", "random")


def cluster_weights(model, number_of_clusters: int, *, init: str = "kmeans_plus_plus", preserve_sparsity: bool = False):
    """Wrap every clusterable layer of ``model`` for weight clustering (weight sharing).

    Each layer's kernel is clustered into ``number_of_clusters`` centroids initialised with
    ``init`` (tfmot ``CentroidInitialization``); ``preserve_sparsity=True`` keeps pruned zeros at
    zero (sparsity-preserving clustering). Compile and ``fit`` the result to fine-tune the
    centroids, then :func:`strip_clustering`.
    """
    if number_of_clusters < 2:
        raise CompressionError(f"weight clustering needs at least 2 clusters, got {number_of_clusters}")
    if init not in CENTROID_INITS:
        raise CompressionError(f"unknown centroid initialisation {init!r} (expected one of {', '.join(CENTROID_INITS)})")
    clustering = _tfmot().clustering.keras
    return clustering.cluster_weights(
        model,
        number_of_clusters=int(number_of_clusters),
        cluster_centroids_init=getattr(clustering.CentroidInitialization, init.upper()),
        preserve_sparsity=bool(preserve_sparsity),
    )


def strip_clustering(clustered_model):
    """Remove the clustering wrappers; kernels keep only their centroid values."""
    return _tfmot().clustering.keras.strip_clustering(clustered_model)


def count_unique_kernel_values(model) -> dict[str, int]:
    """Distinct values in each layer's kernel (at most the cluster count after clustering)."""
    out: dict[str, int] = {}
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            out[layer.name] = int(np.unique(np.asarray(kernel.numpy())).size)
    return out
