"""Partial reruns on a COPY of the finished smoke run: Snakemake schedules exactly what a change touches.

Each test asks `snakemake -n` (with the project's rerun triggers, read from profiles/default) for
its job list after one change, and compares it with the job list Snakemake itself gives for
"force these rules and everything downstream of them" (`--forcerun`) under the same config. The
rules of a stage are the `rule` blocks of `workflow/rules/<stage>.smk`, so the tests follow the
stages as they grow.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_snakemake

pytestmark = pytest.mark.workflow

STUDIES = ("srm2025", "ibrahim2025", "idrissi2022")
SMOKE = ("--configfile", "config/smoke.yaml")
DRY_TIMEOUT_S = 600


# ---------------------------------------------------------------- helpers
def rerun_triggers(workdir: Path) -> list[str]:
    profile = yaml.safe_load((workdir / "profiles/default/config.yaml").read_text())
    return list(profile["rerun-triggers"])


def stage_rules(workdir: Path) -> dict[str, set[str]]:
    """Rule names per stage, from the `rule`/`checkpoint` blocks of workflow/rules/<stage>.smk."""
    out: dict[str, set[str]] = {}
    for smk in sorted((workdir / "workflow/rules").glob("*.smk")):
        names = re.findall(r"^(?:rule|checkpoint)\s+(\w+)\s*:", smk.read_text(), flags=re.M)
        out[smk.stem] = set(names)
    return out


def rules_using_script(workdir: Path, script: str) -> set[str]:
    """Rules whose `script:` directive names workflow/scripts/<script>."""
    users = set()
    for smk in (workdir / "workflow/rules").glob("*.smk"):
        blocks = re.split(r"^(?=(?:rule|checkpoint)\s+\w+\s*:)", smk.read_text(), flags=re.M)
        for block in blocks:
            head = re.match(r"(?:rule|checkpoint)\s+(\w+)\s*:", block)
            if head and re.search(r"script:\s*\n\s*[\"'][^\"']*/scripts/" + re.escape(script) + r"[\"']", block):
                users.add(head.group(1))
    return users


Job = tuple[str, frozenset[str]]  # (rule, outputs)


def parse_jobs(stdout: str) -> set[Job]:
    """Jobs listed by `snakemake -n`: each 'rule NAME:' (or localrule/checkpoint) block's outputs."""
    jobs: set[Job] = set()
    current: str | None = None
    for line in stdout.splitlines():
        head = re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):\s*$", line)
        if head:
            current = head.group(1)
            continue
        if current and line.startswith("    output: "):
            jobs.add((current, frozenset(p.strip() for p in line[len("    output: "):].split(","))))
            current = None
        elif current and not line.startswith("    "):
            jobs.add((current, frozenset()))
            current = None
    return jobs


