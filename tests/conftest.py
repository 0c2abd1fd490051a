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


SMOKE_ARGS = ("--configfile", "config/smoke.yaml", "--cores", "2")
# The one smoke run, started in the background as soon as collection shows a test that needs it:
# it has idle gaps on two cores (jobs waiting on one another) that the unit tests, collected
# first, fill. TINYIDS_SMOKE_BACKGROUND=0 starts it only when the first workflow test asks.
_SMOKE: dict = {}


def _start_smoke(workdir: Path) -> None:
    copy_workflow(workdir)
    log = open(workdir / "smoke_run.log", "w")  # closed in _finish_smoke
    proc = subprocess.Popen(
        [*snakemake_command(), "--directory", str(workdir), *SMOKE_ARGS],
        cwd=workdir, env={**os.environ, "TINYIDS_DATA_MIRROR": str(_mirror())},
        stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    _SMOKE.update(workdir=workdir, proc=proc, log=log, started=time.monotonic())


def _stop_smoke() -> None:
    """End the background run's process group (ours: started above) if it is still running."""
    proc = _SMOKE.get("proc")
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    if _SMOKE.get("log") is not None:
        _SMOKE["log"].close()


def _smoke_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reuse = os.environ.get("TINYIDS_SMOKE_WORKDIR")
    return Path(reuse) if reuse else tmp_path_factory.mktemp("smoke") / "tinyids"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if os.environ.get("TINYIDS_SMOKE_BACKGROUND", "1") == "0" or _SMOKE or config.option.collectonly:
        return
    if any("smoke_run" in getattr(item, "fixturenames", ()) for item in items):
        _start_smoke(_smoke_workdir(config._tmp_path_factory))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _stop_smoke()


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real workflow, run once on config/smoke.yaml in a copy of the repository.

    Started in the background at collection (see _SMOKE); this fixture waits for it.
    TINYIDS_SMOKE_WORKDIR reuses (and updates incrementally) a working copy across pytest runs,
    which makes iterating on one stage's assertions fast.
    """
    if not _SMOKE:
        _start_smoke(_smoke_workdir(tmp_path_factory))
    workdir, proc = _SMOKE["workdir"], _SMOKE["proc"]
    left = SMOKE_TIMEOUT_S - (time.monotonic() - _SMOKE["started"])
    try:
        returncode = proc.wait(timeout=max(1.0, left))
    except subprocess.TimeoutExpired:
        _stop_smoke()
        returncode = None
    elapsed = time.monotonic() - _SMOKE["started"]
    if not _SMOKE["log"].closed:  # _stop_smoke (the timeout) has closed it already
        _SMOKE["log"].flush()
    (workdir / "smoke_run.seconds").write_text(f"{elapsed:.1f}\n")
    if returncode != 0:
        text = (workdir / "smoke_run.log").read_text(errors="replace")
        tail = "\n".join(text.splitlines()[-80:])
        why = "timed out" if returncode is None else f"failed (exit {returncode})"
        pytest.fail(f"smoke workflow {why} after {elapsed:.0f} s:\n{tail}")
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
