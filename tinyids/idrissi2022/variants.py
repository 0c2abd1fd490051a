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
from collections.abc import Mapping, Sequence
from typing import Any

import tinyids  # noqa: F401

import numpy as np

from tinyids import compress
from tinyids.idrissi2022 import models

log = logging.getLogger(__name__)

# The trained Keras model each TFLite variant starts from.
VARIANT_BASE: dict[str, str] = {"tM": "OM", "tMO": "POM", "tMOP": "POM7", "tMO_QAT": "POM"}
# The conversions the paper's Table II sizes imply (issue 16), built from the same pruned and
# clustered Keras model as the full-int8 variant: ``<v>_float`` (a float32 .tflite) and
# ``<v>_dynamic`` (TF's default optimisation without a representative dataset: dynamic range).
# The full-int8 ``tMO`` / ``tMOP`` stay what the boards run.
CONVERTED = ("tMO", "tMOP")
ABLATED = ("tMO", "tMOP", "tMO_QAT")  # the variants that reach a full-int8 .tflite from a POM (ablation rows)
CONVERSIONS = ("float", "dynamic")
CONVERSION_LABEL = {"int8": "full int8 (what the boards run)", "float": "float32 .tflite",
                    "dynamic": "dynamic range (TF default, no representative data)"}


def tflite_variants(variants: Sequence[str]) -> list[str]:
    """The variants of ``variants`` that are built as a .tflite (config order)."""
    return [v for v in variants if v in VARIANT_BASE]


def conversion_variants(variants: Sequence[str]) -> list[str]:
    """``<v>_float`` and ``<v>_dynamic`` for every converted variant (tMO, tMOP) in ``variants``."""
    return [f"{v}_{c}" for v in CONVERTED if v in variants for c in CONVERSIONS]


def conversion_of(name: str) -> tuple[str, str]:
    """(full-int8 variant, conversion) of a conversion variant name; (name, "int8") otherwise."""
    for v in CONVERTED:
        for c in CONVERSIONS:
            if name == f"{v}_{c}":
                return v, c
    return name, "int8"


def convert(keras_model, conversion: str) -> bytes:
    """The float32 or dynamic-range .tflite of a (pruned and clustered) Keras model."""
    from tinyids.idrissi2022.robust import to_tflite_dynamic

    if conversion == "float":
        return compress.to_tflite_float(keras_model)
    if conversion == "dynamic":
        return to_tflite_dynamic(keras_model)
    raise KeyError(f"unknown conversion {conversion!r} ({', '.join(CONVERSIONS)})")


def keras_models(variants: Sequence[str]) -> list[str]:
    """Keras models to train: the Keras variants asked for and the bases of the TFLite ones."""
    return sorted({v for v in variants if v not in VARIANT_BASE} | {VARIANT_BASE[v] for v in tflite_variants(variants)})


def base_file(variant: str) -> str:
    """The trained Keras model a TFLite variant starts from, inside its run folder."""
    if variant not in VARIANT_BASE:
        raise KeyError(f"idrissi2022.variants: {variant!r} is not a TFLite variant ({', '.join(VARIANT_BASE)})")
    return f"models/{VARIANT_BASE[variant]}.h5"


def variant_files(variants: Sequence[str]) -> dict[str, dict[str, str | None]]:
    """The files (inside a run folder) each evaluated variant needs: its Keras model, and its .tflite."""
    files: dict[str, dict[str, str | None]] = {}
    for v in variants:
        if v in VARIANT_BASE:
            files[v] = {"keras": f"variants/{v}.h5", "tflite": f"variants/{v}.tflite"}
            if v in CONVERTED:
                for c in CONVERSIONS:
                    files[f"{v}_{c}"] = {"keras": f"variants/{v}.h5", "tflite": f"variants/{v}_{c}.tflite"}
        else:
            files[v] = {"keras": f"models/{v}.h5", "tflite": None}
    return files


def eval_files(run_dir: str, variants: Sequence[str]) -> dict[str, dict[str, str | None]]:
    """:func:`variant_files` inside the run folder ``run_dir``."""
    return {v: {k: (f"{run_dir}/{p}" if p else None) for k, p in d.items()} for v, d in variant_files(variants).items()}


