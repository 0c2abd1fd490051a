"""On the Arduino Uno's MCU (ATmega328P: 16-bit int, weights in flash through PROGMEM), the
generated C computes exactly what LiteRT's reference kernels compute: built with avr-gcc and run
cycle-accurately under simavr."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from tinyids import codegen
from tinyids.codegen import synthetic
from tinyids.litert import make_interpreter, run_raw

@pytest.fixture(autouse=True)
def _avr_toolchain():
    # Not a skip: running on the ATmega328P is what this file proves; set-up installs the tools.
    if shutil.which("avr-gcc") is None or shutil.which("simavr") is None:
        pytest.fail("needs avr-gcc + avr-libc and simavr (Debian: gcc-avr avr-libc simavr; tools/setup.sh installs them)")

UNO_FLASH = 32 * 1024
UNO_SRAM = 2 * 1024

_MAIN = r"""
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include "@NAME@.h"
#define NIN TINYIDS_@M@_INPUT_SIZE
#define NOUT TINYIDS_@M@_OUTPUT_SIZE
static const int8_t vectors[@ROWS@ * NIN] PROGMEM = { @VECTORS@ };
static void put(char c) { while (!(UCSR0A & (1 << UDRE0))) {} UDR0 = c; }
static void hex(uint8_t v) { const char *d = "0123456789abcdef"; put(d[v >> 4]); put(d[v & 15]); }
int main(void)
{
    int r, i;
    int8_t in[NIN], out[NOUT];
    UCSR0B = (1 << TXEN0);
    for (r = 0; r < @ROWS@; ++r) {
        for (i = 0; i < NIN; ++i) in[i] = (int8_t)pgm_read_byte(vectors + r * NIN + i);
        i = tinyids_@m@_predict(in, out);
        { int o; for (o = 0; o < NOUT; ++o) hex((uint8_t)out[o]); }
        hex((uint8_t)i);
        hex((uint8_t)tinyids_@m@_predict_class(in));
        put('\n');
    }
    put('E'); put('\n');
    cli(); sleep_enable(); sleep_cpu();
    for (;;) {}
}
"""


def _run_on_avr(tflite: bytes, name: str, xq: np.ndarray, tmp, variant: str = "fast") -> tuple[np.ndarray, np.ndarray, dict]:
    g = codegen.generate(tflite, name, variant=variant)
    c_path, _ = codegen.write(g, tmp)
    main = (_MAIN.replace("@NAME@", name).replace("@M@", g.ident.upper()).replace("@m@", g.ident)
            .replace("@ROWS@", str(len(xq))).replace("@VECTORS@", ", ".join(str(int(v)) for v in xq.reshape(-1))))
    (tmp / "main.c").write_text(main)
    elf = tmp / "prog.elf"
    subprocess.run(["avr-gcc", "-mmcu=atmega328p", "-Os", "-std=gnu99", "-Wall", "-Wextra", "-Werror",
                    f"-I{tmp}", str(tmp / "main.c"), str(c_path), "-o", str(elf)], check=True,
                   capture_output=True, text=True)
    size = subprocess.run(["avr-size", str(elf)], check=True, capture_output=True, text=True).stdout
    text, data, bss = (int(v) for v in size.strip().splitlines()[-1].split()[:3])
    run = subprocess.run(["simavr", "-m", "atmega328p", "-f", "16000000", str(elf)], capture_output=True,
                         text=True, timeout=120)
    clean = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    lines = re.findall(r"^([0-9a-f]+)\.?$", clean, flags=re.M)
    width = 2 * (g.output_size + 2)
    rows = [ln for ln in lines if len(ln) == width]
    assert len(rows) == len(xq), clean[-2000:]
    raw = np.array([[int(r[i:i + 2], 16) for i in range(0, width, 2)] for r in rows], dtype=np.uint8).astype(np.int8)
    # predict_class returns what predict returns, on the board too
    np.testing.assert_array_equal(raw[:, -1], raw[:, -2])
    return raw[:, :-2], raw[:, -2].astype(np.int64), {"text": text, "data": data, "bss": bss, "gen": g}


def _int8_inputs(seed: int, n_in: int, rows: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xq = rng.integers(-128, 128, size=(rows, n_in)).astype(np.int8)
    xq[0], xq[1] = -128, 127
    return xq


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["fast", "reference"])
@pytest.mark.parametrize("kind", ["cnn_softmax", "mlp_sigmoid"])
def test_generated_c_is_bit_exact_on_the_atmega328p(kind, variant, tmp_path):
    if kind == "cnn_softmax":
        model, n_in = synthetic.cnn_model(11, 7, 20, 3, 2, 5, weight_scale=2.0), 7
    else:
        model, n_in = synthetic.mlp_model(12, 16, (24, 12), 1, weight_scale=2.0), 16
    flat = synthetic.convert_int8(model, synthetic.features(5, 200, n_in))
    xq = _int8_inputs(7, n_in, 40)
    out, cls, info = _run_on_avr(flat, kind, xq, tmp_path, variant)
    ref = run_raw(make_interpreter(flat, reference_kernels=True), xq).reshape(len(xq), -1)
    np.testing.assert_array_equal(out, ref)
    g = info["gen"]
    if g.output_size == 1:
        np.testing.assert_array_equal(cls, (ref[:, 0].astype(int) >= g.positive_threshold).astype(int))
    else:
        np.testing.assert_array_equal(cls, ref.argmax(axis=1))
    # the whole program (model, test vectors, UART) fits the Uno; weights stay out of SRAM
    assert info["text"] + info["data"] <= UNO_FLASH
    assert info["data"] + info["bss"] <= UNO_SRAM
    assert info["bss"] >= g.scratch_bytes


# (seed, features, filters, kernel, pool, classes, padding, hidden, weight scale): random shapes
# and weights, as the host property test draws them; a few hundred vectors each
RANDOM_AVR_MODELS = [
    (101, 9, 6, 3, 2, 3, "valid", 0, 1.5),
    (202, 12, 4, 5, 2, 4, "same", 8, 3.0),
    (303, 7, 20, 6, 2, 5, "valid", 0, 0.7),
    (404, 16, 20, 6, 2, 5, "valid", 0, 1.0),  # the tMO shape (kernels/tinyids_rq16.h on the conv)
    (505, 16, 20, 6, 2, 5, "valid", 0, 4.0),
]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["fast", "reference"])
@pytest.mark.parametrize("params", RANDOM_AVR_MODELS, ids=lambda p: f"seed{p[0]}")
def test_random_models_are_bit_exact_on_the_atmega328p_with_16_bit_int(params, variant, tmp_path):
    """Property test under simavr: random int8 CNNs (random shapes, weights and zero points),
    300 random int8 input vectors each (both extremes included), every output byte and the class
    of predict and of predict_class equal LiteRT's reference kernels on the host."""
    seed, n_in, filters, kernel, pool, classes, padding, hidden, scale = params
    model = synthetic.cnn_model(seed, n_in, filters, kernel, pool, classes, padding=padding, hidden=hidden,
                                weight_scale=scale)
    flat = synthetic.convert_int8(model, synthetic.features(seed, 200, n_in))
    xq = _int8_inputs(seed, n_in, 300)
    out, cls, info = _run_on_avr(flat, f"rnd{seed}", xq, tmp_path, variant)
    ref = run_raw(make_interpreter(flat, reference_kernels=True), xq).reshape(len(xq), -1)
    np.testing.assert_array_equal(out, ref)
    g = info["gen"]
    want = (ref[:, 0].astype(int) >= g.positive_threshold).astype(int) if g.output_size == 1 else ref.argmax(axis=1)
    np.testing.assert_array_equal(cls, want)
    if variant == "fast" and n_in == 16:  # the narrow requantization ran (not vacuous)
        assert "= tinyids_rq16_int8(" in g.source


