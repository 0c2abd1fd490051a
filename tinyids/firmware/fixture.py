"""Hand-written tiny models with known weights: the firmware's test fixtures.

* ``fixture_int8``: an int8 linear classifier with the code generator's C interface
  (``int tinyids_fixture_int8_predict(const int8_t *in, int8_t *out)``, weights behind
  ``TINYIDS_PROGMEM``), 7 features, 2 int8 outputs (argmax).
* ``fixture_float``: a float linear classifier with the classical-export interface
  (``int fixture_float_predict(const float *x)``), 7 features, 3 classes.

Each comes with a numpy reference of the same arithmetic, so a device run can be checked
against an independent implementation, not only against the host build of the same C. Both are
written as Deployables (study ``fixture``): ``fixture_int8`` is ``tflite-int8`` (its hand-written
C has the code generator's interface; there is no .tflite), ``fixture_float`` is ``c-float``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

N_FEATURES = 7
W8 = np.array([[12, -7, 3, 25, -18, 6, -2], [-11, 9, -4, -22, 17, -5, 8]], dtype=np.int8)
B8 = np.array([40, -40], dtype=np.int32)
SHIFT = 5
IN_SCALE, IN_ZP = 1.0 / 64.0, -3
OUT_SCALE, OUT_ZP = 0.25, 0

WF = np.array(
    [[0.5, -0.25, 0.125, 1.0, -0.75, 0.25, 0.0],
     [-0.5, 0.75, -0.25, -1.0, 0.5, 0.0, 0.25],
     [0.125, 0.125, 0.5, -0.25, 0.25, -0.5, 0.75]],
    dtype=np.float32,
)
BF = np.array([0.1, -0.1, 0.0], dtype=np.float32)


def _c_int_list(values) -> str:
    return ", ".join(str(int(v)) for v in values)


def _c_float(v: float) -> str:
    text = f"{float(v):.9g}"
    return (text if any(ch in text for ch in ".en") else text + ".0") + "f"


def _c_float_list(values) -> str:
    return ", ".join(_c_float(v) for v in values)


INT8_H = """\
/* fixture_int8: hand-written int8 linear classifier, code-generator interface */
#ifndef TINYIDS_FIXTURE_INT8_H
#define TINYIDS_FIXTURE_INT8_H
#include <stdint.h>
#define TINYIDS_FIXTURE_INT8_N_INPUTS 7
#define TINYIDS_FIXTURE_INT8_N_OUTPUTS 2
/* writes the 2 int8 outputs, returns the class (argmax) */
int tinyids_fixture_int8_predict(const int8_t *in, int8_t *out);
#endif
"""


def int8_c() -> str:
    rows = ",\n    ".join("{" + _c_int_list(r) + "}" for r in W8)
    return f"""\
/* fixture_int8: out[k] = sat8((B[k] + sum_j W[k][j] * in[j]) >> {SHIFT}) */
#include "fixture_int8.h"
#include "tinyids_hal.h"

static const int8_t W[2][7] TINYIDS_PROGMEM = {{
    {rows}
}};
static const int16_t B[2] TINYIDS_PROGMEM = {{{_c_int_list(B8)}}};

int tinyids_fixture_int8_predict(const int8_t *in, int8_t *out)
{{
    for (uint8_t k = 0; k < 2; k++) {{
        int16_t b;
        b = (int16_t)((uint16_t)TINYIDS_READ_BYTE((const uint8_t *)&B[k]) |
                      ((uint16_t)TINYIDS_READ_BYTE((const uint8_t *)&B[k] + 1) << 8));
        int32_t acc = b;
        for (uint8_t j = 0; j < 7; j++)
            acc += (int32_t)(int8_t)TINYIDS_READ_BYTE((const uint8_t *)&W[k][j]) * in[j];
        acc >>= {SHIFT};
        out[k] = (int8_t)(acc > 127 ? 127 : acc < -128 ? -128 : acc);
    }}
    return out[1] > out[0] ? 1 : 0; /* the class: argmax, first on ties */
}}
"""


FLOAT_H = """\
/* fixture_float: hand-written float linear classifier, classical-export interface */
#ifndef FIXTURE_FLOAT_H
#define FIXTURE_FLOAT_H
int fixture_float_predict(const float *x);
#endif
"""


def float_c() -> str:
    rows = ",\n    ".join("{" + _c_float_list(r) + "}" for r in WF)
    return f"""\
