"""Static scratch planning: one arena, buffers placed by lifetime (greedy, largest first).

A buffer lives from the operator that writes it to the last operator that reads it; two
buffers may share bytes when their lifetimes do not overlap. For the chains that converted
Keras models are, this is ping-pong between two regions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    key: int
    size: int
    first: int  # index of the writing operator
    last: int   # index of the last reading operator (>= first)


def plan(intervals: list[Interval]) -> tuple[dict[int, int], int]:
    """Offsets for every buffer and the arena size in bytes."""
    placed: list[tuple[int, Interval]] = []
    offsets: dict[int, int] = {}
    for iv in sorted(intervals, key=lambda b: (-b.size, b.first, b.key)):
        busy = sorted((off, other.size) for off, other in placed
                      if not (other.last < iv.first or iv.last < other.first))
        offset = 0
        for off, size in busy:
            if offset + iv.size <= off:
                break
            offset = max(offset, off + size)
        offsets[iv.key] = offset
        placed.append((offset, iv))
    total = max((off + iv.size for off, iv in placed), default=0)
    return offsets, total


def check(intervals: list[Interval], offsets: dict[int, int]) -> None:
    """Assert that no two live buffers overlap (used by the tests)."""
    for a in intervals:
        for b in intervals:
            if a.key >= b.key or a.last < b.first or b.last < a.first:
                continue
            oa, ob = offsets[a.key], offsets[b.key]
            if oa < ob + b.size and ob < oa + a.size:
                raise AssertionError(f"buffers {a.key} and {b.key} overlap while both live")
