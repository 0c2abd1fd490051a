"""idrissi2022 TFLM arena search: the bisection logic, and probes that die instead of raising."""

from __future__ import annotations

import pytest

from tinyids.idrissi2022 import arena


def fake_probe(threshold: int, calls: list[int]):
    def probe(model, size, sample, timeout_s=60.0):
        calls.append(int(size))
        ok = size >= threshold
        return ok, {"arena": int(size), "ok": ok, **({"output": [1.0]} if ok else {})}

    return probe


@pytest.mark.parametrize("threshold", [1, 100, 1000, 1024, 1025, 3000, 70_000])
def test_bisection_returns_the_threshold_to_within_the_granularity(monkeypatch, threshold):
    calls: list[int] = []
    monkeypatch.setattr(arena, "probe", fake_probe(threshold, calls))
    result = arena.bisect("m.tflite", "s.npy", high=1024, limit=1 << 20, granularity=16)
    assert result.arena_bytes is not None
    assert threshold <= result.arena_bytes < threshold + 16 or result.arena_bytes == threshold
    assert result.output == [1.0]
    assert len(calls) == len(result.probes) < 40


def test_bisection_gives_up_above_the_limit(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(arena, "probe", fake_probe(10**9, calls))
    result = arena.bisect("m.tflite", "s.npy", high=1024, limit=8192, granularity=16)
    assert result.arena_bytes is None and max(calls) == 8192


def test_a_probe_whose_subprocess_fails_is_a_failed_probe_and_the_parent_survives(tmp_path):
    # A model file TFLM cannot parse: the subprocess fails (raises or aborts), the parent reports it.
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    sample = tmp_path / "s.npy"
    import numpy as np

    np.save(sample, np.zeros((1, 16, 1), dtype=np.int8))
    ok, details = arena.probe(bad, 4096, sample, timeout_s=60)
    assert ok is False and details["ok"] is False
    assert details.get("returncode", 0) != 0 or details.get("why")
