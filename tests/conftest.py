"""Shared fixtures: the real-data mirror, small real slices, and ONE smoke run of the workflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401  (sets TF_USE_LEGACY_KERAS before any test imports TensorFlow)

REPO = Path(__file__).resolve().parents[1]
# Copied into the smoke working copy: everything the workflow reads, nothing it writes.
WORKFLOW_PATHS = ("Snakefile", "config", "workflow", "envs", "profiles", "firmware")
SMOKE_TIMEOUT_S = int(os.environ.get("TINYIDS_SMOKE_TIMEOUT_S", "2400"))


def _mirror() -> Path:
    return Path(os.environ.get("TINYIDS_DATA_MIRROR", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def data_mirror() -> Path:
    mirror = _mirror()
    if not (mirror / "nsl-kdd").is_dir():
        pytest.fail(
            f"the real-data mirror is missing at {mirror}: set TINYIDS_DATA_MIRROR to the folder "
            "holding nsl-kdd/ and wustl-ehms-2020/ (see README, Data)"
        )
    return mirror


@pytest.fixture(scope="session")
def nslkdd_train_frame(data_mirror: Path):
    from tinyids.datasets import nslkdd

    return nslkdd.load(data_mirror / "nsl-kdd" / "KDDTrain+_20Percent.txt.gz")


@pytest.fixture(scope="session")
def nslkdd_test_frame(data_mirror: Path):
    from tinyids.datasets import nslkdd

    return nslkdd.load(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz")


@pytest.fixture(scope="session")
def wustl_frame(data_mirror: Path):
    from tinyids.datasets import wustl

    return wustl.load(data_mirror / "wustl-ehms-2020" / "wustl-ehms-2020_with_attacks_categories.csv.gz")


@pytest.fixture(scope="session")
def smoke_config(smoke_run: Path) -> dict:
    """The configuration the smoke run used: config.yaml with smoke.yaml merged over it."""
    import yaml

    from tinyids.config import deep_merge

    merged: dict = {}
    for name in ("config.yaml", "smoke.yaml"):
        deep_merge(merged, yaml.safe_load((smoke_run / "config" / name).read_text()))
    return merged


def snakemake_command() -> list[str]:
    return [sys.executable, "-m", "snakemake"]


def copy_workflow(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".pio", ".platformio", "__pycache__", ".snakemake")
    for name in WORKFLOW_PATHS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def run_snakemake(workdir: Path, *args: str, timeout: int = SMOKE_TIMEOUT_S, env: dict | None = None):
    full_env = {**os.environ, "TINYIDS_DATA_MIRROR": str(_mirror()), **(env or {})}
    return subprocess.run(
        [*snakemake_command(), "--directory", str(workdir), *args],
        cwd=workdir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real workflow, run once on config/smoke.yaml in a copy of the repository.

    TINYIDS_SMOKE_WORKDIR reuses (and updates incrementally) a working copy across pytest runs,
    which makes iterating on one stage's assertions fast.
    """
    reuse = os.environ.get("TINYIDS_SMOKE_WORKDIR")
    workdir = Path(reuse) if reuse else tmp_path_factory.mktemp("smoke") / "tinyids"
    copy_workflow(workdir)
    started = time.monotonic()
    result = run_snakemake(workdir, "--configfile", "config/smoke.yaml", "--cores", "2")
    elapsed = time.monotonic() - started
    (workdir / "smoke_run.log").write_text(result.stdout + result.stderr)
    (workdir / "smoke_run.seconds").write_text(f"{elapsed:.1f}\n")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-80:])
        pytest.fail(f"smoke workflow failed (exit {result.returncode}) after {elapsed:.0f} s:\n{tail}")
    print(f"\nsmoke workflow finished in {elapsed:.0f} s at {workdir}")
    return workdir


# the idrissi2022 stand-in's 0/1 "logged_in" column plays the categorical uniflow column "proto"
STANDIN_UNIFLOW_SEED = 3


@pytest.fixture(scope="session")
def standin_uniflow_features() -> list[str]:
    from tinyids.idrissi2022 import standin

    return [("proto" if f == "logged_in" else f) for f in standin.FEATURES]


@pytest.fixture(scope="session")
def standin_uniflow_frame(data_mirror) -> pd.DataFrame:
    """A small real table (NSL-KDD rows in the uniflow stand-in's shape) with a text ``proto``."""
    from tinyids.idrissi2022 import standin

    frame = standin.load(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz", per_class=80, seed=0)
    frame["proto"] = np.where(frame.pop("logged_in") > 0, "tcp", "udp")
    return frame


@pytest.fixture(scope="session")
def standin_uniflow_prepared(standin_uniflow_frame, standin_uniflow_features):
    from tinyids.idrissi2022 import protocols, standin

    return protocols.prepare(standin_uniflow_frame.copy(), protocol="dedup", features=standin_uniflow_features,
                             classes=standin.CLASSES, seed=STANDIN_UNIFLOW_SEED,
                             split={"train": 0.6, "val": 0.2, "test": 0.2}, chi2_k=7)
