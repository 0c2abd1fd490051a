"""The generated C takes everything it decides from the Deployable's typed fields, never from
its prose: ``preprocess()`` runs any chain of the closed op set as
``tinyids.study.preprocessing.apply`` does (bit for bit where the float32 operations are the
same, on the host and on the ATmega328P; within float32 rounding where libm or the summation
order differ), the decision rule
comes from ``decision``, ``encode`` steps are documented for the host, and renaming the
descriptions changes no byte of the generated files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinyids import codegen
from tinyids.codegen import host, synthetic
from tinyids.codegen.model import CodegenError
from tinyids.codegen.preprocess import EXACT_OPS
from tinyids.study.deployable import Deployable, from_dict
from tinyids.study.preprocessing import OPS, apply

STRICT = list(host.STRICT_FLAGS)
N_IN = 7  # the model input of the fixture
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pre")
    model = synthetic.mlp_model(21, N_IN, (8,), 1)
    path = tmp / "mlp.tflite"
    path.write_bytes(synthetic.convert_int8(model, synthetic.features(21, 100, N_IN)))
    return path


@pytest.fixture(scope="module")
def softmax_mlp(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pre3")
    model = synthetic.mlp_model(22, N_IN, (8,), 3)
    path = tmp / "mlp3.tflite"
    path.write_bytes(synthetic.convert_int8(model, synthetic.features(22, 100, N_IN)))
    return path


# ---------------------------------------------------------------- random chains of steps

def _step(rng: np.random.Generator, op: str, width: int) -> tuple[dict, int]:
    if op == "offset_scale":
        return {"op": op, "min": rng.normal(0, 1, width).tolist(), "scale": rng.uniform(0.25, 4, width).tolist()}, width
    if op == "minmax":
        return {"op": op, "scale": rng.uniform(0.25, 4, width).tolist(), "min": rng.normal(0, 1, width).tolist()}, width
    if op == "standard":
        return {"op": op, "mean": rng.normal(0, 1, width).tolist(), "scale": rng.uniform(0.25, 4, width).tolist()}, width
    if op == "log1p":  # columns may repeat: each is transformed once
        return {"op": op, "columns": rng.integers(0, width, rng.integers(1, width + 2)).tolist()}, width
    if op == "l2":
        return {"op": op}, width
    if op == "pca":
        n_out = int(rng.integers(1, 13))
        return {"op": op, "mean": rng.normal(0, 1, width).tolist(),
                "components": (rng.normal(0, 1, (n_out, width)) / np.sqrt(width)).tolist()}, n_out
    if op == "select":
        n_out = int(rng.integers(1, 13))
        return {"op": op, "indices": rng.integers(0, width, n_out).tolist()}, n_out
    raise AssertionError(op)


def random_chain(seed: int, ops: tuple[str, ...]) -> tuple[list[dict], int]:
    """Up to five random steps from ``ops`` (after optional encodings), ending at N_IN features."""
    rng = np.random.default_rng(seed)
    n_raw = int(rng.integers(3, 13))
    steps: list[dict] = []
    for c in rng.choice(n_raw, size=int(rng.integers(0, 3)), replace=False):
        steps.append({"op": "encode", "column": int(c), "codes": {"tcp": 0, "udp": 1, "icmp": 2}, "default": 3})
    width = n_raw
    for _ in range(int(rng.integers(1, 6))):
        step, width = _step(rng, str(rng.choice(ops)), width)
        steps.append(step)
    if width != N_IN:
        changing = [op for op in ("select", "pca") if op in ops]
        if str(rng.choice(changing)) == "select":
            step, width = {"op": "select", "indices": rng.integers(0, width, N_IN).tolist()}, N_IN
        else:
            step, width = _pca_to(rng, width)
        steps.append(step)
        if rng.random() < 0.5:  # a width-preserving op after the last width change
            preserving = [op for op in ops if op not in ("select", "pca")]
            step, width = _step(rng, str(rng.choice(preserving)), width)
            steps.append(step)
    return steps, n_raw


def _pca_to(rng: np.random.Generator, width: int) -> tuple[dict, int]:
    return {"op": "pca", "mean": rng.normal(0, 1, width).tolist(),
            "components": (rng.normal(0, 1, (N_IN, width)) / np.sqrt(width)).tolist()}, N_IN


def _raw_rows(seed: int, n_raw: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    raw = rng.normal(0, 2, (40, n_raw)) * rng.choice([0.01, 1.0, 100.0], size=(40, 1))
    raw[0] = 0.0
    return raw.astype(np.float32)


def _run_preprocess(tmp: Path, g: codegen.Generated, raw: np.ndarray) -> np.ndarray:
    """Compile the generated source with a reader of binary rows; preprocess every row."""
    c_path, _ = codegen.write(g, tmp)
    m, M = g.ident, g.ident.upper()
    (tmp / "main.c").write_text(
        f'#include <stdio.h>\n#include "{g.name}.h"\n'
        "int main(int argc, char **argv)\n{\n"
        f"    float r[TINYIDS_{M}_RAW_SIZE], x[TINYIDS_{M}_INPUT_SIZE];\n"
        '    FILE *f = fopen(argv[1], "rb"), *o = fopen(argv[2], "wb");\n    (void)argc;\n'
        f"    while (fread(r, sizeof(float), TINYIDS_{M}_RAW_SIZE, f) == TINYIDS_{M}_RAW_SIZE) {{\n"
        f"        tinyids_{m}_preprocess(r, x);\n        fwrite(x, sizeof(float), TINYIDS_{M}_INPUT_SIZE, o);\n    }}\n"
        "    fclose(f);\n    fclose(o);\n    return 0;\n}\n")
    exe = host.compile_c([tmp / "main.c", c_path], tmp / "pre", flags=(*STRICT, "-O2"), include_dirs=[tmp], libs=["-lm"])
    (tmp / "raw.bin").write_bytes(np.ascontiguousarray(raw, np.float32).tobytes())
    host.run_tool([str(exe), str(tmp / "raw.bin"), str(tmp / "x.bin")])
    return np.frombuffer((tmp / "x.bin").read_bytes(), dtype=np.float32).reshape(len(raw), N_IN)


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_chains_of_elementwise_ops_and_selections_equal_the_host_reference_bit_for_bit(mlp, tmp_path_factory, seed):
    steps, n_raw = random_chain(seed, EXACT_OPS)
    dep = synthetic.deployable(mlp, "pre", steps=steps, n_raw=n_raw)
    g = codegen.generate(mlp, "pre", dep)
    raw = _raw_rows(seed, n_raw)
    got = _run_preprocess(tmp_path_factory.mktemp("exact"), g, raw)
    want = apply(steps, raw)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32), err_msg=str(steps))


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_any_chain_of_the_closed_op_set_matches_the_host_reference_to_float32_rounding(mlp, tmp_path_factory, seed):
    """log1p (libm log1pf against numpy's log1p: a few ulps), l2 (index-order against pairwise
    sums of squares, Newton square root within an ulp) and pca (index-order against BLAS sums)
    differ by float32 rounding, which later steps carry along; with scales in [0.25, 4],
    PCA rows of unit norm on average and at most eight steps it stays below 1e-5 of the value
    plus the row's magnitude (about 80 ulps; a few ulps are seen): a wrong order, constant or
    buffer is off by far more."""
    numeric = tuple(op for op in OPS if op != "encode")
    steps, n_raw = random_chain(seed, numeric)
    dep = synthetic.deployable(mlp, "pre", steps=steps, n_raw=n_raw)
    g = codegen.generate(mlp, "pre", dep)
    raw = _raw_rows(seed, n_raw)
    got = _run_preprocess(tmp_path_factory.mktemp("any"), g, raw)
    with np.errstate(invalid="ignore"):  # log1p below -1 is NaN, in C too
        want = apply(steps, raw)
    scale = np.maximum(1.0, np.nanmax(np.abs(np.where(np.isfinite(want), want, 0)), axis=1, keepdims=True))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=str(steps))  # log1p below -1
    ok = np.isnan(want) | (np.abs(got - want) <= 1e-5 * (np.abs(want) + scale))
    assert ok.all(), (steps, got[~ok.all(axis=1)], want[~ok.all(axis=1)])


# ---------------------------------------------------------------- typed fields, not prose

def _full_deployable(tflite: Path, description: str) -> Deployable:
    rng = np.random.default_rng(5)
    steps = [{"op": "encode", "column": 1, "codes": {"tcp": 0, "udp": 1}, "default": 2},
             {"op": "offset_scale", "min": rng.normal(size=9).tolist(), "scale": rng.uniform(1, 2, 9).tolist()},
             {"op": "log1p", "columns": [0, 3]}, {"op": "l2"},
             {"op": "select", "indices": [0, 1, 2, 3, 4, 5, 8]}]
    return synthetic.deployable(tflite, "renamed", steps=steps,
                                raw_feature_names=["duration", "protocol_type"] + [f"f{i}" for i in range(7)],
                                description=description)


def test_renaming_the_descriptions_changes_no_generated_byte(mlp):
    dep = _full_deployable(mlp, "x / ||x||_2 after scaling, as in the paper")
    renamed = dep.with_description("something else entirely (no formula here)")
    assert renamed.doc["description"] != dep.doc["description"]
    assert renamed.doc["preprocessing"]["description"] != dep.doc["preprocessing"]["description"]
    a, b = codegen.generate(mlp, "renamed", dep), codegen.generate(mlp, "renamed", renamed)
    assert a.source == b.source and a.header == b.header
    assert a.preprocessing == b.preprocessing and "L2" in a.preprocessing  # the l2 step, read from its op


def test_encode_steps_are_documented_for_the_host_and_emit_no_c(mlp, tmp_path):
    dep = _full_deployable(mlp, "")
    g = codegen.generate(mlp, "renamed", dep)
    assert " *   raw[1] protocol_type: tcp = 0, udp = 1; unknown = 2" in g.header
    only_encode = synthetic.deployable(mlp, "enc", steps=[{"op": "encode", "column": 0, "codes": {"a": 0}}])
    g2 = codegen.generate(mlp, "enc", only_encode)
    assert g2.preprocessing == "none" and "preprocess" not in g2.source
    assert "raw[0] raw0: a = 0; unknown: refused" in g2.header


def test_log1p_alone_links_libm_and_the_int8_path_stays_float_free(mlp, tmp_path):
    g = codegen.generate(mlp, "renamed", _full_deployable(mlp, ""))
    assert g.info["needs_libm"] and "#include <math.h>" in g.source
    c_path, _ = codegen.write(g, tmp_path)
    host.compile_c([c_path], tmp_path / "i.o", flags=(*STRICT, "-O2", "-DTINYIDS_INT8_ONLY", "-mgeneral-regs-only"),
                   include_dirs=[tmp_path], object_only=True)
    host.compile_c([c_path], tmp_path / "avr.o", cc="avr-gcc", flags=(*STRICT, "-mmcu=atmega328p", "-Os"),
                   include_dirs=[tmp_path], object_only=True)
    plain = codegen.generate(mlp, "plain", synthetic.deployable(
        mlp, "plain", steps=[{"op": "standard", "mean": [0.0] * N_IN, "scale": [2.0] * N_IN}]))
    assert not plain.info["needs_libm"] and "math.h" not in plain.source


def test_the_threshold_rule_takes_the_deployables_int8_value(mlp):
    doc = synthetic.deployable(mlp, "t", probability=0.5).to_json()
    doc = json.loads(doc)
    doc["decision"] = {"rule": "threshold", "output": 0, "probability": 0.9, "int8": 77}
    g = codegen.generate(mlp, "t", from_dict(doc))
    assert g.positive_threshold == 77
    assert "#define TINYIDS_T_POSITIVE_THRESHOLD 77" in g.header and "return out[0] >= 77 ? 1 : 0;" in g.source


def test_the_argmax_rule_gives_no_threshold(softmax_mlp):
    g = codegen.generate(softmax_mlp, "a", synthetic.deployable(softmax_mlp, "a"))
    assert g.positive_threshold is None and "POSITIVE_THRESHOLD" not in g.header
    assert "#define TINYIDS_A_NUM_CLASSES 3" in g.header


def test_a_deployable_that_does_not_fit_the_model_is_refused_naming_the_key(mlp, softmax_mlp):
    doc = json.loads(synthetic.deployable(mlp, "one").to_json())
    doc["decision"] = {"rule": "argmax"}
    with pytest.raises(CodegenError, match="argmax over a one-output model"):
        codegen.generate(mlp, "one", from_dict(doc))
    three = json.loads(synthetic.deployable(softmax_mlp, "three").to_json())
    three["decision"] = {"rule": "threshold", "output": 0, "probability": 0.5, "int8": 0}
    with pytest.raises(CodegenError, match="needs a one-output model"):
        codegen.generate(softmax_mlp, "three", from_dict(three))
    other = json.loads(synthetic.deployable(mlp, "other").to_json())
    other["input_quantization"] = {"scale": 0.123, "zero_point": 4}
    with pytest.raises(CodegenError, match=r"deployable other: input_quantization .* differs from the model"):
        codegen.generate(mlp, "other", from_dict(other, source="deployable other"))
    with pytest.raises(CodegenError, match="takes a tinyids.study.deployable.Deployable"):
        codegen.generate(mlp, "m", {"preprocessing": {"scaling": "x / norm"}})


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_the_atmega328p_elementwise_chains_equal_the_host_reference_bit_for_bit(mlp, tmp_path, seed):
    """avr-libc's software float rounds +, -, *, / as IEEE float32 does: the same chains give the
    same bits on the Uno (under simavr) as apply() on the host."""
    import re

    from tinyids.firmware.emulate import run_bounded

    for tool in ("avr-gcc", "simavr"):
        try:
            host.require_tool(tool)
        except host.BuildError as exc:
            pytest.fail(str(exc))
    steps, n_raw = random_chain(seed, EXACT_OPS)
    g = codegen.generate(mlp, "pre", synthetic.deployable(mlp, "pre", steps=steps, n_raw=n_raw))
    c_path, _ = codegen.write(g, tmp_path)
    raw = _raw_rows(seed, n_raw)[:8]
    rows = ", ".join(repr(float(v)) + "f" for v in raw.reshape(-1))
    (tmp_path / "main.c").write_text(
        '#include "tinyids_test.h"\n#include "pre.h"\n'
        f"static const float rows[{raw.size}] = {{{rows}}};\n"
        "int main(void)\n{\n    int r, i;\n    float x[TINYIDS_PRE_INPUT_SIZE];\n    tt_begin(\"pre\");\n"
        f"    for (r = 0; r < {len(raw)}; ++r) {{\n        tinyids_pre_preprocess(rows + r * TINYIDS_PRE_RAW_SIZE, x);\n"
        "        for (i = 0; i < TINYIDS_PRE_INPUT_SIZE; ++i) {\n"
        '            TT_PRINTF("V %08lx\\n", (unsigned long)tt_bits(x[i]));\n        }\n    }\n'
        "    return tt_end();\n}\n")
    tests_c = Path(__file__).resolve().parents[1] / "c"
    elf = host.compile_c([tmp_path / "main.c", c_path], tmp_path / "pre.elf", cc="avr-gcc",
                         flags=(*STRICT, "-mmcu=atmega328p", "-Os"), include_dirs=[tmp_path, tests_c])
    _rc, out, _ = run_bounded(["simavr", "-m", "atmega328p", "-f", "16000000", str(elf)], timeout_s=120)
    bits = [int(v, 16) for v in re.findall(r"V ([0-9a-f]{8})", re.sub(r"\x1b\[[0-9;]*m", "", out))]
    assert len(bits) == raw.shape[0] * N_IN, out[-2000:]
    got = np.array(bits, dtype=np.uint32).reshape(len(raw), N_IN)
    np.testing.assert_array_equal(got, apply(steps, raw).view(np.uint32), err_msg=str(steps))
