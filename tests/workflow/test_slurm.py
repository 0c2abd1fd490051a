"""The smoke workflow through a real single-node SLURM (`--executor slurm`, profiles/slurm).

tests/cluster/slurm_up.sh starts munged, slurmctld and slurmd from Debian's packages (by hand,
loopback only, PID files in a temporary folder); the fixture's finalizer stops exactly those
PIDs with slurm_down.sh. Without root or the packages the test FAILS and names the command that
fixes it: it never skips silently.

What runs through SLURM (docs/CLUSTER.md): by default the data stage plus the srm2025 study
(every output of the srm2025 rules and what they need), which keeps CI time reasonable on two
cores; TINYIDS_SLURM_STAGES="data ibrahim2025 ..." picks other stages, TINYIDS_SLURM_STAGES=all
runs the whole smoke DAG (`rule all`).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import SMOKE_TIMEOUT_S, copy_workflow, run_snakemake

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
CLUSTER = REPO / "tests" / "cluster"
BINARIES = {  # command -> Debian package
    "munged": "munge", "slurmctld": "slurmctld", "slurmd": "slurmd", "sbatch": "slurm-client",
    "squeue": "slurm-client", "srun": "slurm-client", "scontrol": "slurm-client", "sinfo": "slurm-client",
}
APT_FIX = "sudo apt-get update && sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"
METRIC_SUFFIXES = {".json", ".csv", ".tsv", ".parquet"}


# ---------------------------------------------------------------- the cluster
@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory):
    """(state folder, environment for clients) of a running single-node SLURM; stopped afterwards."""
    if os.geteuid() != 0:
        pytest.fail(
            "the SLURM test needs root to start slurmd/munged (CI runs as root); run the suite as root, "
            "e.g. `sudo -E make test`, or on a machine where you are root"
        )
    missing = sorted({pkg for cmd, pkg in BINARIES.items() if shutil.which(cmd) is None})
    if missing:
        pytest.fail(f"the SLURM test needs the Debian packages {', '.join(missing)}; install them with:\n  {APT_FIX}")
    state = tmp_path_factory.mktemp("slurm")
    try:
        up = subprocess.run(
            [str(CLUSTER / "slurm_up.sh"), str(state)], capture_output=True, text=True, timeout=180
        )
        if up.returncode != 0:
            pytest.fail(f"tests/cluster/slurm_up.sh failed (exit {up.returncode}):\n{up.stdout}{up.stderr}")
        print(up.stdout)
        env = {"SLURM_CONF": str(state / "slurm.conf"), "PATH": f"{state / 'bin'}:{os.environ['PATH']}"}
        yield state, env
    finally:
        down = subprocess.run(
            [str(CLUSTER / "slurm_down.sh"), str(state)], capture_output=True, text=True, timeout=120
        )
        print(down.stdout + down.stderr)


def test_cluster_has_one_idle_node_on_loopback(slurm_cluster):
    state, env = slurm_cluster
    full_env = {**os.environ, **env}
    sinfo = subprocess.run(["sinfo", "-h", "-o", "%N %t %c %m"], capture_output=True, text=True, env=full_env)
    assert sinfo.returncode == 0, sinfo.stderr
    name, node_state, cpus, _mem = sinfo.stdout.split()
    assert name == "tinyids-node" and node_state in ("idle", "mix", "alloc") and int(cpus) == os.cpu_count()
    conf = (state / "slurm.conf").read_text()
    assert "NodeAddr=127.0.0.1" in conf and "MinJobAge=300" in conf and "proctrack/linuxproc" in conf


# ---------------------------------------------------------------- the run
def _stage_rules(workdir: Path) -> dict[str, set[str]]:
    out = {}
    for smk in (workdir / "workflow/rules").glob("*.smk"):
        out[smk.stem] = set(re.findall(r"^(?:rule|checkpoint)\s+(\w+)\s*:", smk.read_text(), flags=re.M))
    return out


def _local_rules(workdir: Path) -> set[str]:
    local = set()
    for smk in (workdir / "workflow/rules").glob("*.smk"):
        for block in re.split(r"^(?=(?:rule|checkpoint)\s+\w+\s*:)", smk.read_text(), flags=re.M):
            head = re.match(r"(?:rule|checkpoint)\s+(\w+)\s*:", block)
            if head and re.search(r"^\s+localrule:\s*True", block, flags=re.M):
                local.add(head.group(1))
    local |= set(re.findall(r"^localrules:\s*(.+)$", (workdir / "Snakefile").read_text(), flags=re.M))
    return local


def slurm_targets(smoke_run: Path) -> list[str]:
    """Output files of the chosen stages' rules in the finished smoke run ([] = `rule all`)."""
    stages = os.environ.get("TINYIDS_SLURM_STAGES", "data srm2025").split()
    if stages == ["all"]:
        return []
    rules = _stage_rules(smoke_run)
    wanted = set().union(*(rules.get(s, set()) for s in stages))
    summary = run_snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--cores", "1", "--detailed-summary",
                            timeout=600)
    assert summary.returncode == 0, summary.stderr[-3000:]
    rows = [line.split("\t") for line in summary.stdout.splitlines() if "\t" in line]
    header = rows[0]
    col_file, col_rule = header.index("output_file"), header.index("rule")
    targets = sorted({r[col_file] for r in rows[1:] if r[col_rule] in wanted})
    # The data stage's MQTT table comes from the testbed: leave it to runs that ask for it.
    if "mqtt_testbed" not in stages:
        targets = [t for t in targets if "mqtt-iot-ids2020" not in t]
    assert targets, f"no outputs of the stages {stages} in the smoke run"
    return targets


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, smoke_run: Path, tmp_path_factory: pytest.TempPathFactory):
    _state, env = slurm_cluster
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm-run") / "tinyids")
    targets = slurm_targets(smoke_run)
    started = time.monotonic()
    result = run_snakemake(
        workdir, *targets, "--workflow-profile", "profiles/slurm", "--configfile", "config/smoke.yaml",
        env=env, timeout=SMOKE_TIMEOUT_S,
    )
    elapsed = time.monotonic() - started
    log = result.stdout + result.stderr
    (workdir / "slurm_run.log").write_text(log)
    if result.returncode != 0:
        tail = "\n".join(log.splitlines()[-80:])
        pytest.fail(f"the SLURM run failed (exit {result.returncode}) after {elapsed:.0f} s:\n{tail}")
    timing = {"slurm_elapsed_s": round(elapsed, 1), "targets": targets or ["all"],
              "jobs_compute_s": _benchmark_seconds(workdir)}
    smoke_seconds = smoke_run / "smoke_run.seconds"
    if smoke_seconds.is_file():
        timing["local_smoke_elapsed_s"] = float(smoke_seconds.read_text())
    (workdir / "slurm_timing.json").write_text(json.dumps(timing, indent=2))
    print(f"\nSLURM run ({len(targets) or 'all'} targets) finished in {elapsed:.0f} s at {workdir}: {timing}")
    return workdir, log


