"""Atomic writes: a failing writer leaves neither the target nor a temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinyids.fileio import atomic_path, write_json_atomic


def test_failed_write_leaves_no_partial_output(tmp_path: Path):
    target = tmp_path / "out" / "metrics.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half a row")
            raise RuntimeError("killed mid-write")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_successful_write_replaces_target(tmp_path: Path):
    target = tmp_path / "m.json"
    target.write_text("old")
    write_json_atomic(target, {"accuracy": 0.5})
    assert '"accuracy": 0.5' in target.read_text()
