"""One function per workflow rule of the idrissi2022 stage: read inputs, compute, write outputs.

``workflow/scripts/idrissi2022_<step>.py`` only unpack ``snakemake`` and call these, so every
step can also run (and be tested) without Snakemake. Every output is written atomically.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.fileio import atomic_path, write_csv_atomic, write_json_atomic, write_text_atomic
from tinyids.idrissi2022.protocols import Prepared
from tinyids.study.layout import IDRISSI2022

log = logging.getLogger("tinyids.idrissi2022")


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- architecture search


def architecture_step(cfg: Mapping[str, Any], out_csv: str | Path, out_json: str | Path) -> dict[str, Any]:
    from tinyids.idrissi2022 import architecture

    paper = cfg["paper"]["parameters"]
    n_features, n_classes = len(cfg["features"]), len(cfg["classes"])
    search = cfg.get("search", {})
    kwargs = dict(n_features=n_features, n_classes=n_classes, max_filters=search.get("max_filters", 256),
                  max_units=search.get("max_units", 256))
    table = architecture.search_table(paper["OM"]["value"], paper["POM"]["value"], **kwargs)
    chosen = architecture.choose(paper["OM"]["value"], paper["POM"]["value"], **kwargs)
    configured = cfg["architecture"]
    ours = {
        "OM": architecture.om_params(n_features, configured["OM"]["filters"], configured["OM"]["kernel_size"],
                                     configured["OM"]["units"], n_classes, configured["OM"].get("pool_size", 2)),
        "POM": architecture.pom_params(n_features, configured["POM"]["filters"], configured["POM"]["kernel_size"],
                                       n_classes, configured["POM"].get("pool_size", 2)),
        "POM7": architecture.pom_params(cfg["chi2_k"], configured["POM"]["filters"], configured["POM"]["kernel_size"],
                                        n_classes, configured["POM"].get("pool_size", 2)),
    }
    summary = {
        "paper_parameters": {k: v["value"] for k, v in paper.items()},
        "configured_parameters": ours,
        "search_choice": {k: (None if m is None else m.__dict__) for k, m in chosen.items()},
        "configured_matches_search": all(
            chosen[k] is not None and chosen[k].filters == configured[k]["filters"]
            and chosen[k].kernel_size == configured[k]["kernel_size"]
            and (k != "OM" or chosen[k].units == configured[k]["units"]) for k in ("OM", "POM")),
        "n_matches": table.groupby(["model", "keras_defaults"]).size().rename("n").reset_index().to_dict("records"),
    }
    write_csv_atomic(out_csv, table)
    write_json_atomic(out_json, summary)
    log.info("architecture search: %s", summary["search_choice"])
    return summary


# ---------------------------------------------------------------- preprocessing


def prepare_step(uniflow: str | Path, cfg: Mapping[str, Any], *, protocol: str, seed: int,
                 out_npz: str | Path, out_chi2: str | Path, out_report: str | Path) -> Prepared:
    from tinyids.idrissi2022 import protocols

    frame = pd.read_parquet(uniflow)
    sources = sorted(set(frame["source"].astype(str))) if "source" in frame.columns else ["unknown"]
    prepared = protocols.prepare(
        frame, protocol=protocol, features=cfg["features"], classes=cfg["classes"], seed=seed,
        split=cfg["split"], chi2_k=cfg["chi2_k"], max_rows=cfg.get("max_rows"),
        dropped_identifiers=cfg["dropped_identifiers"],
    )
    prepared.report["source"] = ",".join(sources)
    prepared.report["selected_features"] = prepared.selected_names
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            prepared.save(handle)
    table = protocols.chi2_table(prepared)
    table.insert(0, "seed", seed)
    table.insert(0, "protocol", protocol)
    table.insert(0, "source", prepared.report["source"])
    write_csv_atomic(out_chi2, table)
    write_json_atomic(out_report, prepared.report)
    log.info("%s seed %d: %s; chi2 keeps %s", protocol, seed, prepared.report["split_sizes"], prepared.selected_names)
    return prepared


# ---------------------------------------------------------------- training and variants


def train_step(data: str | Path, cfg: Mapping[str, Any], *, model_name: str, seed: int, threads: int,
               out_model: str | Path, out_history: str | Path) -> None:
    from tinyids.idrissi2022 import models

    models.limit_threads(threads)
    prepared = Prepared.load(data)
    features = "selected" if model_name == "POM7" else "all"
    x_train, y_train = prepared.split("train", features)
    x_val, y_val = prepared.split("val", features)
    models.set_seed(seed)  # before build: the initial weights come from the seeded generators too
    net = models.build(model_name, x_train.shape[1], len(prepared.classes), cfg["architecture"])
    t = cfg["train"]
    history = models.train(net, x_train, y_train, x_val, y_val, epochs=t["epochs"], batch_size=t["batch_size"],
                           learning_rate=t["learning_rate"], seed=seed, jit_compile=t["jit_compile"],
                           steps_per_execution=t["steps_per_execution"])
    with atomic_path(out_model) as tmp:
        models.save(net, tmp)
    write_json_atomic(out_history, {"model": model_name, "seed": seed, "params": int(net.count_params()),
                                    "layers_in_summary": len(net.layers), "history": history})


def variant_step(base_model: str | Path, data: str | Path, cfg: Mapping[str, Any], *, variant: str, seed: int,
                 threads: int, out_tflite: str | Path, out_model: str | Path, out_info: str | Path) -> None:
    """tM (conversion of the OM) or tMO / tMOP / tMO_QAT (prune, cluster, int8)."""
    from tinyids.compress import tflite_io_dtypes
    from tinyids.idrissi2022 import models, variants

    models.limit_threads(threads)
    base = models.load(base_model)
    if variant == "tM":
        flatbuffer, info = variants.convert_tm(base)
        plain = base
    else:
        prepared = Prepared.load(data)
        features = "selected" if variant == "tMOP" else "all"
        x_train, y_train = prepared.split("train", features)
        plain, flatbuffer, info = variants.optimize(base, x_train, y_train, config=cfg["optimize"],
                                                    batch_size=cfg["train"]["batch_size"], seed=seed,
                                                    qat=variant == "tMO_QAT")
    in_dtype, out_dtype = tflite_io_dtypes(flatbuffer)
    info.update({"variant": variant, "seed": seed, "input_dtype": in_dtype.name, "output_dtype": out_dtype.name,
                 "tflite_bytes": len(flatbuffer)})
    with atomic_path(out_tflite) as tmp:
        tmp.write_bytes(flatbuffer)
    with atomic_path(out_model) as tmp:
        if variant == "tM":  # the OM file itself: tM adds nothing on the Keras side
            shutil.copyfile(base_model, tmp)
        else:
            models.save(plain, tmp)
    write_json_atomic(out_info, info)


# ---------------------------------------------------------------- evaluation, timing, arena


def evaluate_step(data: str | Path, files: Mapping[str, Mapping[str, str | None]], *, protocol: str, seed: int,
                  threads: int, out_json: str | Path, out_confusion: str | Path) -> list[dict[str, Any]]:
    from tinyids.idrissi2022 import evaluation, models

    models.limit_threads(threads)
    prepared = Prepared.load(data)
    rows, matrices = evaluation.evaluate_all(prepared, files)
    for row in rows:
        row.update({"protocol": protocol, "seed": seed, "source": prepared.report.get("source", "unknown")})
    write_json_atomic(out_json, rows)
    with atomic_path(out_confusion) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, classes=np.array(prepared.classes), **matrices)
    return rows


def _test_rows(prepared: Prepared, variant: str) -> np.ndarray:
    from tinyids.idrissi2022.evaluation import variant_features

    return prepared.split("test", variant_features(variant))[0]


def benchmark_step(data: str | Path, tflites: Mapping[str, str], cfg: Mapping[str, Any], *, protocol: str, seed: int,
                   out_json: str | Path) -> list[dict[str, Any]]:
    from tinyids.idrissi2022 import benchmark

    prepared = Prepared.load(data)
    b = cfg["bench"]
    rows = []
    for variant, path in tflites.items():
        result = benchmark.measure(path, _test_rows(prepared, variant), samples=b["samples"], warmup=b["warmup"],
                                   batch_size=b["batch_size"], repeats=b["repeats"])
        rows.append({"protocol": protocol, "seed": seed, "variant": variant, **result})
        log.info("%s: %.1f us/sample, %.0f samples/s batched", variant, result["latency_us_median"],
                 result["throughput_samples_per_s"])
    write_json_atomic(out_json, rows)
    return rows


def arena_step(data: str | Path, tflites: Mapping[str, str], cfg: Mapping[str, Any], *, protocol: str, seed: int,
               out_json: str | Path) -> list[dict[str, Any]]:
    from tinyids.idrissi2022 import arena
    from tinyids.litert import make_interpreter, output_quantization

    prepared = Prepared.load(data)
    a = cfg["arena"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="idrissi2022_arena_") as tmp:
        for variant, path in tflites.items():
            sample = Path(tmp) / f"{variant}.npy"
            raw = arena.write_sample(sample, path, _test_rows(prepared, variant)[0])
            result = arena.bisect(path, sample, high=a["start_bytes"], limit=a["limit_bytes"],
                                  granularity=a["granularity"], timeout_s=a["timeout_s"])
            interp = make_interpreter(path, threads=1)
            interp.set_tensor(interp.get_input_details()[0]["index"], raw)
            interp.invoke()
            reference = interp.get_tensor(interp.get_output_details()[0]["index"]).reshape(-1).astype(float)
            out_q = output_quantization(interp)
            tol = 1.0 if out_q is not None else 1e-4
            matches = (result.output is not None and len(result.output) == reference.size
                       and float(np.max(np.abs(np.asarray(result.output) - reference))) <= tol)
            rows.append({"protocol": protocol, "seed": seed, "variant": variant, "arena_bytes": result.arena_bytes,
                         "n_probes": len(result.probes), "granularity": a["granularity"],
                         "tflm_output_matches_litert": bool(matches), "probes": result.probes})
            log.info("%s: smallest arena %s bytes (%d probes), TFLM output matches LiteRT: %s", variant,
                     result.arena_bytes, len(result.probes), matches)
    write_json_atomic(out_json, rows)
    return rows


# ---------------------------------------------------------------- deployables


def deploy_step(data: str | Path, tflite: str | Path, eval_json: str | Path, *, name: str, variant: str,
                protocol: str, seed: int, out_tflite: str | Path, out_npz: str | Path, out_json: str | Path) -> dict[str, Any]:
    from tinyids.idrissi2022 import deploy

    prepared = Prepared.load(data)
    metrics = next((r for r in read_json(eval_json) if r["variant"] == variant), None)
    if metrics is None:
        raise ValueError(f"{eval_json} has no row for {variant}")
    return deploy.write(name=name, tflite_file=tflite, prepared=prepared, variant=variant, protocol=protocol, seed=seed,
                        source=prepared.report.get("source", "unknown"), metrics=metrics,
                        out_tflite=out_tflite, out_npz=out_npz, out_json=out_json)


# ---------------------------------------------------------------- collection and report


METRIC_ORDER = ("protocol", "variant", "seed", "source", "smoke", "n_features", "features", "n", "accuracy",
                "precision_macro", "recall_macro", "f1_macro", "precision_weighted", "recall_weighted",
                "f1_weighted")


def conversion_label(variant: str, input_dtype: str, tflite_bytes: float) -> str:
    """What a metrics row's model file is: full int8 (what the boards run), a float32 or
    dynamic-range .tflite, or a float Keras model."""
    from tinyids.idrissi2022.variants import CONVERSION_LABEL, conversion_of

    conversion = conversion_of(variant)[1]
    if conversion != "int8":
        return CONVERSION_LABEL[conversion]
    if str(input_dtype) == "int8":
        return CONVERSION_LABEL["int8"]
    return CONVERSION_LABEL["float"] if pd.notna(tflite_bytes) else "float (Keras)"


def collect_step(eval_jsons: Sequence[str], bench_jsons: Sequence[str], arena_jsons: Sequence[str],
                 prep_reports: Sequence[str], variant_infos: Sequence[str], *, smoke: bool,
                 out_metrics: str | Path, out_arena: str | Path, robust_jsons: Sequence[str] = ()) -> pd.DataFrame:
    """metrics.csv (one row per protocol, seed, model: the paper's variants, the conversions
    ``<v>_float`` / ``<v>_dynamic`` and the robust variants from ``robust_jsons``, each labelled
    in ``conversion``) and arena.csv."""
    evals = pd.DataFrame([row for path in [*eval_jsons, *robust_jsons] for row in read_json(path)])
    evals["conversion"] = [conversion_label(v, i, b) for v, i, b in
                           zip(evals["variant"], evals["input_dtype"], evals["tflite_bytes"])]
    bench = pd.DataFrame([row for path in bench_jsons for row in read_json(path)])
    arena_rows = [{k: v for k, v in row.items() if k != "probes"} for path in arena_jsons for row in read_json(path)]
    arena = pd.DataFrame(arena_rows)
    keys = ["protocol", "seed", "variant"]
    metrics = evals.merge(bench, on=keys, how="left") if not bench.empty else evals
    if not arena.empty:
        metrics = metrics.merge(arena[[*keys, "arena_bytes", "tflm_output_matches_litert"]], on=keys, how="left")
    infos = []
    for path in variant_infos:
        info = read_json(path)
        protocol = IDRISSI2022.parse(path)["protocol"]  # the run folder the variant was built in
        infos.append({"variant": info["variant"], "seed": info["seed"], "protocol": protocol,
                      "weight_sparsity": info.get("weight_sparsity", 0.0)})
    if infos:
        metrics = metrics.merge(pd.DataFrame(infos), on=keys, how="left")
    dedup = {}
    for path in prep_reports:
        report = read_json(path)
        dedup[(report["protocol"], report["seed"])] = report.get("duplicate_test_rows_in_train", np.nan)
    metrics["test_rows_with_train_twin"] = [dedup.get((p, s), np.nan) for p, s in zip(metrics["protocol"], metrics["seed"])]
    metrics["smoke"] = bool(smoke)
    order = [c for c in METRIC_ORDER if c in metrics.columns]
    metrics = metrics[order + [c for c in metrics.columns if c not in order]]
    metrics = metrics.sort_values(["protocol", "variant", "seed"], kind="stable").reset_index(drop=True)
    metrics = metrics_rows(metrics, str(out_metrics))
    write_csv_atomic(out_metrics, metrics)
    write_csv_atomic(out_arena, arena if not arena.empty else pd.DataFrame(columns=[*keys, "arena_bytes"]))
    return metrics


STUDY = "idrissi2022"
TEST_SET = "test"  # each (protocol, seed)'s own test split


def metrics_rows(metrics: pd.DataFrame, source: str) -> pd.DataFrame:
    """The MetricsRow columns (:mod:`tinyids.study.metrics`) first: ``model`` is the variant,
    ``run`` the seed, ``model_bytes`` the evaluated file (the .tflite of a .tflite variant, else
    the Keras file); the study's own columns follow."""
    from tinyids.study import metrics as metrics_file

    out = metrics.rename(columns={"variant": "model", "seed": "run"})
    out.insert(0, "study", STUDY)
    out["test_set"] = TEST_SET
    out["model_bytes"] = out["tflite_bytes"].where(out["tflite_bytes"].notna(), out["keras_bytes"])
    return metrics_file.order(out, source)


