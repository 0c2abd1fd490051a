"""int8 .tflite to self-contained C99, bit-exact with TFLite's reference kernels.

Python API
    ``generate(model, name, deployable=None, *, variant="fast", unroll_limit=4096) -> Generated``:
    ``variant`` "fast" (specialised, unrolled, conv + max-pool fused, 32-bit requantization:
    ``ops/fast.py``, ``requant.py``, ``kernels/tinyids_rq32.h``) or "reference" (the generic
    kernels); both bit-exact. Read the flatbuffer (``tflite``
    parser), return the C source, the header and the facts a build needs (scratch bytes,
    constant bytes, quantization, operators). ``deployable`` is a
    :class:`tinyids.study.deployable.Deployable`: class and feature names, the decision rule
    (``threshold`` with its int8 value, or ``argmax``) and the typed preprocessing steps; its
    prose descriptions are never read. Raises :class:`CodegenError` naming the operator, option
    or tensor it cannot compile exactly, or the deployable key that does not fit the model.
    ``write(generated, folder)`` writes ``<name>.c`` and ``<name>.h``.
    ``tinyids.codegen.host``: the compiler runner and object-size reader (``run_tool``,
    ``compile_c``, ``object_size``), host build (``gcc -Wall -Wextra -Werror -std=c99
    -pedantic``), parity against LiteRT ``BUILTIN_REF``, latency, sizes on cross compilers.
    ``tinyids.codegen.pipeline``: the workflow steps (rules in ``workflow/rules/codegen.smk``).

Parts: the kernels are real C99 files (``kernels/tinyids_*.h``, each family unit-tested in C in
``tests/c`` on the host and on AVR under simavr), inlined into each generated source by
``source``; ``ops`` holds one emitter per operator, ``buffers`` the scratch planner,
``preprocess`` the Deployable's steps as C, ``emit`` the graph walk.

C API (``<m>`` = the name lowercased, non-alphanumerics as ``_``; macros ``TINYIDS_<M>_*``)
    ``int tinyids_<m>_predict(const int8_t *in, int8_t *out)``: int8 in, int8 out, returns the
    class (argmax; one output: ``out[0] >= TINYIDS_<M>_POSITIVE_THRESHOLD``).
    ``int tinyids_<m>_predict_class(const int8_t *in)``: the same class without the outputs; the
    fast variant skips the final SOFTMAX/LOGISTIC where ``classonly`` proves the logits decide. Static scratch of
    ``TINYIDS_<M>_SCRATCH_BYTES``, no malloc, no float, only ``<stdint.h>``; not reentrant.
    ``void tinyids_<m>_quantize_input(const float *x, int8_t *q)`` and
    ``int tinyids_<m>_predict_float(const float *x, int8_t *out)``: float features as fed to
    the model (round half to even, as ``tinyids.litert.Quantization``).
    ``void tinyids_<m>_preprocess(const float *raw, float *x)``: when the deployable has numeric
    preprocessing steps (``offset_scale``, ``minmax``, ``standard``, ``log1p``, ``l2``, ``pca``,
    ``select``, in any order); ``TINYIDS_<M>_RAW_SIZE`` and ``TINYIDS_<M>_RAW_<FEATURE>``.
    ``encode`` steps happen on the host (documented in the header). Only ``log1p`` needs libm.
    Defining ``TINYIDS_INT8_ONLY`` leaves the float functions out of the build.
    Macros: ``INPUT_SIZE``, ``OUTPUT_SIZE``, ``SCRATCH_BYTES``, ``CONST_BYTES``,
    ``INPUT_SCALE``/``INPUT_ZERO_POINT``, ``OUTPUT_SCALE``/``OUTPUT_ZERO_POINT``,
    ``NUM_CLASSES``, ``FEATURE_<NAME>`` (input order).

Portability layer (``kernels/tinyids_platform.h``, inlined in each .c): constants are
``static const T x[N] TINYIDS_CONST`` read via ``TINYIDS_READ_I8/I16/I32/F32(ptr)``:
``PROGMEM`` + ``pgm_read_*`` on AVR and the Arduino ESP8266 core, plain ``const``/dereference
elsewhere; define ``TINYIDS_CONST`` and the four readers before compiling to override (e.g. a
bare-metal ESP8266 placing constants in flash).
"""

from tinyids.codegen.emit import SUPPORTED_OPS, VARIANTS, Generated, c_identifier, generate
from tinyids.codegen.model import CodegenError, load_graph

__all__ = ["SUPPORTED_OPS", "VARIANTS", "CodegenError", "Generated", "c_identifier", "generate", "load_graph", "write"]


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
