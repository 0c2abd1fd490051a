"""The tinyids command line: help, config check, and errors as one clear line with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinyids.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("check-config", "fetch", "inspect"):
        assert command in out


def test_check_config_accepts_smoke_and_rejects_a_bad_key(tmp_path: Path, capsys):
    assert main(["check-config", str(REPO / "config" / "smoke.yaml")]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets:\n  nan_policy: sometimes\n")
    assert main(["check-config", str(bad)]) == 2
    assert "datasets.nan_policy: 'sometimes' is not one of" in capsys.readouterr().err


def test_fetch_from_mirror_verifies_and_reports_origin(data_mirror: Path, tmp_path: Path, capsys):
    dest = tmp_path / "KDDTest-21.txt"
    assert main(["fetch", "nsl-kdd", "KDDTest-21.txt", "--dest", str(dest), "--mirror", str(data_mirror)]) == 0
    assert "verified" in capsys.readouterr().out and dest.stat().st_size == 1814092