def features_step(chi2_csvs: Sequence[str], out_csv: str | Path) -> pd.DataFrame:
    table = pd.concat([pd.read_csv(p) for p in chi2_csvs], ignore_index=True)
    write_csv_atomic(out_csv, table)
    return table


def compare_step(metrics_csv: str | Path, arena_csv: str | Path, cfg: Mapping[str, Any], *, smoke: bool,
                 out_csv: str | Path, out_md: str | Path) -> pd.DataFrame:
    from tinyids.idrissi2022 import comparison
    from tinyids.study import comparison as comparison_file
    from tinyids.study import metrics as metrics_file

    metrics = metrics_file.read(metrics_csv)
    paper = cfg["paper"]
    table = comparison.compare(metrics, paper)
    arena = pd.read_csv(arena_csv)
    extra = []
    for variant, spec in paper.get("arena", {}).items():
        for protocol, sub in arena[arena["variant"] == variant].groupby("protocol", sort=False):
            source = ",".join(sorted(set(metrics.loc[metrics["protocol"] == protocol, "source"].astype(str))))
            extra.append(comparison.comparison_row(protocol, source, variant, "tensor_arena_bytes (paper: reserved on board)",
                                                   "bytes", spec["value"], "bytes", sub["arena_bytes"],
                                                   paper["citation"], spec["where"]))
    if extra:
        table = pd.concat([table, comparison_file.frame(extra, str(out_csv))], ignore_index=True)
    notes = [
        "Ours: mean ± sd over seeds of results/idrissi2022/metrics.csv; sizes are the Keras .h5 file "
        "(OM, POM) or the .tflite file (tM, tMO, tMOP).",
        "tMO is built on the 16 features and tMOP on the 7 chi-square features (the issue's reading; "
        "Table II lists tMO with 7 features too).",
        "Our arena is the smallest TFLM arena found by bisection; the paper's is what it reserved on the board.",
        "tMO_float / tMOP_float and tMO_dynamic / tMOP_dynamic are the float32 and TF-default dynamic-range .tflite "
        "of the same pruned and clustered model as tMO / tMOP (the conversions the paper's sizes imply); the full-int8 "
        "tMO / tMOP rows are what the boards run.",
        "*_robust rows are the project's own quantization-robust variants (log1p + min-max fitted on training rows), "
        "not the paper's models; they are held against the paper's NodeMCU tMOP accuracy.",
    ]
    table = comparison_file.write(table, out_csv)
    write_text_atomic(out_md, comparison.to_markdown(table, smoke=smoke, citation=paper["citation"], notes=notes))
    return table