def eval_inputs(run_dir: str, variants: Sequence[str]) -> list[str]:
    """Every model file the evaluation of ``variants`` in ``run_dir`` reads (sorted, each once)."""
    return sorted({p for d in eval_files(run_dir, variants).values() for p in d.values() if p})


def deploy_protocol(protocols: Sequence[str], preferred: str) -> str:
    """The protocol whose deployables carry the plain variant names (``tMO``, ``tMOP``)."""
    return preferred if preferred in protocols else protocols[0]


def deploy_names(protocols: Sequence[str], deployables: Sequence[str], variants: Sequence[str],
                 preferred: str) -> list[str]:
    """``tMO``/``tMOP`` for the deploy protocol (what codegen and firmware read),
    ``<variant>_<protocol>`` for every other protocol."""
    from tinyids.idrissi2022.deploy import deploy_name

    main = deploy_protocol(protocols, preferred)
    chosen = [v for v in deployables if v in tflite_variants(variants)]
    return [deploy_name(p, v, main) for p in protocols for v in chosen]


def robust_deploy_names(protocols: Sequence[str], deployables: Sequence[str], robust: Sequence[str],
                        preferred: str) -> list[str]:
    """The robust variants' deployable names, as :func:`deploy_names` (a name not among the
    configured robust variants is a config error)."""
    from tinyids.errors import ConfigError
    from tinyids.idrissi2022.deploy import deploy_name

    unknown = [d for d in deployables if d not in robust]
    if unknown:
        raise ConfigError(f"idrissi2022.robust.deployables: {unknown} are not in robust.variants ({', '.join(robust)})")
    main = deploy_protocol(protocols, preferred)
    return [deploy_name(p, v, main) for p in protocols for v in deployables]


def ablation_inputs(run_dir: str, variants: Sequence[str], robust: Sequence[str]) -> list[str]:
    """Every model file the ablation reads in one run folder (see ``steps.ablation_step``)."""
    files = []
    for v in ABLATED:
        if v in variants:
            files += [f"{run_dir}/models/{VARIANT_BASE[v]}.h5", f"{run_dir}/variants/{v}.h5",
                      f"{run_dir}/variants/{v}.tflite"]
            if v in CONVERTED:
                files.append(f"{run_dir}/variants/{v}_dynamic.tflite")
    for r in robust:
        files += [f"{run_dir}/robust/{r}{s}" for s in (".h5", "_compressed.h5", ".npz", ".tflite", "_dynamic.tflite")]
    return sorted(set(files))


def parse_deploy_name(name: str, protocols: Sequence[str], preferred: str) -> tuple[str, str]:
    """(protocol, variant) of a deployable name made by :func:`deploy_names`."""
    for protocol in protocols:
        if name.endswith(f"_{protocol}"):
            return protocol, name[: -len(protocol) - 1]
    return deploy_protocol(protocols, preferred), name


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
            init: str, preserve_sparsity: bool, steps_per_execution: int):
    """Weight clustering fine-tune and strip; returns the plain model."""
    clustered = compress.cluster_weights(model, number_of_clusters, init=init, preserve_sparsity=preserve_sparsity)
    models.compile_model(clustered, learning_rate, steps_per_execution=steps_per_execution)
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
                    preserve_sparsity=c["preserve_sparsity"], steps_per_execution=config["steps_per_execution"])
    steps = ["prune", "cluster"]
    convert_from = model
    if qat:
        convert_from = quantization_aware(model, x_train, y_train, epochs=config["qat"]["epochs"],
                                          batch_size=batch_size, learning_rate=lr,
                                          steps_per_execution=config["steps_per_execution"])
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


def quantization_aware(model, x, y, *, epochs: int, batch_size: int, learning_rate: float, steps_per_execution: int):
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
    models.compile_model(quantized, learning_rate, steps_per_execution=steps_per_execution)
    if epochs > 0:
        quantized.fit(models.as_sequence(x), y, epochs=int(epochs), batch_size=int(batch_size), verbose=2)
    return quantized
