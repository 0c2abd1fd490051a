"""One function per workflow rule of the ibrahim2025 stage (the scripts are thin adapters).

Layout under ``results/ibrahim2025/``: ``runs/<protocol>/fold<k>/`` (data, preprocessing,
models and records of one split), ``metrics.csv``, ``statistics.csv`` (+ ``fold_ttest.csv``
with ``cv_folds > 1``), ``plots/``, ``paper_comparison.{csv,md}``, ``deploy/``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.fileio import write_csv_atomic, write_text_atomic
from tinyids.ibrahim2025 import settings as st

log = logging.getLogger(__name__)


def read_table(path: str | Path) -> pd.DataFrame:
    """The validated WUSTL table (parquet from data.smk), or the raw/.gz CSV via the loader."""
    path = Path(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        from tinyids.datasets import wustl

        frame = wustl.load(path)
    for column in ("Dir", "Flgs"):
        if column in frame and not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(str).str.strip()
    return frame


def prepare(table: str | Path, protocol: str, fold: int, config: Mapping[str, Any], out_npz, out_json) -> dict:
    from tinyids.ibrahim2025 import protocols

    settings = st.from_config(config)
    prepared = protocols.prepare(read_table(table), protocol, settings, int(fold))
    protocols.save(prepared, out_npz, out_json)
    log.info("%s fold %s: %s", protocol, fold, prepared.info)
    return prepared.info


def train_full(data_npz, out_dir, protocol: str, fold: int, config: Mapping[str, Any]) -> dict:
    from tinyids.ibrahim2025 import evaluation, training
    from tinyids.ibrahim2025.protocols import load_arrays

    settings = st.from_config(config)
    arrays = load_arrays(data_npz)
    seed = settings.protocol_seed(protocol, int(fold))
    result = training.train_full(arrays["x_train"], arrays["y_train"], settings, seed)
    log.info("full model trained in %.1f s (%.1f steps/s)", result.seconds, result.steps_per_second)
    info = {**result.info, "seconds": result.seconds, "steps": result.steps, "steps_per_second": result.steps_per_second}
    return evaluation.evaluate_and_export(result.model, st.FULL, out_dir, arrays, history=result.history,
                                          train_info=info, settings=settings, protocol=protocol, fold=int(fold))


def prune(data_npz, full_keras, out_dir, protocol: str, fold: int, variant: str, config: Mapping[str, Any]) -> dict:
    import tf_keras as keras

    from tinyids.ibrahim2025 import evaluation, training
    from tinyids.ibrahim2025.protocols import load_arrays

    settings = st.from_config(config)
    if variant not in settings.pruning.variants:
        raise KeyError(f"pruning variant {variant!r} is not configured")
    arrays = load_arrays(data_npz)
    seed = settings.protocol_seed(protocol, int(fold)) + 7
    training.configure_runtime(seed, settings.threads)  # before TensorFlow starts its runtime
    full = keras.models.load_model(full_keras)
    result = training.prune_and_fine_tune(full, arrays["x_train"], arrays["y_train"], variant, settings, seed)
    log.info("%s fine-tuned in %.1f s (%.1f steps/s)", variant, result.seconds, result.steps_per_second)
    info = {**result.info, "seconds": result.seconds, "steps": result.steps, "steps_per_second": result.steps_per_second}
    return evaluation.evaluate_and_export(result.model, variant, out_dir, arrays, history=result.history,
                                          train_info=info, settings=settings, protocol=protocol, fold=int(fold))


STUDY = "ibrahim2025"
TEST_SET = "test"  # each (protocol, fold)'s own test split


def metrics_row(ev: Mapping[str, Any]) -> dict[str, Any]:
    """One MetricsRow (:mod:`tinyids.study.metrics`; ``run`` = the fold, ``model_bytes`` = the
    ``.keras`` file whose predictions gave the metrics), then the study's own columns."""
    m, m8, sizes = ev["metrics"], ev["metrics_int8"], ev["sizes"]
    ks = list(ev.get("kernel_sparsity", {}).values())
    row: dict[str, Any] = {
        "study": STUDY, "protocol": ev["protocol"], "model": ev["model"], "run": ev["fold"], "test_set": TEST_SET,
        **{k: m[k] for k in ("accuracy", "precision", "recall", "f1", "fpr", "roc_auc")},
        "model_bytes": sizes.get("keras_bytes", float("nan")),
        "smoke": ev.get("smoke", False),
        **{k: m[k] for k in ("tp", "tn", "fp", "fn")},
        "n_test": m["n"],
        "attack_share": (m["tp"] + m["fn"]) / m["n"] if m["n"] else float("nan"),
        **{f"int8_{k}": m8[k] for k in ("accuracy", "precision", "recall", "f1", "roc_auc")},
        "int8_agreement": ev["int8_agreement"],
        "weight_sparsity": ev["weight_sparsity"],
        "kernel_sparsity_min": min(ks) if ks else float("nan"),
        "kernel_sparsity_max": max(ks) if ks else float("nan"),
        **sizes,
        "latency_int8_median_us": ev["latency_int8"]["median_us"],
        "latency_int8_p95_us": ev["latency_int8"]["p95_us"],
        "latency_float_median_us": ev["latency_float"]["median_us"],
        "train_seconds": ev["train"].get("seconds"),
        "train_steps_per_second": ev["train"].get("steps_per_second"),
        "end_step": ev["train"].get("end_step"),
    }
    return row