def _benchmark_seconds(workdir: Path) -> float:
    total = 0.0
    for tsv in (workdir / "benchmarks").rglob("*.tsv"):
        try:
            total += float(pd.read_csv(tsv, sep="\t")["s"].iloc[-1])
        except Exception:  # a benchmark file is informative here, never a failure
            pass
    return round(total, 1)


def _jobs_in_log(log: str) -> dict[str, tuple[str, bool]]:
    """Snakemake job id -> (rule, ran locally) from the main log's job blocks."""
    jobs = {}
    for match in re.finditer(r"^(local)?rule (\w+):\n((?:    .*\n)+)", log, flags=re.M):
        jobid = re.search(r"^    jobid: (\d+)$", match.group(3), flags=re.M)
        if jobid:
            jobs[jobid.group(1)] = (match.group(2), bool(match.group(1)))
    return jobs


def test_every_job_ran_as_a_slurm_job(slurm_run, slurm_cluster):
    workdir, log = slurm_run
    jobs = _jobs_in_log(log)
    submitted = {}
    for jobid, slurm_id, logfile in re.findall(
            r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.", log):
        submitted.setdefault(jobid, []).append((slurm_id, Path(logfile)))
    remote = {j: rule for j, (rule, local) in jobs.items() if not local}
    assert remote, f"no job went to SLURM:\n{log[-3000:]}"
    not_submitted = {j: r for j, r in remote.items() if j not in submitted}
    assert not not_submitted, f"jobs that did not run as SLURM jobs: {not_submitted}"
    for jobid, rule in remote.items():
        slurm_id, logfile = submitted[jobid][-1]
        assert logfile.is_file(), f"{rule}: SLURM log {logfile} missing"
        text = logfile.read_text()
        assert f"rule {rule}:" in text, f"SLURM job {slurm_id}'s log does not show rule {rule}"
        assert "Finished jobid" in text or "steps (100%) done" in text, f"SLURM job {slurm_id} ({rule}) did not finish"
    local = {rule for rule, is_local in jobs.values() if is_local}
    assert local <= _local_rules(workdir), f"rules ran on the submit host without being localrules: {local}"
    ids = sorted({int(s) for v in submitted.values() for s, _ in v})
    print(f"\n{len(remote)} SLURM jobs, SLURM job ids {ids}; local jobs: {sorted(local)}")


# ---------------------------------------------------------------- comparing two runs
# Wall-clock figures (dropped before comparing): keys/columns named like these, at any depth.
TIMING = re.compile(
    r"time|latency|throughput|seconds|duration|elapsed|timestamp|date|steps_per_second|_s$|_ms$|_us$|per_s", re.I)
# Compressed sizes of serialized models: .keras files record their save time and float weights
# may differ in the last bit between runs, so gzip sizes agree to 0.1 %, not to the byte.
SERIALIZED = re.compile(r"gzip", re.I)
FLOAT_RTOL = 1e-6  # other floats: equal up to float32 rounding (multi-threaded TF reductions)


def _compare_values(a, b, path: str, notes: list[str], diffs: list[str]) -> None:
    if any(TIMING.search(part) for part in path.split(".") if part):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{key}"
            if TIMING.search(str(key)):
                continue
            if key not in a or key not in b:
                diffs.append(f"{sub}: only in one run")
            else:
                _compare_values(a[key], b[key], sub, notes, diffs)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            _compare_values(x, y, f"{path}[{i}]", notes, diffs)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        if a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
            return
        if SERIALIZED.search(path) and math.isclose(a, b, rel_tol=1e-3):
            notes.append(f"{path} (compressed size {a} vs {b})")
        elif (isinstance(a, float) or isinstance(b, float)) and math.isclose(a, b, rel_tol=FLOAT_RTOL, abs_tol=1e-12):
            notes.append(f"{path} (float {a!r} vs {b!r})")
        else:
            diffs.append(f"{path}: {a!r} vs {b!r}")
    elif a != b:
        diffs.append(f"{path}: {str(a)[:60]!r} vs {str(b)[:60]!r}")


def _read_frame(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")


def compare_file(ours: Path, theirs: Path, our_root: Path, their_root: Path) -> tuple[str, list[str]]:
    """'identical' (bytes), 'tolerance' (equal up to the rules above; notes say where) or 'different'."""
    if ours.read_bytes() == theirs.read_bytes():
        return "identical", []
    notes: list[str] = []
    diffs: list[str] = []
    try:
        if ours.suffix == ".json":
            a = json.loads(ours.read_text().replace(str(our_root), "<workdir>"))
            b = json.loads(theirs.read_text().replace(str(their_root), "<workdir>"))
            _compare_values(a, b, "", notes, diffs)
        else:
            fa, fb = _read_frame(ours), _read_frame(theirs)
            if list(fa.columns) != list(fb.columns) or len(fa) != len(fb):
                diffs.append(f"shape/columns {fa.shape} vs {fb.shape}")
            else:
                rows_a = fa.astype(object).where(fa.notna(), None).to_dict("list")
                rows_b = fb.astype(object).where(fb.notna(), None).to_dict("list")
                _compare_values(rows_a, rows_b, "", notes, diffs)
    except Exception as exc:  # unreadable on one side: a difference worth naming
        diffs.append(f"{type(exc).__name__}: {exc}")
    return ("different", diffs) if diffs else ("tolerance", notes)


def compare_results(ours: Path, theirs: Path) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """(bit-identical, tolerance-equal with notes, different with reasons) metric files of
    `ours` that `theirs` also has."""
    same, tolerant, different = [], {}, {}
    for path in sorted((ours / "results").rglob("*")):
        other = theirs / path.relative_to(ours)
        if not path.is_file() or path.suffix not in METRIC_SUFFIXES or not other.is_file():
            continue
        rel = str(path.relative_to(ours))
        verdict, notes = compare_file(path, other, ours, theirs)
        if verdict == "identical":
            same.append(rel)
        elif verdict == "tolerance":
            tolerant[rel] = notes
        else:
            different[rel] = notes
    return same, tolerant, different


def test_slurm_results_equal_the_local_smoke_run(slurm_run, smoke_run: Path):
    workdir, _ = slurm_run
    same, tolerant, different = compare_results(workdir, smoke_run)
    assert same or tolerant, "no metric file in common with the local smoke run"
    assert not different, (
        f"{len(different)} metric files differ from the local smoke run:\n  "
        + "\n  ".join(f"{f}: {'; '.join(r[:5])}" for f, r in different.items()))
    print(f"\nbit-identical: {len(same)} files; equal within tolerance: "
          + json.dumps({f: n[:5] for f, n in tolerant.items()}, indent=1))
