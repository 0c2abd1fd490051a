"""Quantization-robust variants of idrissi2022 (the project's own, beside the paper's).

The paper's unit norm divides every uniflow vector by its L2 norm, which the ports and byte
counts dominate: after it, int8 input quantization (scale about 1/255) rounds most non-zero
values of ``proto``, ``num_pkts`` and the packet lengths to the zero point (see
``quantization_zero_point.csv``). These variants keep the information on the 8-bit grid by
choosing the input transform for it, fitted on the training rows only:

    raw 16 encoded features -> log1p (every column; all are counts, lengths, times or ports,
    never negative) -> offset_scale with min = min over training rows and
    scale = 1 / (max - min) (1 for a constant column)

so every feature spans [0, 1] on the training rows and the int8 grid has 255 steps per feature.
Both steps are typed Deployable steps (``log1p`` + ``offset_scale``), so a device runs them from
the raw vector; the Deployable's npz holds ``X_raw`` beside ``X_test``.

Models (config ``idrissi2022.robust.variants``, each a name -> spec):

- ``model: POM``: the paper's POM layers (Conv1D -> MaxPooling1D -> Flatten -> Dense) on the
  robust features (``tMO_robust``: the tMO model with a transform that survives 8 bits);
- ``model: MLP``: Flatten -> Dense(relu) per ``hidden_units`` -> Dense(softmax), a tiny MLP.

Each is trained in float (``robust.train``), optionally pruned and clustered with the paper's tMO
chain (``compress``: the ``idrissi2022.optimize`` settings; the code generator skips zero weights,
so this shrinks the unrolled C that the Uno's 32 KB flash must hold), optionally fine-tuned with
quantization-aware training (``qat_epochs`` > 0), and converted to full-int8 with representative training rows;
``clip_percentile`` (when set) clips the calibration rows per feature to the
[p, 100 - p] percentiles of the training rows, so rare large values do not set the input and
activation ranges. The train / val / test rows are exactly the protocol's (``rows_*`` of the
run's ``data.npz``), so the robust variant is scored on the same test rows as the paper's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tinyids  # noqa: F401

import numpy as np
import pandas as pd

from tinyids.errors import ConfigError, DataError
from tinyids.idrissi2022.protocols import Prepared, encode, unit_normalize
from tinyids.study import preprocessing

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
MODELS = ("POM", "MLP")


def variant_names(robust_cfg: Mapping[str, Any]) -> list[str]:
    """The configured robust variant names (config order); a repeated name is a config error."""
    names = [str(v["name"]) for v in robust_cfg["variants"]]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"idrissi2022.robust.variants: name(s) {repeated} appear more than once")
    return names


def variant_spec(robust_cfg: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    for i, spec in enumerate(robust_cfg["variants"]):
        if spec["name"] == name:
            if spec["model"] == "MLP" and not spec.get("hidden_units"):
                raise ConfigError(f"idrissi2022.robust.variants[{i}] ({name}): an MLP needs hidden_units")
            return spec
    raise ConfigError(f"idrissi2022.robust.variants has no {name!r} (has {', '.join(variant_names(robust_cfg))})")


def raw_splits(frame: pd.DataFrame, prepared: Prepared, source: str = "uniflow") -> dict[str, np.ndarray]:
    """The raw encoded features (float64) of the protocol's train / val / test rows.

    ``rows_*`` index the uniflow table as read (before dedup and subsampling). The unit norm of
    these rows must give the run's own ``x_*`` back: a table that is not the one the run was
    prepared from is an error naming ``source``."""
    frame = frame.reset_index(drop=True)
    raw = {}
    for split in SPLITS:
        rows = np.asarray(getattr(prepared, f"rows_{split}"), dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= len(frame)):
            raise DataError(f"{source}: the run's {split} rows reach row {int(rows.max())}, the table has {len(frame)}")
        x = encode(frame.iloc[rows], prepared.feature_names)
        expected = getattr(prepared, f"x_{split}")
        if x.shape != expected.shape or not np.allclose(unit_normalize(x).astype(np.float32), expected, atol=1e-6):
            raise DataError(f"{source}: its {split} rows are not the ones the run was prepared from "
                            "(unit norm of the raw rows differs from data.npz)")
        raw[split] = x
    if (raw["train"] < 0).any():
        col = int(np.flatnonzero((raw["train"] < 0).any(axis=0))[0])
        raise DataError(f"{source}: feature {prepared.feature_names[col]!r} has a negative training value; "
                        "log1p needs non-negative features")
    return raw


def fit_steps(x_train_raw: np.ndarray) -> list[dict[str, Any]]:
    """``log1p`` of every column, then ``offset_scale`` to [0, 1] on the training rows."""
    x = np.asarray(x_train_raw, dtype=np.float64)
    n = x.shape[1]
    logged = preprocessing.apply([{"op": "log1p", "columns": list(range(n))}], x).astype(np.float64)
    lo, hi = logged.min(axis=0), logged.max(axis=0)
    scale = np.where(hi > lo, 1.0 / np.where(hi > lo, hi - lo, 1.0), 1.0)
    return [{"op": "log1p", "columns": list(range(n))},
            {"op": "offset_scale", "min": [float(v) for v in lo], "scale": [float(v) for v in scale]}]


def transform(steps: Sequence[Mapping[str, Any]], x_raw: np.ndarray) -> np.ndarray:
    """The host reference of the steps (float32, as the device computes them)."""
    return preprocessing.apply(steps, np.asarray(x_raw, dtype=np.float32))


def build(spec: Mapping[str, Any], n_features: int, n_classes: int, architecture: Mapping[str, Any]):
    """The Keras model of one robust variant spec (``model``: POM or MLP)."""
    from tinyids.idrissi2022 import models

    kind = spec["model"]
    if kind == "POM":
        net = models.build("POM", n_features, n_classes, architecture)
        net._name = "POM_robust"
        return net
    if kind == "MLP":
        import tf_keras as keras

        inputs = keras.Input(shape=(n_features, 1), name="features")
        x = keras.layers.Flatten(name="flatten")(inputs)
        for i, units in enumerate(spec["hidden_units"]):
            x = keras.layers.Dense(int(units), activation="relu", name=f"hidden{i}")(x)
        outputs = keras.layers.Dense(n_classes, activation="softmax", name="output")(x)
        return keras.Model(inputs, outputs, name="MLP_robust")
    raise ConfigError(f"idrissi2022.robust.variants: model {kind!r} is not one of {', '.join(MODELS)}")


def calibration_rows(x_train: np.ndarray, clip_percentile: float | None) -> np.ndarray:
    """Training rows for the int8 calibration, clipped per feature to the [p, 100 - p]
    percentiles of the training rows when ``clip_percentile`` is set."""
    x = np.asarray(x_train, dtype=np.float32)
    if clip_percentile is None:
        return x
    lo = np.percentile(x, float(clip_percentile), axis=0)
    hi = np.percentile(x, 100.0 - float(clip_percentile), axis=0)
    return np.clip(x, lo, hi).astype(np.float32)


def to_tflite_dynamic(model) -> bytes:
    """TF's default post-training optimisation without a representative dataset (dynamic range:
    int8 weights where TF quantizes them, float activations, float input and output)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return bytes(converter.convert())