def plots_step(metrics_csv: str | Path, confusions: Sequence[str], cfg: Mapping[str, Any], *,
               confusion_pngs: Mapping[tuple[str, str], str], out_scatter: str | Path) -> None:
    from tinyids.idrissi2022 import plots
    from tinyids.study import metrics as metrics_file

    metrics = metrics_file.read(metrics_csv)
    summed: dict[tuple[str, str], np.ndarray] = {}
    classes: list[str] = list(cfg["classes"])
    for path in confusions:
        protocol = IDRISSI2022.parse(path)["protocol"]
        with np.load(path, allow_pickle=False) as z:
            classes = [str(c) for c in z["classes"]]
            for variant in z.files:
                if variant != "classes":
                    summed[(protocol, variant)] = summed.get((protocol, variant), 0) + z[variant]
    for (protocol, variant), png in confusion_pngs.items():
        matrix = summed.get((protocol, variant))
        if matrix is None:
            raise ValueError(f"no confusion matrix for {protocol}/{variant}")
        sub = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == variant)]
        source = ",".join(sorted(set(sub["source"].astype(str))))
        title = (f"idrissi2022 {variant}, protocol {protocol}, source {source}\n"
                 f"accuracy {sub['accuracy'].mean() * 100:.2f}% (summed over {len(sub)} seed(s))")
        plots.confusion_png(matrix, classes, title, png)
    plots.accuracy_vs_size_png(metrics, out_scatter, paper=cfg["paper"])


