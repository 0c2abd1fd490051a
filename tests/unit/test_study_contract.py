"""The study contract: Deployable validation, the chaining of typed preprocessing steps, the host
reference of the steps, ComparisonRow and MetricsRow files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyids.errors import DataError
from tinyids.study import comparison, deployable, metrics, preprocessing
from tinyids.study.deployable import Deployable, DeployableError
from tinyids.study.preprocessing import PreprocessingError


def _dep(**over):
    kw = dict(
        name="toy", study="toy", protocol="sound", variant="v1", seed=0, class_names=["normal", "attack"],
        raw_feature_names=["a", "b", "c"], feature_names=["a", "c"], model_format="tflite-int8",
        input_quantization=deployable.quantization(0.01, -128), output_quantization=deployable.quantization(1 / 256, -128),
        decision={"rule": "threshold", "output": 0, "probability": 0.5, "int8": 0}, test_rows=3,
        metrics={"accuracy": 0.9},
        steps=[{"op": "offset_scale", "min": [0, 0, 0], "scale": [1, 2, 3]}, {"op": "select", "indices": [0, 2]}],
    )
    kw.update(over)
    return Deployable.create(**kw)


def test_deployable_round_trips_through_its_json_file(tmp_path):
    dep = _dep()
    path = deployable.write(dep, tmp_path / "toy.json")
    back = deployable.read(path)
    assert back.doc == dep.doc
    assert back.file("model") == tmp_path / "toy.tflite"
    assert back.file("test_vectors") == tmp_path / "toy.npz"
    assert back.n_inputs == 2 and back.n_raw == 3 and back.accuracy == 0.9


def test_unknown_op_is_an_error_naming_the_file_and_the_step(tmp_path):
    doc = _dep().doc
    doc["preprocessing"]["steps"].append({"op": "sqrt"})
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DeployableError, match=r"(?s)toy\.json.*preprocessing\.steps\.2\.op: .sqrt. is not one of"):
        deployable.read(path)


def test_constant_of_wrong_length_names_the_step_and_key():
    with pytest.raises(PreprocessingError, match=r"steps\[0\] \(offset_scale\): 'scale' has 2 values, the step receives 3"):
        _dep(steps=[{"op": "offset_scale", "min": [0, 0, 0], "scale": [1, 2]}, {"op": "select", "indices": [0, 2]}])


def test_feature_count_that_does_not_chain_to_the_model_input_is_an_error():
    with pytest.raises(PreprocessingError, match="map 3 raw features to 3, the model takes 2"):
        _dep(steps=[{"op": "l2"}])


def test_select_out_of_range_and_pca_of_wrong_shape_are_errors():
    with pytest.raises(PreprocessingError, match=r"steps\[0\] \(select\): indices \[0, 3\]"):
        _dep(steps=[{"op": "select", "indices": [0, 3]}])
    with pytest.raises(PreprocessingError, match=r"steps\[0\] \(pca\): 'components' has shape \(2, 2\)"):
        _dep(steps=[{"op": "pca", "mean": [0, 0, 0], "components": [[1, 0], [0, 1]]}])


def test_encode_after_a_numeric_step_is_an_error():
    with pytest.raises(PreprocessingError, match="encode must come before"):
        _dep(steps=[{"op": "l2"}, {"op": "encode", "column": 0, "codes": {"tcp": 6}}, {"op": "select", "indices": [0, 2]}])


def test_tflite_deployable_without_quantization_is_rejected():
    with pytest.raises(DeployableError, match="needs input_quantization"):
        _dep(input_quantization=None)


def test_threshold_rule_must_carry_its_int8_value_and_probability():
    with pytest.raises(DeployableError, match="decision"):
        _dep(decision={"rule": "threshold", "output": 0, "int8": 3})


def test_written_name_must_match_the_deployable_name(tmp_path):
    with pytest.raises(DeployableError, match="must be written as toy.json"):
        deployable.write(_dep(), tmp_path / "other.json")


def test_description_is_prose_that_changes_no_contract_field():
    dep = _dep()
    other = dep.with_description("anything at all, even ||x||_2")
    assert {k: v for k, v in other.doc.items() if k != "description"} | {"preprocessing": {"steps": other.steps}} == \
        {k: v for k, v in dep.doc.items() if k != "description"} | {"preprocessing": {"steps": dep.steps}}


def test_threshold_int8_is_the_smallest_code_at_or_above_the_probability():
    q = deployable.threshold_int8(1 / 256, -128, 0.5)
    assert (q - -128) / 256 >= 0.5 and (q - 1 - -128) / 256 < 0.5
    assert deployable.threshold_int8(1 / 256, -128, 1.5) == 128


def test_encode_column_maps_categories_and_rejects_unknown_ones():
    step = {"op": "encode", "column": 0, "codes": {"tcp": 6, "udp": 17}}
    assert list(preprocessing.encode_column(["udp", "tcp"], step)) == [17, 6]
    with pytest.raises(PreprocessingError, match="unknown category 'icmp'"):
        preprocessing.encode_column(["icmp"], step)
    assert list(preprocessing.encode_column(["icmp"], {**step, "default": 0})) == [0]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_apply_matches_sklearn_and_numpy_for_every_numeric_op(n, seed):
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(20, n)).astype(np.float32) * 5
    mm = MinMaxScaler().fit(x)
    out = preprocessing.apply([{"op": "minmax", "scale": mm.scale_.tolist(), "min": mm.min_.tolist()}], x)
    np.testing.assert_allclose(out, mm.transform(x), rtol=1e-5, atol=1e-5)
    ss = StandardScaler().fit(x)
    out = preprocessing.apply([{"op": "standard", "mean": ss.mean_.tolist(), "scale": ss.scale_.tolist()}], x)
    np.testing.assert_allclose(out, ss.transform(x), rtol=1e-4, atol=1e-4)
    k = max(1, n - 1)
    pca = PCA(k).fit(x)
    out = preprocessing.apply([{"op": "pca", "mean": pca.mean_.tolist(), "components": pca.components_.tolist()}], x)
    np.testing.assert_allclose(out, pca.transform(x), rtol=1e-3, atol=1e-3)
    out = preprocessing.apply([{"op": "l2"}], x)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    z = np.abs(x)
    out = preprocessing.apply([{"op": "log1p", "columns": [0]}, {"op": "select", "indices": [0]}], z)
    np.testing.assert_allclose(out[:, 0], np.log1p(z[:, 0]), rtol=1e-6)


def test_l2_leaves_all_zero_rows_zero():
    out = preprocessing.apply([{"op": "l2"}], np.zeros((2, 3), np.float32))
    assert np.all(out == 0)


def _row(**over):
    row = dict(study="toy", table="Table 1", quantity="accuracy", unit="fraction", protocol="sound", model="m",
               paper_value=0.9, our_value=0.8, our_sd=0.01, n_runs=3, citation="Doe 2020, Table 1")
    row.update(over)
    return row


def test_comparison_rows_round_trip_in_column_order(tmp_path):
    path = tmp_path / "paper_comparison.csv"
    comparison.write([_row(), _row(model="n", extra_col="x")], path)
    back = comparison.read(path)
    assert tuple(back.columns[: len(comparison.COLUMNS)]) == comparison.COLUMNS
    assert list(back["model"]) == ["m", "n"]


def test_comparison_with_a_non_numeric_value_names_file_row_and_column(tmp_path):
    path = tmp_path / "paper_comparison.csv"
    pd.DataFrame([_row(), _row(our_value="high")]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"paper_comparison\.csv: row 3, column our_value: 'high'"):
        comparison.read(path)


def test_comparison_missing_a_column_or_a_citation_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame([_row()]).drop(columns=["n_runs"]).to_csv(path, index=False)
    with pytest.raises(DataError, match="lacks column.*n_runs"):
        comparison.read(path)
    pd.DataFrame([_row(citation="")]).to_csv(path, index=False)
    with pytest.raises(DataError, match="row 2, column citation is empty"):
        comparison.read(path)


def test_metrics_rows_put_the_shared_columns_first(tmp_path):
    row = dict(zip(metrics.COLUMNS, ["toy", "sound", "m", 0, "test", 0.9, 0.8, 0.7, 0.75, 0.1, 0.95, 100]))
    table = metrics.write([{"own": 1, **row}], tmp_path / "metrics.csv")
    assert tuple(table.columns) == metrics.COLUMNS + ("own",)
    with pytest.raises(DataError, match="lack column.*roc_auc"):
        metrics.write([{k: v for k, v in row.items() if k != "roc_auc"}], tmp_path / "m2.csv")


def test_dequantized_inputs_are_the_int8_grid_and_zero_point_share_counts_rounding_losses():
    from tinyids.study import ablation

    x = np.array([[0.0, 0.001, 0.5], [0.0, 0.003, 1.0]], np.float32)
    d = ablation.dequantize_inputs(x, 1 / 255, -128)
    assert d[0, 1] == 0 and d[1, 2] == pytest.approx(1.0)
    rows = ablation.zero_point_share(x, 1 / 255, -128, ["a", "b", "c"])
    assert [r["nonzero_values"] for r in rows] == [0, 2, 2]
    assert rows[1]["to_zero_point"] == 1 and rows[1]["share_to_zero_point"] == 0.5
    assert np.isnan(rows[0]["share_to_zero_point"])


def test_ablation_rows_keep_missing_steps_as_nan_and_reject_unknown_steps(tmp_path):
    from tinyids.study import ablation

    keys = {"study": "toy", "protocol": "p", "run": 0, "model": "m", "test_set": "test"}
    r = ablation.row(keys, {"float": ablation.scores([0, 1, 1], [0, 1, 0], [0.1, 0.9, 0.4])}, {"float": 100})
    assert r["accuracy_float"] == pytest.approx(2 / 3) and r["roc_auc_float"] == 1.0
    assert np.isnan(r["accuracy_full_int8"]) and np.isnan(r["bytes_compressed_float"])
    table = ablation.write([r], tmp_path / "a.csv")
    assert tuple(table.columns) == ablation.COLUMNS
    ablation.plot(table, tmp_path / "a.png", "toy")
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(DataError, match="unknown step.*qat"):
        ablation.row(keys, {"qat": {}}, {})
