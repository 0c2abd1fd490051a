"""Faults: a job SIGKILLed mid-run leaves nothing a later run takes as complete, and the rerun
reproduces the uninterrupted run's metrics; workflow-level bad input fails before any job runs
or inside its job, with the error named and no output left.

Works on a COPY of the finished smoke run (its .snakemake metadata and file times included).
The victim is a training job (the first rule of VICTIM_RULES with a job in the smoke run):
its script process, found in the process tree of the snakemake we launched, gets SIGKILL once
its log shows it is under way.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from conftest import _mirror, run_snakemake, snakemake_command
from test_slurm import METRIC_SUFFIXES, compare_file

pytestmark = pytest.mark.workflow

VICTIM_RULES = tuple(os.environ.get("TINYIDS_FAULT_RULES", "").split()) or (
    "ibrahim2025_train_full", "idrissi2022_train", "srm2025_fit", "prepare_nslkdd")
SMOKE = ("--configfile", "config/smoke.yaml")
JOB_TIMEOUT_S = 900


# ---------------------------------------------------------------- helpers
def detailed_summary(workdir: Path) -> list[dict[str, str]]:
    result = run_snakemake(workdir, *SMOKE, "--cores", "1", "--detailed-summary", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    return [dict(zip(lines[0], row)) for row in lines[1:]]


def victim_job(workdir: Path) -> tuple[str, str, list[str]]:
    """(rule, its log file, its outputs) of the first job of the first VICTIM_RULES rule present."""
    rows = detailed_summary(workdir)
    for rule in VICTIM_RULES:
        jobs: dict[str, list[str]] = {}
        for row in rows:
            if row["rule"] == rule and row["status"] == "ok":
                jobs.setdefault(row["log-file(s)"], []).append(row["output_file"])
        if jobs:
            log = sorted(jobs)[0]
            return rule, log.split(",")[0], sorted(jobs[log])
    pytest.fail(f"none of {VICTIM_RULES} has a job in the smoke run")


def dry_run_rules(workdir: Path, *args: str) -> set[str]:
    result = run_snakemake(workdir, *SMOKE, "--cores", "1", "-n", *args, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return set(re.findall(r"^(?:local)?rule (\w+):$", result.stdout, flags=re.M))


def launch(workdir: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TINYIDS_DATA_MIRROR": str(_mirror())}
    return subprocess.Popen(
        [*snakemake_command(), "--directory", str(workdir), *SMOKE, "--cores", "1", *args],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )


def wait_for_job_process(proc: subprocess.Popen, log: Path, timeout: float = JOB_TIMEOUT_S) -> psutil.Process:
    """The job's own process (a descendant of `proc` running a .snakemake/scripts file), once its
    rule log shows it is under way."""
    deadline = time.monotonic() + timeout
    parent = psutil.Process(proc.pid)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"snakemake ended (exit {proc.returncode}) before the job could be killed:\n"
                        f"{proc.stdout.read()[-3000:]}")
        try:
            for child in parent.children(recursive=True):
                if any(".snakemake/scripts/" in part for part in child.cmdline()):
                    if log.is_file() and log.stat().st_size > 0:
                        return child
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.2)
    pytest.fail("the victim job never got under way")


@pytest.fixture(scope="module")
def fault_copy(smoke_run: Path, tmp_path_factory: pytest.TempPathFactory):
    dest = tmp_path_factory.mktemp("faults") / "tinyids"
    shutil.copytree(smoke_run, dest, symlinks=True)
    rule, log, outputs = victim_job(dest)
    reference = tmp_path_factory.mktemp("faults-reference")
    for out in outputs:
        (reference / out).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dest / out, reference / out)
    return dest, rule, dest / log, outputs, reference


def _check_rerun_reproduces(workdir: Path, rule: str, outputs: list[str], reference: Path, extra: tuple = ()):
    rerun = run_snakemake(workdir, *SMOKE, "--cores", "1", *extra, *outputs, timeout=JOB_TIMEOUT_S)
    assert rerun.returncode == 0, f"the rerun after the kill failed:\n{(rerun.stdout + rerun.stderr)[-4000:]}"
    verdicts = {}
    for out in outputs:
        if Path(out).suffix in METRIC_SUFFIXES:
            verdicts[out] = compare_file(workdir / out, reference / out, workdir, reference)
        else:  # models and arrays: reported, not asserted (see docs/CLUSTER.md, Determinism)
            same = (workdir / out).read_bytes() == (reference / out).read_bytes()
            verdicts[out] = ("identical" if same else "bytes differ (not a metric file)", [])
    different = {o: v[1] for o, v in verdicts.items() if v[0] == "different"}
    assert not different, f"{rule}: rerun metrics differ from the uninterrupted run: {different}"
    print(f"\n{rule} rerun vs uninterrupted run: {verdicts}")
    assert not dry_run_rules(workdir, *outputs), "after the rerun nothing should be left to do"


# ---------------------------------------------------------------- tests
def test_sigkill_of_the_job_process_leaves_no_complete_looking_output_and_rerun_reproduces_it(fault_copy):
    workdir, rule, log, outputs, reference = fault_copy
    log.unlink(missing_ok=True)
    proc = launch(workdir, "--forcerun", *outputs, "--", *outputs)
    try:
        victim = wait_for_job_process(proc, log)
        time.sleep(1.0)  # inside the job's work, past its imports and first log line
        victim.send_signal(signal.SIGKILL)
        output, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0, f"snakemake did not notice the killed job:\n{output[-3000:]}"
    assert f"Error in rule {rule}" in output, output[-3000:]
    left = [o for o in outputs if (workdir / o).exists()]
    assert not left, f"Snakemake left outputs of the killed job: {left}"
    assert rule in dry_run_rules(workdir, *outputs), "a later run does not redo the killed job"
    strays = sorted(str(p.relative_to(workdir)) for o in outputs for p in (workdir / o).parent.glob(f".{Path(o).name}.*.tmp"))
    print(f"\nkilled {rule} (pid {victim.pid}); temporary files left by atomic writes: {strays or 'none'}")
    _check_rerun_reproduces(workdir, rule, outputs, reference)


def test_sigkill_of_snakemake_and_job_marks_outputs_incomplete_and_rerun_incomplete_recovers(fault_copy):
    """A crash of the whole run (node loss): Snakemake cannot clean up, its incomplete markers do."""
    workdir, rule, log, outputs, reference = fault_copy
    log.unlink(missing_ok=True)
    proc = launch(workdir, "--forcerun", *outputs, "--", *outputs)
    try:
        victim = wait_for_job_process(proc, log)
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGKILL)  # snakemake and its job, at once
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not victim.is_running() or victim.status() == psutil.STATUS_ZOMBIE
    left = [o for o in outputs if (workdir / o).exists()]
    # Without --rerun-incomplete (no profile) Snakemake refuses outputs it did not see finish ...
    strict = run_snakemake(workdir, *SMOKE, "--workflow-profile", "none", "--cores", "1", "-n", *outputs, timeout=600)
    strict_text = strict.stdout + strict.stderr
    if left:
        assert strict.returncode != 0 and "incomplete" in strict_text.lower(), (
            f"outputs {left} of the crashed job are not flagged incomplete:\n{strict_text[-3000:]}")
    else:
        assert f"rule {rule}:" in strict_text, strict_text[-3000:]
    locks = list((workdir / ".snakemake" / "locks").glob("*"))
    assert locks, "the killed run left no lock: nothing would stop a second run from racing it"
    unlock = run_snakemake(workdir, *SMOKE, "--unlock", timeout=600)
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    # ... and with it (profiles/default sets rerun-incomplete: true) the job is scheduled again.
    assert rule in dry_run_rules(workdir, *outputs), "outputs of the crashed job are taken as complete"
    _check_rerun_reproduces(workdir, rule, outputs, reference, extra=("--rerun-incomplete",))


def test_unknown_config_key_fails_before_any_job_and_names_the_key(fault_copy):
    workdir = fault_copy[0]
    result = run_snakemake(workdir, *SMOKE, "--cores", "1", "-n", "--config", "srm2025={bogus_key: 1}", timeout=600)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "invalid configuration" in message and "srm2025: Additional properties are not allowed ('bogus_key' was unexpected)" in message
    assert "Job stats" not in message


def test_bad_dataset_cell_fails_its_job_names_row_and_column_and_leaves_no_table(fault_copy):
    workdir = fault_copy[0]
    csv = workdir / "resources/data/wustl-ehms-2020/wustl-ehms-2020_with_attacks_categories.csv"
    original, before = csv.read_bytes(), csv.stat()
    lines = original.decode().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    cells[header.index("SrcBytes")] = "lots"
    lines[1] = ",".join(cells) + "\n"
    outputs = ["results/data/wustl-ehms-2020/wustl-ehms-2020.parquet", "results/data/wustl-ehms-2020/card.json",
               "results/data/wustl-ehms-2020/card.md"]
    try:
        csv.write_text("".join(lines))
        result = run_snakemake(workdir, *SMOKE, "--cores", "1", *outputs, timeout=JOB_TIMEOUT_S)
        message = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Error in rule prepare_wustl" in message
        assert (f"DataError: resources/data/wustl-ehms-2020/wustl-ehms-2020_with_attacks_categories.csv: "
                f"column 'SrcBytes' has non-numeric cells at row(s) 2 (e.g. 'lots')") in \
            (workdir / "logs/data/prepare_wustl.log").read_text()
        assert not [o for o in outputs if (workdir / o).exists()], "a table or card survived the failed job"
    finally:
        csv.write_bytes(original)
        os.utime(csv, ns=(before.st_atime_ns, before.st_mtime_ns))
    # Restore what the test removed, so the copy stays a complete run for the other tests.
    restore = run_snakemake(workdir, *SMOKE, "--cores", "1", *outputs, timeout=JOB_TIMEOUT_S)
    assert restore.returncode == 0, restore.stderr[-3000:]