/* fixture_float: argmax_k (b[k] + sum_j W[k][j] * x[j]), float32 */
#include "fixture_float.h"

static const float W[3][7] = {{
    {rows}
}};
static const float B[3] = {{{_c_float_list(BF)}}};

int fixture_float_predict(const float *x)
{{
    int best = 0;
    float best_v = 0.0f;
    for (int k = 0; k < 3; k++) {{
        float acc = B[k];
        for (int j = 0; j < 7; j++) acc += W[k][j] * x[j];
        if (k == 0 || acc > best_v) {{
            best_v = acc;
            best = k;
        }}
    }}
    return best;
}}
"""


def int8_reference(q: np.ndarray) -> np.ndarray:
    """Classes the int8 fixture predicts for int8 input rows (numpy, same integer math)."""
    acc = B8[None, :] + q.astype(np.int32) @ W8.T.astype(np.int32)
    out = np.clip(acc >> SHIFT, -128, 127)
    return np.argmax(out, axis=1)


def float_reference(x: np.ndarray) -> np.ndarray:
    acc = np.asarray(x, np.float32) @ WF.T + BF
    return np.argmax(acc, axis=1)


def vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.0, size=(n, N_FEATURES)).astype(np.float32)


def deployable_record(name: str, y: np.ndarray, ref: np.ndarray, n_classes: int):
    """The fixture's :class:`~tinyids.study.deployable.Deployable` (no preprocessing steps: the
    raw vector is the model input)."""
    from tinyids.study import deployable

    int8 = name == "fixture_int8"
    features = [f"f{j}" for j in range(N_FEATURES)]
    return deployable.Deployable.create(
        name=name, study="fixture", protocol="fixture", variant=name, seed=0,
        class_names=[f"c{k}" for k in range(n_classes)], raw_feature_names=features, feature_names=features,
        model_format="tflite-int8" if int8 else "c-float",
        input_quantization=deployable.quantization(IN_SCALE, IN_ZP) if int8 else None,
        output_quantization=deployable.quantization(OUT_SCALE, OUT_ZP) if int8 else None,
        decision={"rule": "argmax"}, test_rows=int(len(y)),
        metrics={"accuracy": float(np.mean(ref == y)) if len(y) else None},
        steps=[], has_predictions=True,
        description=("hand-written firmware fixture with known weights; its C is written here (no .tflite: "
                     "the C stands in for the code generator's output)" if int8 else
                     "hand-written firmware fixture with known weights (classical-export interface)"),
        extra={"fixture": True},
    )


def write_deployables(folder: str | Path, n: int = 64, seed: int = 0) -> Path:
    """Write both fixtures as deployables (``.c``, ``.h``, ``.npz``, ``.json``) into ``folder``.

    Labels are the numpy reference predictions flipped on every 10th row, so a device run has a
    known accuracy of 90% (and a wrong label never counts as a parity mismatch); the npz's
    ``y_pred`` is the numpy reference."""
    from tinyids.litert import Quantization
    from tinyids.study import deployable

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    x = vectors(n, seed)
    q = Quantization(IN_SCALE, IN_ZP).quantize(x, np.dtype(np.int8))
    for name, h, c, ref, n_classes in (
        ("fixture_int8", INT8_H, int8_c(), int8_reference(q), 2),
        ("fixture_float", FLOAT_H, float_c(), float_reference(x), 3),
    ):
        (folder / f"{name}.h").write_text(h)
        (folder / f"{name}.c").write_text(c)
        y = ref.copy()
        y[::10] = (y[::10] + 1) % n_classes
        np.savez(folder / f"{name}.npz", X_test=x, y_test=y.astype(np.int64), y_pred=ref.astype(np.int64))
        deployable.write(deployable_record(name, y, ref, n_classes), folder / f"{name}.json")
    return folder
