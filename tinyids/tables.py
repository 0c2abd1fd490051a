"""The one number formatter of every human-readable table (Markdown, HTML) the studies and the
report write, with one marker for a missing value.

Rules: a missing value (None, NaN, an infinity, an empty string) is ``MISSING``; text is kept;
whole numbers of magnitude 2 or more, and any number of magnitude 1000 or more, are written as
integers with thousands separators (``26,365``); other numbers get ``digits`` decimals when
given, else four significant digits.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

MISSING = "n/a"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return not math.isfinite(float(value))
    try:  # pandas.NA, numpy scalars outside numbers.Number
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def fmt(value: Any, digits: int | None = None) -> str:
    """``value`` as a table cell (see the module docstring)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    number = float(value)
    if abs(number) >= 1000 or (number.is_integer() and abs(number) >= 2):
        return f"{number:,.0f}"
    if digits is not None:
        return f"{number:.{digits}f}"
    return f"{number:.4g}"


def fmt_mean_sd(mean: Any, sd: Any, n: Any, digits: int | None = None) -> str:
    """``mean ± sd (n=N)``; the sd is left out when it is missing (a single run)."""
    if is_missing(mean):
        return MISSING
    text = fmt(mean, digits)
    if not is_missing(sd):
        text += f" ± {fmt(sd, digits)}"
    if not is_missing(n):
        text += f" (n={int(n)})"
    return text
