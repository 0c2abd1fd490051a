"""ibrahim2025 quantization-robust variants (issue 14 §2) and the compression-step ablation (§1):
the folded standardisation and the ReLU6 clip leave the float function as stated, the threshold
comes from validation rows, and the deployable and ablation rows agree with the int8 model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.ibrahim2025 import features as feat
from tinyids.ibrahim2025 import protocols
from tinyids.ibrahim2025 import robust as rb
from tinyids.ibrahim2025.settings import Settings
from tinyids.study import ablation as study_ablation
from tinyids.study import deployable, preprocessing
from tinyids.study.sampling import stratified_subsample


def _forward(weights, x, clips=None):
    h = np.asarray(x, np.float64)
    for i, (w, b) in enumerate(weights[:-1]):
        h = np.maximum(h @ w + b, 0.0)
        if clips is not None and clips[i] is not None:
            h = np.minimum(h, rb.RELU6_MAX)
    w, b = weights[-1]
    return h @ w + b


def _toy_weights(seed=0, sizes=(5, 8, 6, 1)):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:])]


@pytest.mark.parametrize("scaling", rb.SCALINGS)
def test_folding_the_input_scaling_into_the_first_layer_keeps_the_float_function(scaling):
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, [0.1, 1, 5, 20, 0.01], size=(200, 5))
    t = rb.fit_input_transform(x, None, scaling)
    weights = _toy_weights()
    folded = rb.fold_standardisation(weights, t)
    z = (x - t.mean.astype(np.float64)) / t.scale.astype(np.float64)
    assert np.allclose(_forward(folded, z), _forward(weights, x), rtol=1e-9, atol=1e-9)
    assert np.allclose(t.apply(x), z, atol=1e-4)  # the device's float32 'standard' step


def test_minmax_scaling_gives_every_component_the_whole_int8_range_and_keeps_small_components():
    """PCA outputs span very different ranges; per-tensor int8 on them rounds the narrow
    components to a few levels, per-component min-max to [-1, 1] gives each all 256."""
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, [3.0, 1.0, 0.05, 0.02], size=(2000, 4))
    t = rb.fit_input_transform(x, None, "minmax")
    z = t.apply(x)
    assert np.allclose(z.min(axis=0), -1, atol=1e-5) and np.allclose(z.max(axis=0), 1, atol=1e-5)
    assert np.allclose(t.low, -1, atol=1e-5) and np.allclose(t.high, 1, atol=1e-5)
    err_none = np.abs(rb._fake_quant(x, x.min(), x.max()) - x)[:, 2:] / x[:, 2:].std(axis=0)
    err_mm = np.abs(rb._fake_quant(z, -1, 1) - z)[:, 2:] / z[:, 2:].std(axis=0)
    assert err_mm.mean() * 20 < err_none.mean()
    t99 = rb.fit_input_transform(x, 99.0, "minmax")  # percentiles: rarer values beyond [-1, 1]
    assert (np.abs(t99.apply(x)) > 1).any() and np.allclose(t99.high, 1, atol=1e-5)
    with pytest.raises(ValueError, match="robust.input_scaling 'quantile'"):
        rb.fit_input_transform(x, None, "quantile")


def test_relu6_rescaling_is_exactly_a_clip_of_the_hidden_activations_at_c():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 5))
    weights = _toy_weights(3)
    clips = rb.clip_values(weights, x, 90.0)
    assert all(c is not None and c > 0 for c in clips)
    rescaled = rb.clipped_weights(weights, clips)
    h = x
    for i, (w, b) in enumerate(weights[:-1]):  # min(relu(.), c) in the original units
        h = np.minimum(np.maximum(h @ w + b, 0.0), clips[i])
    expected = h @ weights[-1][0] + weights[-1][1]
    assert np.allclose(_forward(rescaled, x, clips), expected, rtol=1e-9, atol=1e-9)
    # no clip (percentile None) leaves the weights as they were
    none = rb.clip_values(weights, x, None)
    assert none == [None, None] and all(np.array_equal(a[0], b[0]) for a, b in zip(rb.clipped_weights(weights, none), weights))


def test_per_layer_percentiles_give_the_uniform_clips_when_they_agree_and_none_where_a_layer_is_unclipped():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(300, 5))
    weights = _toy_weights(7)
    assert rb.clip_values(weights, x, [90.0, 90.0]) == rb.clip_values(weights, x, 90.0)
    mixed = rb.clip_values(weights, x, [None, 80.0])
    assert mixed[0] is None and mixed[1] == rb.clip_values(weights, x, 80.0)[1]
    with pytest.raises(ValueError, match="3 percentiles for 2 hidden layers"):
        rb.clip_values(weights, x, [90.0, 90.0, 90.0])


def _heavy_tailed_toy(seed):
    """A ReLU MLP on bounded inputs whose hidden activations span three orders of magnitude (as
    the 100-epoch model's do: a few units fire only on rare rows, and then a hundredfold), with
    labels that depend on the ranking of the ordinary rows."""
    rng = np.random.default_rng(seed)
    w1, b1 = rng.normal(size=(4, 16)) * 0.6, rng.normal(size=16) * 0.05
    w1[:, 12:], w1[0, 12:], b1[12:] = 0.0, 100.0, -200.0  # units 12-15: only where x0 > 2, up to ~200
    weights = [(w1, b1), (np.abs(rng.normal(size=(16, 16))) * 0.6, rng.normal(size=16) * 0.05),
               (rng.normal(size=(16, 1)), np.array([0.0]))]
    x = rng.normal(size=(3000, 4))
    logit = _forward(weights, x).reshape(-1)
    y = (logit + rng.normal(scale=0.3 * np.std(logit[x[:, 0] <= 2]), size=logit.size) > np.median(logit)).astype(int)
    return weights, x, y


def test_simulated_int8_score_ranks_rows_as_the_converted_int8_model_does():
    import tinyids  # noqa: F401
    from scipy.stats import spearmanr

    from tinyids import compress

    weights, x, _ = _heavy_tailed_toy(8)
    cal, rows = x[:1000].astype(np.float32), x[1000:].astype(np.float32)
    limit = float(np.percentile(np.abs(_forward(weights, rows)), 95))
    for pct in (None, 70.0):
        clips = rb.clip_values(weights, cal, pct)
        model = rb.build_model(rb.logit_clip_weights(rb.clipped_weights(weights, clips), limit), clips, limit)
        raw, _, _ = rb.int8_raw(compress.to_tflite_int8(model, cal, n_samples=None, seed=0), rows)
        sim = rb.simulated_int8_logit(weights, clips, cal, rows, limit)
        assert spearmanr(sim, raw).statistic > 0.98, pct


def test_per_layer_clip_search_picks_candidates_and_never_scores_below_no_clipping():
    from tinyids.metrics import roc_auc_or_nan

    weights, x, y = _heavy_tailed_toy(9)
    cal, val, y_val = x[:1000], x[1000:], y[1000:]
    candidates = [None, 99.0, 90.0, 70.0, 50.0]
    limit = float(np.percentile(np.abs(_forward(weights, cal)), 95))
    pcts, auc = rb.search_layer_percentiles(weights, cal, val, y_val, candidates, 2, limit)
    assert len(pcts) == 2 and all(p in candidates for p in pcts)
    unclipped = roc_auc_or_nan(y_val, rb.simulated_int8_logit(weights, [None, None], cal, val, limit))
    assert auc > unclipped + 0.01  # the rare rows' range costs the ordinary rows their ranking
    assert auc == pytest.approx(roc_auc_or_nan(y_val, rb.simulated_int8_logit(
        weights, rb.clip_values(weights, cal, pcts), cal, val, limit)))
    assert rb.search_layer_percentiles(weights, cal, val, y_val, candidates, 0, limit) == ([None, None], unclipped)


def test_logit_clip_layers_output_the_clipped_logit_scaled_to_the_unit_interval():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(400, 5)) * 10
    weights = _toy_weights(5)
    clipped = rb.logit_clip_weights(weights, 2.0)
    assert len(clipped) == len(weights) + 1
    h = x
    for w, b in clipped[:-2]:
        h = np.maximum(h @ w + b, 0.0)
    u = np.clip(h @ clipped[-2][0] + clipped[-2][1], 0.0, rb.RELU6_MAX)  # the output layer's ReLU6
    score = (u @ clipped[-1][0] + clipped[-1][1]).reshape(-1)
    logit = _forward(weights, x).reshape(-1)
    assert np.allclose(score, (np.clip(logit, -2.0, 2.0) + 2.0) / 4.0, atol=1e-12) and (np.abs(logit) > 2).any()
    # the Deployable's decision.score turns it back into the sigmoid of the clipped logit
    dec = {"probability": 0.5, "score": rb.score_of(2.0)}
    inside = np.abs(logit) < 2
    assert np.allclose(deployable.output_probability(dec, score)[inside], 1 / (1 + np.exp(-logit[inside])))


def test_clipped_logit_score_keeps_int8_levels_where_the_int8_sigmoid_saturates():
    """Rows whose probabilities all exceed 0.98 share five int8 sigmoid levels (scale 1/256); the
    clipped-logit score spreads the same rows over many more levels of its own output."""
    import tinyids  # noqa: F401

    from tinyids import compress

    rng = np.random.default_rng(12)
    x = rng.normal(size=(3000, 5)).astype(np.float32)
    weights = [(rng.normal(size=(5, 8)), rng.normal(size=8)), (rng.normal(size=(8, 1)), np.array([6.0]))]
    logit = _forward(weights, x).reshape(-1)
    high = (logit > 4.0) & (logit < 7.5)
    assert high.sum() > 200
    distinct = {}
    for limit in (None, 8.0):
        model = rb.build_model(rb.logit_clip_weights(weights, limit), [None], limit)
        raw, _, _ = rb.int8_raw(compress.to_tflite_int8(model, x[:1000], n_samples=None, seed=0), x[high])
        distinct[limit] = np.unique(raw).size
    assert distinct[None] <= 6 and distinct[8.0] >= 4 * distinct[None], distinct


def test_validation_rows_are_the_keras_held_out_tail_and_only_real_rows_under_sound():
    source = np.array([0, 1, -1, 2, 3, -1, 4, -1, 5, 6])
    assert list(rb.validation_rows(10, 0.2, source, "paper")) == [8, 9]
    assert list(rb.validation_rows(10, 0.5, source, "paper")) == [5, 6, 7, 8, 9]
    assert list(rb.validation_rows(10, 0.5, source, "sound")) == [6, 8, 9]


def test_threshold_maximises_validation_accuracy_and_its_probability_gives_the_same_int8_value():
    from tinyids.ibrahim2025.deploy import threshold_decision
    from tinyids.litert import Quantization

    raw = np.array([-120, -100, -90, -60, -40, -30, 10, 50])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    q, prob, acc = rb.choose_threshold(raw, y, 1 / 256, -128, 0.5)
    assert acc == 1.0 and -60 < q <= -40
    # among the equally accurate values the one nearest probability 0.5 wins: the largest here
    assert q == -40
    assert threshold_decision(Quantization(1 / 256, -128), prob, "t")["int8"] == q


def test_attack_f1_threshold_is_the_best_f1_of_every_int8_rule_on_the_validation_rows():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(7)
    y = (rng.random(600) < 0.15).astype(int)
    raw = np.clip(np.round(rng.normal(-60, 30, 600) + 70 * y), -128, 127).astype(np.int32)
    q, _, f1 = rb.choose_threshold(raw, y, 1 / 255, -128, 0.5, "attack_f1")
    every = [f1_score(y, (raw >= t).astype(int), zero_division=0) for t in range(-128, 128)]
    assert f1 == pytest.approx(max(every)) and every[q + 128] == pytest.approx(max(every))
    q_acc, _, _ = rb.choose_threshold(raw, y, 1 / 255, -128, 0.5, "accuracy")
    assert q_acc >= q  # on a minority attack class the accuracy-optimal rule flags fewer rows
    with pytest.raises(ValueError, match="threshold criterion 'auc'"):
        rb.choose_threshold(raw, y, 1 / 255, -128, 0.5, "auc")


@pytest.mark.parametrize("limit", [2.0, 8.0])
def test_clipped_logit_decision_probability_gives_back_its_int8_value(limit):
    """The robust eval stores the probability a mid-level threshold of the score stands for; the
    deployable turns it back into the same int8 value, for every value of the output."""
    from tinyids.ibrahim2025.deploy import threshold_decision
    from tinyids.litert import Quantization

    score, oq = rb.score_of(limit), Quantization(1.0 / 255.0, -128)
    for q in range(-127, 128):
        t = (q - oq.zero_point - 0.5) * oq.scale
        prob = float(deployable.output_probability({"score": score}, np.float64(t)))
        dec = threshold_decision(oq, prob, "t", score)
        assert dec["int8"] == q and dec["score"] == score
        assert deployable.output_threshold(dec) == pytest.approx(t, abs=1e-9)


def test_a_clipped_logit_score_with_high_not_above_low_is_rejected_naming_the_key(tmp_path):
    from tinyids.litert import Quantization

    dec = {"rule": "threshold", "output": 0, "probability": 0.5, "int8": 0, "score": rb.score_of(2.0)}
    q = deployable.quantization(Quantization(0.1, 0).scale, 0)
    args = dict(name="t", study="s", protocol="p", variant="v", seed=0, class_names=["a", "b"],
                raw_feature_names=["r"], feature_names=["x"], model_format="tflite-int8", input_quantization=q,
                output_quantization=q, test_rows=1, metrics={"accuracy": 1.0}, steps=[])
    deployable.Deployable.create(**args, decision=dec)
    with pytest.raises(deployable.DeployableError, match=r"decision.score: high \(-2.0\) must be above low \(2.0\)"):
        deployable.Deployable.create(**args, decision={**dec, "score": {"kind": "clipped_logit", "low": 2.0, "high": -2.0}})
    with pytest.raises(deployable.DeployableError, match="decision"):
        deployable.Deployable.create(**args, decision={**dec, "score": {"kind": "logit", "low": -2.0, "high": 2.0}})


@pytest.fixture(scope="module")
def robust_run(wustl_frame: pd.DataFrame, tmp_path_factory):
    import tinyids  # noqa: F401
    import tf_keras as keras

    from tinyids.ibrahim2025 import steps
    from tinyids.ibrahim2025.deploy import write_deployable
    from tinyids.ibrahim2025.evaluation import evaluate_and_export

    frame = stratified_subsample(wustl_frame, 800, 5, by=feat.LABEL)
    settings = Settings(seed=11, drop_columns=feat.DEFAULT_DROP, categorical_columns=("Flgs",), pca_components=6,
                        calibration_samples=50, latency_samples=5)
    prepared = protocols.prepare(frame, "sound", settings)
    run = tmp_path_factory.mktemp("run")
    protocols.save(prepared, run / "data.npz", run / "preprocess.json")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    arrays = protocols.load_arrays(run / "data.npz")
    model.fit(arrays["x_train"], arrays["y_train"].astype(np.float32), epochs=3, batch_size=32, verbose=0,
              validation_split=0.2)
    evaluate_and_export(model, "full", run, arrays, history={"loss": [0.0]}, train_info={}, settings=settings,
                        protocol="sound", fold=0)
    config = {"seed": 11, "ibrahim2025": {
        "features": {"drop": list(feat.DEFAULT_DROP), "categorical": ["Flgs"]}, "pca_components": 6,
        "robust": {"models": ["full"], "calibration_samples": 200,
                   "activation_percentiles": [None, 99.0]}}}
    record = steps.robust(run / "data.npz", run / "full.keras", run / "full_eval.json", run / "full_robust.keras",
                          run / "full_robust_int8.tflite", run / "full_robust_eval.json", "sound", 0, "full", config)
    out = tmp_path_factory.mktemp("deploy")
    name = "ibrahim2025_sound_full_robust"
    dep = write_deployable(name=name, int8_tflite=run / "full_robust_int8.tflite", data_npz=run / "data.npz",
                           preprocess_json=run / "preprocess.json", eval_json=run / "full_robust_eval.json",
                           out_tflite=out / f"{name}.tflite", out_npz=out / f"{name}.npz", out_json=out / f"{name}.json")
    return frame, prepared, run, out, dep, record, settings


def test_robust_record_keeps_the_source_float_metrics_and_a_validation_chosen_decision(robust_run):
    _, prepared, run, _, _, record, _ = robust_run
    source = json.loads((run / "full_eval.json").read_text())
    assert record["model"] == "full_robust" and record["metrics"] == source["metrics"]
    dec = record["decision"]
    assert dec["rule"] == "threshold" and 0.0 <= dec["probability"] <= 1.0 and -128 <= dec["int8"] <= 127
    choice = record["choice"]
    assert choice["validation_rows"] > 0 and choice["activation_percentile"] in (None, 99.0)
    assert [c["activation_percentile"] for c in choice["candidates"]] == [None, 99.0]
    assert record["gap_accuracy"] == pytest.approx(record["metrics_int8"]["accuracy"] - source["metrics"]["accuracy"])
    # the default decision maximises validation attack F1; the record keeps the accuracy rule's figures beside it
    assert record["threshold_criterion"] == "attack_f1" and dec["score"] == rb.score_of(8.0)
    by = record["by_threshold_criterion"]
    assert set(by) == set(rb.CRITERIA) and by["attack_f1"]["int8"] == dec["int8"]
    assert by["attack_f1"]["metrics_int8"] == record["metrics_int8"]
    assert record["metrics_float_validation_threshold"] == by["attack_f1"]["metrics_float"]
    assert by["attack_f1"]["validation_value_int8"] >= by["accuracy"]["validation_value_int8"] - 1.0  # both in [0, 1]
    assert record["gap_attack_f1_validation_threshold"] == pytest.approx(
        record["metrics_int8"]["f1"] - by["attack_f1"]["metrics_float"]["f1"])


def test_robust_deployable_steps_run_from_the_encoded_row_to_x_test_and_decide_as_its_record(robust_run):
    from tinyids import litert

    frame, prepared, _, out, dep, record, _ = robust_run
    back = deployable.read(out / f"{dep.name}.json")
    assert [s["op"] for s in back.steps] == ["minmax", "pca", "standard"]
    assert back.decision == record["decision"] and back.accuracy == record["metrics_int8"]["accuracy"]
    raw = prepared.encoder.transform(frame.iloc[prepared.test_source_row])
    x_test, y = back.test_vectors()
    assert np.allclose(preprocessing.apply(back.steps, raw), x_test, rtol=0, atol=1e-4)
    interp = litert.make_interpreter(out / f"{dep.name}.tflite")
    q = litert.run_raw(interp, litert.input_quantization(interp).quantize(x_test)).reshape(-1).astype(np.int32)
    assert np.mean((q >= back.decision["int8"]) == y) == pytest.approx(back.accuracy, abs=1e-12)


def test_ablation_rows_measure_every_step_and_the_int8_step_matches_the_records(robust_run, tmp_path: Path):
    from tinyids.ibrahim2025 import ablation

    _, _, run, _, _, record, settings = robust_run
    common = {"protocol": "sound", "fold": 0, "data": run / "data.npz", "full_keras": run / "full.keras",
              "full_float_tflite": run / "full_float.tflite", "compressed_keras": None, "compressed_float_tflite": None}
    runs = [{**common, "model": "full", "model_keras": run / "full.keras", "int8": run / "full_int8.tflite",
             "eval": run / "full_eval.json"},
            {**common, "model": "full_robust", "model_keras": run / "full_robust.keras",
             "int8": run / "full_robust_int8.tflite", "eval": run / "full_robust_eval.json"}]
    table = ablation.write_all(runs, settings, tmp_path / "a.csv", tmp_path / "z.csv", tmp_path / "a.png")
    back = pd.read_csv(tmp_path / "a.csv")
    assert list(back.columns[: len(study_ablation.COLUMNS)]) == list(study_ablation.COLUMNS)
    plain, robust = table.iloc[0], table.iloc[1]
    source = json.loads((run / "full_eval.json").read_text())
    assert plain["accuracy_float"] == pytest.approx(source["metrics"]["accuracy"])
    assert plain["accuracy_full_int8"] == pytest.approx(source["metrics_int8"]["accuracy"])
    assert robust["accuracy_full_int8"] == pytest.approx(record["metrics_int8"]["accuracy"])
    assert np.isnan(plain["accuracy_compressed_float"])  # the full model has no pruning step
    assert all(np.isfinite(plain[f"accuracy_{s}"]) for s in ("float", "input_quantized", "dynamic_range", "full_int8"))
    assert plain["bytes_dynamic_range"] <= plain["bytes_float"]  # TF leaves tensors this small in float
    zero = pd.read_csv(tmp_path / "z.csv")
    assert set(zero["model"]) == {"full", "full_robust"} and len(zero) == 12
    assert zero["share_to_zero_point"].dropna().between(0, 1).all()
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