def train(spec: Mapping[str, Any], x: Mapping[str, np.ndarray], y: Mapping[str, np.ndarray], *, n_classes: int,
          cfg: Mapping[str, Any], architecture: Mapping[str, Any], seed: int,
          optimize: Mapping[str, Any] | None = None) -> tuple[Any, Any, bytes, dict[str, Any]]:
    """Train one robust variant; returns (float Keras model, the pruned and clustered float model
    or None when ``spec['compress']`` is false, int8 .tflite, info). ``optimize``: the study's
    ``idrissi2022.optimize`` block (prune, cluster), needed when ``compress`` is true."""
    from tinyids import compress
    from tinyids.idrissi2022 import models, variants

    t = cfg["train"]
    if spec["compress"] and optimize is None:
        raise ConfigError(f"idrissi2022.robust.variants ({spec['name']}): compress needs the idrissi2022.optimize block")
    net = build(spec, x["train"].shape[1], n_classes, architecture)
    history = models.train(net, x["train"], y["train"], x["val"], y["val"], epochs=t["epochs"],
                           batch_size=t["batch_size"], learning_rate=t["learning_rate"], seed=seed,
                           jit_compile=t["jit_compile"], steps_per_execution=t["steps_per_execution"])
    convert_from, steps, compressed = net, ["float_train"], None
    if spec["compress"]:
        # the paper's tMO chain (idrissi2022.optimize: prune, cluster) on the robust features: the
        # code generator skips zero weights, so pruning shrinks the unrolled C on the Uno
        o = optimize
        clone = models._keras().models.clone_model(net)
        clone.set_weights(net.get_weights())
        compressed = variants.prune(clone, x["train"], y["train"], epochs=o["prune"]["epochs"], batch_size=t["batch_size"],
                                    learning_rate=o["learning_rate"], initial_sparsity=o["prune"]["initial_sparsity"],
                                    final_sparsity=o["prune"]["final_sparsity"], frequency=o["prune"]["frequency"],
                                    power=o["prune"].get("power", 3.0))
        compressed = variants.cluster(compressed, x["train"], y["train"], epochs=o["cluster"]["epochs"],
                                      batch_size=t["batch_size"], learning_rate=o["learning_rate"],
                                      number_of_clusters=o["cluster"]["number_of_clusters"], init=o["cluster"]["init"],
                                      preserve_sparsity=o["cluster"]["preserve_sparsity"],
                                      steps_per_execution=o["steps_per_execution"])
        convert_from = compressed
        steps += ["prune", "cluster"]
    if int(spec["qat_epochs"]) > 0:
        clone = models._keras().models.clone_model(convert_from)
        clone.set_weights(convert_from.get_weights())
        convert_from = variants.quantization_aware(clone, x["train"], y["train"], epochs=int(spec["qat_epochs"]),
                                                   batch_size=t["batch_size"], learning_rate=cfg["qat_learning_rate"],
                                                   steps_per_execution=t["steps_per_execution"])
        steps.append("qat")
    calib = calibration_rows(x["train"], cfg["clip_percentile"])
    flatbuffer = compress.to_tflite_int8(convert_from, models.as_sequence(calib),
                                         n_samples=cfg["representative_samples"], seed=seed)
    steps.append("int8_from_qat" if "qat" in steps else "int8_ptq")
    info = {"steps": steps, "params": int(net.count_params()), "history": history,
            "clip_percentile": cfg["clip_percentile"]}
    if compressed is not None:
        info["weight_sparsity"] = compress.weight_sparsity(compressed)
    return net, compressed, flatbuffer, info