@pytest.mark.slow
def test_fast_softmax_kernel_is_used_and_bit_exact_on_the_atmega328p(tmp_path):
    """The fast variant computes SOFTMAX with tinyids_softmax_fast (kernels/tinyids_softmax_fast.h:
    no 64-bit arithmetic), the reference variant with tinyids_softmax; on the ATmega328P every
    output byte of the fast variant equals LiteRT's reference kernels (a tMO-shaped model, 300
    vectors)."""
    model = synthetic.cnn_model(404, 16, 20, 6, 2, 5, padding="valid", hidden=0, weight_scale=1.0)
    flat = synthetic.convert_int8(model, synthetic.features(404, 200, 16))
    ref_src = codegen.generate(flat, "smf", variant="reference").source
    calls = re.compile(r"^ +(tinyids_softmax(?:_fast)?)\(", re.M)
    assert calls.findall(ref_src) == ["tinyids_softmax"] and "tinyids_softmax_fast" not in ref_src
    xq = _int8_inputs(405, 16, 300)
    out, cls, info = _run_on_avr(flat, "smf", xq, tmp_path, "fast")
    g = info["gen"]
    assert calls.findall(g.source) == ["tinyids_softmax_fast"]
    assert any(s.startswith("SOFTMAX") and "tinyids_softmax_fast" in s for s in g.info["specialised"])
    ref = run_raw(make_interpreter(flat, reference_kernels=True), xq).reshape(len(xq), -1)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(cls, ref.argmax(axis=1))
    # not vacuous: rows where the softmax output is neither saturated nor all in one class
    assert np.sum((out > -128) & (out < 127)) >= 100
