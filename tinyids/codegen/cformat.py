"""C spelling of names, literals and constant arrays for the generated source.

Constant arrays are declared ``static const T name[N] TINYIDS_CONST`` (flash on AVR and the
ESP8266 core, see ``kernels/tinyids_platform.h``) and collected in a :class:`ConstantPool`,
which also counts their bytes and the largest element count (that decides the index type).
"""

from __future__ import annotations

import re

import numpy as np

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.model import CodegenError

MAX_ELEMENTS = 32767  # larger tensors or arrays switch indices from int to int32_t (16-bit int on AVR)
CTYPE_BYTES = {"int8_t": 1, "int16_t": 2, "int32_t": 4, "float": 4}


def c_identifier(name: str) -> str:
    ident = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    if not ident:
        raise CodegenError(f"model name {name!r} gives no C identifier")
    if ident[0].isdigit():
        ident = "m" + ident
    return ident


def c_comment(text: str) -> str:
    """``text`` safe inside a ``/* ... */`` comment."""
    return str(text).replace("*/", "* /")


def macro_keys(names) -> list[str]:
    """Distinct upper-case C identifiers for ``names`` (a clash gets trailing ``_``)."""
    seen: set[str] = set()
    keys = []
    for n in names:
        key = c_identifier(str(n)).upper()
        while key in seen:
            key += "_"
        seen.add(key)
        keys.append(key)
    return keys


def int_list(values, per_line: int = 16) -> str:
    vals = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "    " + ",\n    ".join(lines)


def i32_literal(v: int) -> str:
    v = int(v)
    if v == fx.INT32_MIN:
        return "INT32_MIN"
    return f"INT32_C({v})"


def i32_list(values) -> str:
    vals = [i32_literal(v) for v in np.asarray(values).reshape(-1)]
    lines = [", ".join(vals[i:i + 6]) for i in range(0, len(vals), 6)]
    return "    " + ",\n    ".join(lines)


def float_literal(v: float) -> str:
    """A double literal that reads back as exactly ``v`` (Python's shortest repr)."""
    s = repr(float(v))
    if "e" not in s and "." not in s and "inf" not in s and "nan" not in s:
        s += ".0"
    return s


def f32_list(values) -> str:
    return "    " + ",\n    ".join(float_literal(float(np.float32(v))) + "f" for v in values)


class ConstantPool:
    """The model's constant arrays, in declaration order, in two sections: ``int8`` (what
    ``predict()`` reads) and ``float`` (what ``preprocess()`` reads; left out of the build with
    the float API under ``TINYIDS_INT8_ONLY``)."""

    SECTIONS = ("int8", "float")

    def __init__(self, ident: str):
        self.ident = ident
        self.sections: dict[str, list[str]] = {s: [] for s in self.SECTIONS}
        self.count = 0
        self.const_bytes = 0
        self.max_elements = 0

    @property
    def declarations(self) -> list[str]:
        return self.sections["int8"]

    def note_elements(self, n: int) -> None:
        self.max_elements = max(self.max_elements, int(n))

    @property
    def wide(self) -> bool:
        """Whether some index reaches 32768 (``int`` is 16 bits on AVR): then ``int32_t``."""
        return self.max_elements > MAX_ELEMENTS

    def array(self, ctype: str, values, what: str, section: str = "int8") -> str:
        """Declare a constant array in ``section``; returns its C name."""
        values = np.asarray(values).reshape(-1)
        if values.size == 0:
            raise CodegenError(f"empty constant array for {what}")
        if ctype not in CTYPE_BYTES:
            raise CodegenError(f"no constant arrays of C type {ctype} ({what})")
        self.note_elements(values.size)
        if section not in self.sections:
            raise CodegenError(f"no constant section {section!r} ({what})")
        name = f"tinyids_{self.ident}_c{self.count}"
        self.count += 1
        if ctype == "int32_t":
            body = i32_list(values)
        elif ctype == "float":
            body = f32_list(values)
        else:
            body = int_list(values)
        self.sections[section].append(
            f"/* {c_comment(what)} */\nstatic const {ctype} {name}[{values.size}] TINYIDS_CONST = {{\n{body}\n}};\n")
        self.const_bytes += int(values.size) * CTYPE_BYTES[ctype]
        return name