def collect_metrics(eval_jsons: Sequence[str | Path], out_csv) -> pd.DataFrame:
    from tinyids.study import metrics as metrics_file

    rows = [metrics_row(json.loads(Path(p).read_text(encoding="utf-8"))) for p in eval_jsons]
    frame = pd.DataFrame(rows).sort_values(["protocol", "model", "run"], kind="stable").reset_index(drop=True)
    return metrics_file.write(frame, out_csv)


def _predictions(path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def statistics(predictions: Mapping[tuple[str, int, str], str | Path], config: Mapping[str, Any], out_csv,
               out_ttest=None) -> pd.DataFrame:
    """McNemar + paired bootstrap (full vs each pruned model) per protocol and fold; t-test over folds."""
    from tinyids.ibrahim2025 import statistics as stats

    settings = st.from_config(config)
    rows = []
    for protocol in settings.protocols:
        for fold in settings.folds:
            full = _predictions(predictions[(protocol, fold, st.FULL)])
            for variant in settings.models_of(protocol)[1:]:
                pr = _predictions(predictions[(protocol, fold, variant)])
                if not np.array_equal(full["y_test"], pr["y_test"]):
                    raise ValueError(f"{protocol} fold {fold}: full and {variant} were tested on different rows")
                y = full["y_test"]
                mc = stats.mcnemar_exact(y, full["pred"], pr["pred"])
                ci = stats.paired_bootstrap_accuracy(
                    y, full["pred"], pr["pred"], resamples=settings.bootstrap_resamples,
                    confidence=settings.confidence, seed=settings.protocol_seed(protocol, fold),
                )
                rows.append({
                    "protocol": protocol, "fold": fold, "model_a": st.FULL, "model_b": variant,
                    "accuracy_a": float(np.mean(full["pred"] == y)), "accuracy_b": float(np.mean(pr["pred"] == y)),
                    **stats.as_row(mc), "accuracy_difference": ci.difference, "ci_low": ci.low, "ci_high": ci.high,
                    "confidence": ci.confidence, "bootstrap_resamples": ci.resamples,
                })
    frame = pd.DataFrame(rows, columns=None if rows else ["protocol", "fold", "model_a", "model_b"])
    write_csv_atomic(out_csv, frame)
    if out_ttest is not None:
        trows = []
        for protocol in settings.protocols:
            for variant in settings.models_of(protocol)[1:]:
                sel = frame[(frame["protocol"] == protocol) & (frame["model_b"] == variant)].sort_values("fold")
                t = stats.paired_t_test(sel["accuracy_a"], sel["accuracy_b"])
                trows.append({"protocol": protocol, "model_a": st.FULL, "model_b": variant, "metric": "accuracy",
                              **stats.as_row(t)})
        write_csv_atomic(out_ttest, pd.DataFrame(trows))
    return frame


def plots(protocol: str, models: Sequence[str], run_dir: str | Path, out_roc, out_training, out_confusion, smoke: bool) -> None:
    from tinyids.ibrahim2025 import plots as pl

    run_dir = Path(run_dir)
    preds = {m: _predictions(run_dir / f"{m}_predictions.npz") for m in models}
    hists = {m: pd.read_csv(run_dir / f"{m}_history.csv") for m in models}
    tag = f"ibrahim2025, {protocol} protocol" + (" (smoke run)" if smoke else "")
    pl.roc_figure(preds, f"ROC, {tag}", out_roc)
    pl.training_figure(hists, f"Training curves, {tag}", out_training)
    pl.confusion_figure(preds, f"Confusion matrices, {tag}", out_confusion)


def compare(metrics_csv, statistics_csv, config: Mapping[str, Any], out_csv, out_md,
            robust_evals: Sequence[str | Path] = ()) -> pd.DataFrame:
    """The paper comparison; ``robust_evals`` (``<model>_robust_eval.json``) add the robust
    variants' int8 figures beside their source models' (:func:`comparison.comparison_table`)."""
    from tinyids.ibrahim2025 import comparison
    from tinyids.study import comparison as comparison_file
    from tinyids.study import metrics as metrics_file

    settings = st.from_config(config)
    metrics = metrics_file.read(metrics_csv)
    stats_frame = pd.read_csv(statistics_csv)
    robust = comparison.robust_frame([json.loads(Path(p).read_text(encoding="utf-8")) for p in robust_evals])
    table = comparison.comparison_table(metrics, settings.paper, robust)
    comparison_file.write(table, out_csv)
    write_text_atomic(out_md, comparison.markdown(table, metrics, settings.paper, smoke=settings.smoke,
                                                  statistics=stats_frame))
    return table


def robust(data_npz, source_keras, source_eval, out_keras, out_int8, out_eval, protocol: str, fold: int, model: str,
           config: Mapping[str, Any]) -> dict:
    """The quantization-robust int8 variant of one trained model (:mod:`tinyids.ibrahim2025.robust`)."""
    import tf_keras as keras

    from tinyids.fileio import atomic_path, write_json_atomic
    from tinyids.ibrahim2025 import robust as rb
    from tinyids.ibrahim2025.evaluation import keras_scores
    from tinyids.ibrahim2025.protocols import load_arrays
    from tinyids.ibrahim2025.training import configure_runtime
    from tinyids.metrics import binary_metrics
    from tinyids.study.deployable import output_probability

    settings = st.from_config(config)
    seed = settings.protocol_seed(protocol, int(fold)) + 13
    configure_runtime(seed, settings.threads)
    arrays = load_arrays(data_npz)
    source = keras.models.load_model(source_keras)
    ev = json.loads(Path(source_eval).read_text(encoding="utf-8"))
    built = rb.make_robust(source, arrays, settings, order=settings.order_of(protocol), seed=seed)
    y_test = arrays["y_test"].astype(int)
    transform = built["transform"]
    z_test = transform.apply(arrays["x_test"]) if transform is not None else np.asarray(arrays["x_test"], np.float32)
    raw, iq, oq = rb.int8_raw(built["flatbuffer"], z_test)
    score8 = oq.dequantize(raw).astype(np.float64)
    dec = built["decision"]
    m8 = binary_metrics(y_test, (raw >= dec["int8"]).astype(int), score8)
    m8_fixed = binary_metrics(y_test, (output_probability(dec, score8) >= settings.threshold).astype(int), score8)
    fscore = keras_scores(built["model"], z_test)
    m_float_robust = binary_metrics(y_test, (output_probability(dec, fscore) >= settings.threshold).astype(int), fscore)
    source_scores = keras_scores(source, arrays["x_test"])
    by_criterion = {
        criterion: {**c, "metrics_int8": binary_metrics(y_test, (raw >= c["int8"]).astype(int), score8),
                    "metrics_float": binary_metrics(y_test, (source_scores >= c["float_probability"]).astype(int),
                                                    source_scores)}
        for criterion, c in built["threshold_choices"].items()
    }
    m_float_val = by_criterion[settings.robust.threshold_criterion]["metrics_float"]
    name = rb.robust_name(model)
    record = {
        "protocol": protocol, "fold": int(fold), "model": name, "source_model": model,
        "smoke": bool(settings.smoke), "threshold": dec["probability"], "decision": dec,
        "input_steps": [transform.step()] if transform is not None else [],
        "metrics": ev["metrics"],  # the source model in float at the study's threshold: the counterpart
        "metrics_int8": m8,
        "metrics_int8_study_threshold": m8_fixed,
        "metrics_float_clipped": m_float_robust,
        # the source model in float with a threshold chosen on the same validation rows, the same way
        "metrics_float_validation_threshold": m_float_val,
        "float_validation_threshold": built["float_threshold"],
        "threshold_criterion": settings.robust.threshold_criterion,
        "by_threshold_criterion": by_criterion,
        "gap_accuracy": m8["accuracy"] - ev["metrics"]["accuracy"],
        "gap_roc_auc": m8["roc_auc"] - ev["metrics"]["roc_auc"],
        "gap_attack_f1": m8["f1"] - ev["metrics"]["f1"],
        "gap_accuracy_validation_threshold": m8["accuracy"] - m_float_val["accuracy"],
        "gap_attack_f1_validation_threshold": m8["f1"] - m_float_val["f1"],
        "sizes": {k: ev["sizes"][k] for k in ("parameters", "nonzero_parameters")},
        "tflite_int8_bytes": len(built["flatbuffer"]),
        "choice": built["choice"],
    }
    with atomic_path(out_keras) as tmp:
        path = tmp.with_suffix(".keras")
        built["model"].save(path)
        path.replace(tmp)
    with atomic_path(out_int8) as tmp:
        tmp.write_bytes(built["flatbuffer"])
    write_json_atomic(out_eval, record)
    log.info("%s/%s fold %s: float %.4f / AUC %.4f; int8 robust %.4f / AUC %.4f (at %.2f: %.4f); attack F1 %.4f -> %.4f",
             protocol, name, fold, ev["metrics"]["accuracy"], ev["metrics"]["roc_auc"], m8["accuracy"], m8["roc_auc"],
             settings.threshold, m8_fixed["accuracy"], ev["metrics"]["f1"], m8["f1"])
    return record


def ablation(runs: Sequence[Mapping[str, Any]], config: Mapping[str, Any], out_csv, out_zero_point, out_png) -> pd.DataFrame:
    """``quantization_ablation.csv``, ``quantization_zero_point.csv`` and the plot
    (:mod:`tinyids.ibrahim2025.ablation`)."""
    from tinyids.ibrahim2025 import ablation as ab

    settings = st.from_config(config)
    return ab.write_all(runs, settings, out_csv, out_zero_point, out_png)
