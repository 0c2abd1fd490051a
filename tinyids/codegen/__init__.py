"""int8 .tflite to self-contained C99, bit-exact with TFLite's reference kernels.

Python API
    ``generate(model, name, meta=None) -> Generated``: read the flatbuffer (``tflite`` parser),
    return the C source, the header and the facts a build needs (scratch bytes, constant bytes,
    quantization, operators). ``meta`` is the deployable's JSON (``feature_names``,
    ``class_names``, ``threshold``, ``preprocessing``). Raises :class:`CodegenError` naming the
    operator, option or tensor it cannot compile exactly.
    ``write(generated, folder)`` writes ``<name>.c`` and ``<name>.h``.
    ``tinyids.codegen.host``: host build (``gcc -Wall -Wextra -Werror -std=c99 -pedantic``),
    parity against LiteRT ``BUILTIN_REF``, latency, object sizes (host and cross compilers).
    ``tinyids.codegen.pipeline``: the workflow steps (rules in ``workflow/rules/codegen.smk``).

C API (``<m>`` = the name lowercased, non-alphanumerics as ``_``; macros ``TINYIDS_<M>_*``)
    ``int tinyids_<m>_predict(const int8_t *in, int8_t *out)``: int8 in, int8 out, returns the
    class (argmax; one output: ``out[0] >= TINYIDS_<M>_POSITIVE_THRESHOLD``). Static scratch of
    ``TINYIDS_<M>_SCRATCH_BYTES``, no malloc, no float, only ``<stdint.h>``; not reentrant.
    ``void tinyids_<m>_quantize_input(const float *x, int8_t *q)`` and
    ``int tinyids_<m>_predict_float(const float *x, int8_t *out)``: float features as fed to
    the model (round half to even, as ``tinyids.litert.Quantization``).
    ``void tinyids_<m>_preprocess(const float *raw, float *x)``: when the deployable's JSON
    carries a known preprocessing (min-max/standard scaler [+ PCA], row L2 norm [+ selection],
    per-column ``(raw - min) * scale``); ``TINYIDS_<M>_RAW_SIZE`` and ``TINYIDS_<M>_RAW_<FEATURE>``.
    Macros: ``INPUT_SIZE``, ``OUTPUT_SIZE``, ``SCRATCH_BYTES``, ``CONST_BYTES``,
    ``INPUT_SCALE``/``INPUT_ZERO_POINT``, ``OUTPUT_SCALE``/``OUTPUT_ZERO_POINT``,
    ``NUM_CLASSES``, ``FEATURE_<NAME>`` (input order).

Portability layer (in each .c): constants are ``static const T x[N] TINYIDS_CONST`` read via
``TINYIDS_READ_I8/I16/I32/F32(ptr)``: ``PROGMEM`` + ``pgm_read_*`` on AVR and the Arduino
ESP8266 core, plain ``const``/dereference elsewhere; define ``TINYIDS_CONST`` and the four
readers before compiling to override (e.g. a bare-metal ESP8266 placing constants in flash).
"""

from tinyids.codegen.emit import SUPPORTED_OPS, Generated, c_identifier, generate
from tinyids.codegen.model import CodegenError, load_graph

__all__ = ["SUPPORTED_OPS", "CodegenError", "Generated", "c_identifier", "generate", "load_graph", "write"]


def write(generated: Generated, folder) -> tuple:
    """Write ``<name>.c`` and ``<name>.h`` atomically into ``folder``; returns both paths."""
    from pathlib import Path

    from tinyids.fileio import write_text_atomic

    folder = Path(folder)
    c_path = folder / f"{generated.name}.c"
    h_path = folder / f"{generated.name}.h"
    write_text_atomic(h_path, generated.header)
    write_text_atomic(c_path, generated.source)
    return c_path, h_path
