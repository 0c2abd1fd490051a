"""The paper's TFLite variants, built from trained Keras models with :mod:`tinyids.compress`.

- ``tM``: the OM converted to a float32 .tflite, nothing else.
- ``tMO``: the POM (16 features) magnitude-pruned with a PolynomialDecay schedule and fine-tuned,
  stripped, weight-clustered (sparsity-preserving) and fine-tuned, stripped, then full-integer
  int8 post-training quantized (int8 input and output; representative rows from the training
  split).
- ``tMOP``: the same chain on POM7, the POM layers trained on the 7 chi-square features.
- ``tMO_QAT`` (extra): the pruned and clustered POM fine-tuned with quantization-aware training
  before the int8 conversion, to see whether QAT beats PTQ. tfmot has no QAT config for Conv1D,
  so the Conv1D layer gets :class:`Conv1DQuantizeConfig` (per-tensor 8-bit weights, moving-average
  activations), the layout TFLite's int8 Conv1D kernels (a Conv2D underneath) use.

Config (``idrissi2022.optimize``): ``prune`` {initial_sparsity, final_sparsity, epochs, frequency,
power}, ``cluster`` {number_of_clusters, init, preserve_sparsity, epochs}, ``quantize``
{representative_samples}, ``qat`` {epochs}, ``learning_rate``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import tinyids  # noqa: F401

import numpy as np

from tinyids import compress
from tinyids.idrissi2022 import models

log = logging.getLogger(__name__)

def convert_tm(om_model) -> tuple[bytes, dict[str, Any]]:
    """tM: float32 TFLite conversion of the OM."""
    return compress.to_tflite_float(om_model), {"steps": ["tflite_float"]}


def prune(model, x, y, *, epochs: int, batch_size: int, learning_rate: float, initial_sparsity: float,
          final_sparsity: float, frequency: int, power: float = 3.0):
    """Magnitude pruning fine-tune (tfmot PolynomialDecay) and strip; returns the plain model."""
    total = int(epochs) * compress.steps_per_epoch(len(x), batch_size)
    if total - 1 < 2 * frequency:
        # A short fine-tune (small data, smoke run) would end before the first pruning update.
        lowered = max(1, (total - 1) // 2)
        log.warning("pruning frequency %d lowered to %d: the fine-tune has only %d steps", frequency, lowered, total)
        frequency = lowered
    end_step = compress.span_end_step(total, 0, frequency)
    schedule = compress.polynomial_decay(initial_sparsity, final_sparsity, 0, end_step, power=power, frequency=frequency)
    pruned = compress.prune_low_magnitude(model, schedule)
    models.compile_model(pruned, learning_rate)
    compress.fine_tune_pruned(pruned, models.as_sequence(x), y, epochs=int(epochs), batch_size=int(batch_size), verbose=2)
    stripped = compress.strip_pruning(pruned)
    log.info("pruned to weight sparsity %.3f (schedule end step %d of %d)", compress.weight_sparsity(stripped), end_step, total)
    return stripped


def cluster(model, x, y, *, epochs: int, batch_size: int, learning_rate: float, number_of_clusters: int,
            init: str, preserve_sparsity: bool):
    """Weight clustering fine-tune and strip; returns the plain model."""
    clustered = compress.cluster_weights(model, number_of_clusters, init=init, preserve_sparsity=preserve_sparsity)
    models.compile_model(clustered, learning_rate)
    if epochs > 0:
        clustered.fit(models.as_sequence(x), y, epochs=int(epochs), batch_size=int(batch_size), verbose=2)
    stripped = compress.strip_clustering(clustered)
    log.info("clustered: unique kernel values %s", compress.count_unique_kernel_values(stripped))
    return stripped


def optimize(base_model, x_train: np.ndarray, y_train: np.ndarray, *, config: Mapping[str, Any], batch_size: int,
             seed: int, qat: bool = False) -> tuple[Any, bytes, dict[str, Any]]:
    """tMO / tMOP chain (``qat=True``: tMO_QAT) on a trained POM; returns (Keras model, int8 .tflite, info)."""
    models.set_seed(seed)
    lr = float(config["learning_rate"])
    p, c, q = config["prune"], config["cluster"], config["quantize"]
    model = prune(base_model, x_train, y_train, epochs=p["epochs"], batch_size=batch_size, learning_rate=lr,
                  initial_sparsity=p["initial_sparsity"], final_sparsity=p["final_sparsity"],
                  frequency=p["frequency"], power=p.get("power", 3.0))
    sparsity_after_pruning = compress.weight_sparsity(model)
    model = cluster(model, x_train, y_train, epochs=c["epochs"], batch_size=batch_size, learning_rate=lr,
                    number_of_clusters=c["number_of_clusters"], init=c["init"],
                    preserve_sparsity=c["preserve_sparsity"])
    steps = ["prune", "cluster"]
    convert_from = model
    if qat:
        convert_from = quantization_aware(model, x_train, y_train, epochs=config["qat"]["epochs"],
                                          batch_size=batch_size, learning_rate=lr)
        steps.append("qat")
    flatbuffer = compress.to_tflite_int8(convert_from, models.as_sequence(x_train),
                                         n_samples=q["representative_samples"], seed=seed)
    steps.append("int8_ptq" if not qat else "int8_from_qat")
    info = {
        "steps": steps,
        "weight_sparsity_after_pruning": sparsity_after_pruning,
        "weight_sparsity": compress.weight_sparsity(model),
        "kernel_sparsity": compress.kernel_sparsity(model),
        "unique_kernel_values": compress.count_unique_kernel_values(model),
    }
    return model, flatbuffer, info


# ---------------------------------------------------------------- quantization-aware training (extra)


@functools.cache
def _conv1d_quantize_config():
    """The Conv1D QuantizeConfig class (built once, after TensorFlow is imported)."""
    import tensorflow_model_optimization as tfmot

    quantizers = tfmot.quantization.keras.quantizers

    class Conv1DQuantizeConfig(tfmot.quantization.keras.QuantizeConfig):
        """8-bit QAT for Conv1D: per-tensor symmetric weights, moving-average activations."""

        def get_weights_and_quantizers(self, layer):
            return [(layer.kernel, quantizers.LastValueQuantizer(num_bits=8, symmetric=True, narrow_range=True,
                                                                 per_axis=False))]

        def get_activations_and_quantizers(self, layer):
            return [(layer.activation, quantizers.MovingAverageQuantizer(num_bits=8, symmetric=False,
                                                                         narrow_range=False, per_axis=False))]

        def set_quantize_weights(self, layer, quantize_weights):
            layer.kernel = quantize_weights[0]

        def set_quantize_activations(self, layer, quantize_activations):
            layer.activation = quantize_activations[0]

        def get_output_quantizers(self, layer):
            return []

        def get_config(self):
            return {}

    return Conv1DQuantizeConfig


def quantization_aware(model, x, y, *, epochs: int, batch_size: int, learning_rate: float):
    """QAT fine-tune of a plain (pruned, clustered) model; returns the quantize-wrapped model."""
    import tensorflow_model_optimization as tfmot
    import tf_keras as keras

    qk = tfmot.quantization.keras
    config_cls = _conv1d_quantize_config()

    def annotate(layer):
        if isinstance(layer, keras.layers.Conv1D):
            return qk.quantize_annotate_layer(layer, quantize_config=config_cls())
        if isinstance(layer, keras.layers.Dense):
            return qk.quantize_annotate_layer(layer)
        return layer

    annotated = keras.models.clone_model(model, clone_function=annotate)
    annotated.set_weights(model.get_weights())
    with qk.quantize_scope({"Conv1DQuantizeConfig": config_cls}):
        quantized = qk.quantize_apply(annotated)
    models.compile_model(quantized, learning_rate)
    if epochs > 0:
        quantized.fit(models.as_sequence(x), y, epochs=int(epochs), batch_size=int(batch_size), verbose=2)
    return quantized