# ---------------------------------------------------------------- issue 16: the paper's conversions


def convert_step(models_in: Mapping[str, str], *, seed: int, threads: int,
                 outputs: Mapping[str, str], out_info: str | Path) -> dict[str, Any]:
    """``<v>_float`` and ``<v>_dynamic`` .tflite of the pruned and clustered ``variants/<v>.h5``
    (``models_in``: v -> that file; ``outputs``: conversion variant -> .tflite path)."""
    from tinyids.compress import tflite_io_dtypes
    from tinyids.idrissi2022 import models, variants

    models.limit_threads(threads)
    info: dict[str, Any] = {}
    for name, path in outputs.items():
        source, conversion = variants.conversion_of(name)
        flatbuffer = variants.convert(models.load(models_in[source]), conversion)
        in_dtype, out_dtype = tflite_io_dtypes(flatbuffer)
        with atomic_path(path) as tmp:
            tmp.write_bytes(flatbuffer)
        info[name] = {"variant": name, "seed": seed, "from": source, "conversion": conversion,
                      "label": variants.CONVERSION_LABEL[conversion], "input_dtype": in_dtype.name,
                      "output_dtype": out_dtype.name, "tflite_bytes": len(flatbuffer)}
        log.info("%s: %s of %s, %d bytes (%s in / %s out)", name, conversion, source, len(flatbuffer),
                 in_dtype.name, out_dtype.name)
    write_json_atomic(out_info, info)
    return info


