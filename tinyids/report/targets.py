"""Which registered targets the report reads (standard library only: the rules import this while
Snakemake builds the DAG)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase


def comparison_files(targets: Iterable[str], patterns: Sequence[str]) -> list[str]:
    """The targets (files the enabled stages register) that match one of ``patterns``
    (``report.comparisons``), in target order, each once: a stage that is not run adds none."""
    return list(dict.fromkeys(t for t in targets if any(fnmatchcase(t, p) for p in patterns)))