def robust_step(uniflow: str | Path, data: str | Path, cfg: Mapping[str, Any], *, variant: str, protocol: str,
                seed: int, threads: int, out_tflite: str | Path, out_dynamic: str | Path, out_model: str | Path,
                out_compressed: str | Path, out_npz: str | Path, out_eval: str | Path) -> list[dict[str, Any]]:
    """Fit the transform on the run's training rows, train, convert; write the int8 and dynamic-range
    .tflite, the float Keras model, the transformed splits with the transform (``out_npz``) and the
    evaluation rows of the float model (``<variant>_float``) and of the int8 model (``<variant>``)."""
    import json

    from tinyids.fileio import atomic_path, write_json_atomic
    from tinyids.idrissi2022 import models

    spec = variant_spec(cfg["robust"], variant)
    models.limit_threads(threads)
    prepared = Prepared.load(data)
    raw = raw_splits(pd.read_parquet(uniflow), prepared, source=str(uniflow))
    steps = fit_steps(raw["train"])
    x = {s: transform(steps, raw[s]) for s in SPLITS}
    y = {s: getattr(prepared, f"y_{s}") for s in SPLITS}
    models.set_seed(seed)
    net, compressed, flatbuffer, info = train(spec, x, y, n_classes=len(prepared.classes), cfg=cfg["robust"],
                                              architecture=cfg["architecture"], seed=seed, optimize=cfg["optimize"])
    # dynamic range of the model the int8 one is converted from (compressed when compress is set)
    dynamic = to_tflite_dynamic(compressed if compressed is not None else net)
    with atomic_path(out_tflite) as tmp:
        tmp.write_bytes(flatbuffer)
    with atomic_path(out_dynamic) as tmp:
        tmp.write_bytes(dynamic)
    with atomic_path(out_model) as tmp:
        models.save(net, tmp)
    with atomic_path(out_compressed) as tmp:
        # the pruned and clustered float model; a variant without compression writes its float model
        # again, and the ablation (told by the config which variants compress) never reads it
        models.save(compressed if compressed is not None else net, tmp)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **{f"x_{s}": x[s] for s in SPLITS}, **{f"y_{s}": y[s] for s in SPLITS},
                     x_raw_test=raw["test"].astype(np.float32), steps=np.array(json.dumps(steps)))
    rows = []
    source = prepared.report.get("source", "unknown")
    int8_keras = out_compressed if compressed is not None else out_model
    for name, keras_file, tflite_file in ((f"{variant}_float", out_model, None), (variant, int8_keras, out_tflite)):
        row = evaluate(name, x["test"], y["test"], list(prepared.classes), keras_file=keras_file,
                       tflite_file=tflite_file)
        row.update({"protocol": protocol, "seed": seed, "source": source, "robust_steps": "+".join(info["steps"]),
                    "compressed": compressed is not None, "robust_weight_sparsity": info.get("weight_sparsity", 0.0),
                    "input_transform": "log1p+offset_scale (training rows)"})
        rows.append(row)
    log.info("%s %s seed %d: float %.4f, int8 %.4f (%d bytes)", variant, protocol, seed, rows[0]["accuracy"],
             rows[1]["accuracy"], len(flatbuffer))
    write_json_atomic(out_eval, rows)
    return rows


def evaluate(name: str, x_test: np.ndarray, y_test: np.ndarray, classes: list[str], *, keras_file: str | Path,
             tflite_file: str | Path | None) -> dict[str, Any]:
    """One metrics row (the columns of :func:`tinyids.idrissi2022.evaluation.evaluate_variant`)."""
    from tinyids import compress
    from tinyids.idrissi2022 import evaluation, models
    from tinyids.metrics import multiclass_metrics

    keras_model = models.load(keras_file)
    if tflite_file is None:
        probabilities = keras_model.predict(models.as_sequence(x_test), batch_size=1024, verbose=0)
        io = {"input_dtype": "float32", "output_dtype": "float32"}
    else:
        probabilities = evaluation.tflite_outputs(tflite_file, models.as_sequence(x_test))
        io = evaluation.tflite_io(tflite_file)
    y_pred = np.argmax(probabilities, axis=1)
    return {
        "variant": name, "n_features": int(x_test.shape[1]), "features": "all (log1p + min-max)",
        **multiclass_metrics(y_test, y_pred, classes),
        **evaluation.attack_metrics(y_test, probabilities, classes),
        "params": compress.count_parameters(keras_model), "nonzero_params": compress.count_nonzero(keras_model),
        **evaluation.sizes(keras_file, tflite_file), **io,
    }