# ---------------------------------------------------------------- issue 14: robust variants, ablation


def robust_deploy_step(data: str | Path, robust_npz: str | Path, tflite: str | Path, eval_json: str | Path, *,
                       name: str, variant: str, protocol: str, seed: int, out_tflite: str | Path,
                       out_npz: str | Path, out_json: str | Path):
    from tinyids.idrissi2022 import deploy

    rows = read_json(eval_json)
    metrics = next((r for r in rows if r["variant"] == variant), None)
    if metrics is None:
        raise ValueError(f"{eval_json} has no row for {variant}")
    float_metrics = next((r for r in rows if r["variant"] == f"{variant}_float"), None)
    return deploy.write_robust(name=name, tflite_file=tflite, robust_npz=robust_npz, prepared=Prepared.load(data),
                               variant=variant, protocol=protocol, seed=seed, metrics=metrics,
                               float_metrics=float_metrics, out_tflite=out_tflite, out_npz=out_npz, out_json=out_json)


def _scores_of(probabilities: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from tinyids.study import ablation

    return ablation.scores(y, np.argmax(probabilities, axis=1))


def _keras_probabilities(path: str | Path, x: np.ndarray) -> np.ndarray:
    from tinyids.idrissi2022 import models

    return models.load(path).predict(models.as_sequence(x), batch_size=1024, verbose=0)


def _ablate(keys: Mapping[str, Any], x: np.ndarray, y: np.ndarray, names: Sequence[str], *, float_model: str,
            compressed_model: str | None, dynamic: str | None, int8: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One ablation row and the zero-point rows of one model (see :func:`ablation_step`)."""
    from tinyids.idrissi2022.evaluation import tflite_outputs
    from tinyids.litert import input_quantization, make_interpreter
    from tinyids.study import ablation

    in_q = input_quantization(make_interpreter(int8, threads=1))
    steps = {
        "float": _scores_of(_keras_probabilities(float_model, x), y),
        "compressed_float": None if compressed_model is None else _scores_of(_keras_probabilities(compressed_model, x), y),
        "input_quantized": _scores_of(_keras_probabilities(float_model, ablation.dequantize_inputs(
            x, in_q.scale, in_q.zero_point)), y),
        "dynamic_range": None if dynamic is None else _scores_of(tflite_outputs(dynamic, x), y),
        "full_int8": _scores_of(tflite_outputs(int8, x), y),
    }
    size = lambda p: None if p is None else Path(p).stat().st_size  # noqa: E731
    sizes = {"float": size(float_model), "compressed_float": size(compressed_model), "dynamic_range": size(dynamic),
             "full_int8": size(int8)}
    out = ablation.row(keys, steps, sizes)
    out.update({"input_scale": in_q.scale, "input_zero_point": in_q.zero_point})
    zp = [{**{k: keys[k] for k in ablation.KEYS}, **r} for r in ablation.zero_point_share(x, in_q.scale, in_q.zero_point, names)]
    return out, zp


def ablation_step(runs: Sequence[Mapping[str, Any]], *, variants: Sequence[str], robust_variants: Mapping[str, bool],
                  threads: int, out_csv: str | Path, out_zero_point: str | Path, out_png: str | Path) -> pd.DataFrame:
    """``quantization_ablation.csv`` / ``quantization_zero_point.csv`` (schema of
    :mod:`tinyids.study.ablation`) and the plot, one row per (protocol, seed, model).

    Paper variants (tMO, tMOP, tMO_QAT): ``float`` the trained POM / POM7 (``models/*.h5``);
    ``compressed_float`` the pruned and clustered Keras model (``variants/<v>.h5``);
    ``input_quantized`` the float POM fed the test rows rounded to the int8 model's input grid
    (the input quantization alone); ``dynamic_range`` ``variants/<v>_dynamic.tflite`` (tMO, tMOP
    only); ``full_int8`` ``variants/<v>.tflite``. Robust variants (``robust_variants``: name ->
    compressed?): ``float`` their float Keras model, ``compressed_float`` their pruned and
    clustered model (NaN when not compressed), ``dynamic_range`` / ``full_int8`` their own conversions.
    Bytes are the evaluated files (Keras .h5 for the float steps, .tflite otherwise).
    ``runs``: dicts with ``protocol``, ``seed`` and ``dir`` (the run folder)."""
    from tinyids.idrissi2022 import models
    from tinyids.idrissi2022.evaluation import variant_features
    from tinyids.idrissi2022.variants import ABLATED, CONVERTED, VARIANT_BASE
    from tinyids.study import ablation

    models.limit_threads(threads)
    rows, zp_rows = [], []
    for run in runs:
        d = Path(run["dir"])
        prepared = Prepared.load(d / "data.npz")
        base_keys = {"study": STUDY, "protocol": run["protocol"], "run": int(run["seed"]), "test_set": TEST_SET}
        for v in [v for v in ABLATED if v in variants]:
            features = variant_features(v)
            x, y = prepared.split("test", features)
            names = prepared.selected_names if features == "selected" else prepared.feature_names
            row, zp = _ablate({**base_keys, "model": v}, x, y, names,
                              float_model=str(d / f"models/{VARIANT_BASE[v]}.h5"),
                              compressed_model=str(d / f"variants/{v}.h5"),
                              dynamic=str(d / f"variants/{v}_dynamic.tflite") if v in CONVERTED else None,
                              int8=str(d / f"variants/{v}.tflite"))
            rows.append({**row, "input_transform": "unit norm (paper)"})
            zp_rows += zp
        for r, compressed in robust_variants.items():
            with np.load(d / f"robust/{r}.npz", allow_pickle=False) as z:
                x, y = z["x_test"], z["y_test"]
            row, zp = _ablate({**base_keys, "model": r}, x, y, prepared.feature_names,
                              float_model=str(d / f"robust/{r}.h5"),
                              compressed_model=str(d / f"robust/{r}_compressed.h5") if compressed else None,
                              dynamic=str(d / f"robust/{r}_dynamic.tflite"), int8=str(d / f"robust/{r}.tflite"))
            rows.append({**row, "input_transform": "log1p + offset_scale (training rows)"})
            zp_rows += zp
        log.info("ablation of %s seed %s done", run["protocol"], run["seed"])
    table = ablation.write(rows, out_csv)
    ablation.write(zp_rows, out_zero_point, columns=ablation.ZERO_POINT_COLUMNS)
    with atomic_path(out_png) as tmp:
        ablation.plot(table, tmp, "idrissi2022: test accuracy after each compression step (mean ± sd over seeds)")
    return table