def dry_run(workdir: Path, *args: str, change: dict | None = None) -> set[Job]:
    """Jobs `snakemake -n` schedules; `change` is a config overlay (a YAML file after smoke.yaml)."""
    configfiles = list(SMOKE)
    if change is not None:
        overlay = workdir / "config" / "test_rerun_change.yaml"
        overlay.write_text(yaml.safe_dump(change))
        configfiles.append(str(overlay.relative_to(workdir)))
    result = run_snakemake(
        workdir, "--cores", "1", "-n", "--rerun-triggers", *rerun_triggers(workdir), *args, *configfiles,
        timeout=DRY_TIMEOUT_S,
    )
    if result.returncode != 0:
        pytest.fail(f"snakemake -n {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return parse_jobs(result.stdout)


def rules_of(jobs: set[Job]) -> set[str]:
    return {rule for rule, _ in jobs}


def describe(jobs: set[Job]) -> str:
    return "\n  ".join(sorted(f"{r}: {', '.join(sorted(o))}" for r, o in jobs)) or "(none)"


def assert_exactly_downstream(changed: set[Job], forced: set[Job], origin_rules: set[str], what: str) -> None:
    """`changed` must be non-empty, start at `origin_rules`, and lie inside their downstream closure."""
    assert changed, f"{what}: Snakemake scheduled nothing; a rule does not see this change (params? input?)"
    assert rules_of(changed) & origin_rules, (
        f"{what}: none of the rules {sorted(origin_rules)} was scheduled, only:\n  {describe(changed)}")
    outside = changed - forced
    assert not outside, (
        f"{what}: jobs outside the downstream of {sorted(origin_rules)} were scheduled:\n  {describe(outside)}")


@pytest.fixture(scope="module")
def rerun_copy(smoke_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The finished smoke run copied with its .snakemake metadata and file times (copy2)."""
    dest = tmp_path_factory.mktemp("reruns") / "tinyids"
    shutil.copytree(smoke_run, dest, symlinks=True)
    return dest


# ---------------------------------------------------------------- tests
def test_default_profile_declares_the_documented_rerun_triggers(rerun_copy: Path):
    assert set(rerun_triggers(rerun_copy)) == {"mtime", "params", "input", "software-env", "code"}


def test_dry_run_after_the_smoke_run_schedules_nothing(rerun_copy: Path):
    jobs = dry_run(rerun_copy)
    assert not jobs, f"a finished smoke run should be up to date, but -n schedules:\n  {describe(jobs)}"


def test_changing_a_data_parameter_reruns_only_the_dataset_tables_and_their_consumers(rerun_copy: Path):
    change = {"datasets": {"nan_policy": "drop"}}
    data_rules = stage_rules(rerun_copy)["data"]
    prepare_rules = {r for r in data_rules if r.startswith("prepare_")}
    changed = dry_run(rerun_copy, change=change)
    forced = dry_run(rerun_copy, "--forcerun", *sorted(prepare_rules), change=change)
    assert_exactly_downstream(changed, forced, prepare_rules, "datasets.nan_policy: drop")
    assert "download_dataset_file" not in rules_of(changed), "a params change of prepare_* re-downloaded data"


@pytest.mark.parametrize("study", STUDIES)
def test_changing_one_studys_seed_reruns_that_study_and_its_consumers_only(rerun_copy: Path, study: str):
    rules = stage_rules(rerun_copy)
    if not rules.get(study):
        pytest.fail(f"workflow/rules/{study}.smk defines no rule yet: nothing to rerun")
    change = {study: {"seed": 4242}}
    changed = dry_run(rerun_copy, change=change)
    forced = dry_run(rerun_copy, "--forcerun", *sorted(rules[study]), change=change)
    assert_exactly_downstream(changed, forced, rules[study], f"{study}.seed: 4242")
    others = set().union(*(rules.get(s, set()) for s in STUDIES if s != study), rules["data"])
    assert not rules_of(changed) & others, (
        f"{study}.seed changed, yet rules of the data stage or another study are scheduled: "
        f"{sorted(rules_of(changed) & others)}")


def test_touching_a_dataset_file_reruns_only_what_reads_it(rerun_copy: Path):
    dataset_file = rerun_copy / "resources/data/wustl-ehms-2020/wustl-ehms-2020_with_attacks_categories.csv"
    assert dataset_file.is_file(), "the smoke run placed no WUSTL file"
    before = dataset_file.stat()
    try:
        os.utime(dataset_file)  # now: newer than every output
        changed = dry_run(rerun_copy)
        forced = dry_run(rerun_copy, "--forcerun", "prepare_wustl")
    finally:
        os.utime(dataset_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert_exactly_downstream(changed, forced, {"prepare_wustl"}, "touched the WUSTL csv")
    readers = {r for r, _ in changed if r.startswith("prepare_")}
    assert readers == {"prepare_wustl"}, f"other dataset preparations rerun: {sorted(readers)}"
    assert "srm2025_fit" not in rules_of(changed), "srm2025 reads NSL-KDD only, yet reruns"


@pytest.mark.parametrize("script", ["data_prepare.py", "srm2025_metrics.py", "ibrahim2025_prune.py"])
def test_editing_a_workflow_script_reruns_the_rules_that_use_it(rerun_copy: Path, script: str):
    path = rerun_copy / "workflow/scripts" / script
    users = rules_using_script(rerun_copy, script)
    if not path.is_file() or not users:
        pytest.fail(f"workflow/scripts/{script} or a rule using it is missing; update this test's list")
    original, before = path.read_bytes(), path.stat()
    try:
        path.write_bytes(original + b"\n# edited by test_reruns\n")
        os.utime(path)  # now: newer than every output
        changed = dry_run(rerun_copy)
        forced = dry_run(rerun_copy, "--forcerun", *sorted(users))
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert_exactly_downstream(changed, forced, users, f"edited workflow/scripts/{script}")
    assert rules_of(changed) & users == users, f"not every rule using {script} reruns: {sorted(users - rules_of(changed))}"
    assert not dry_run(rerun_copy), "restoring the script (content and time) should leave nothing to do"
