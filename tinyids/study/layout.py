"""Layout: where a study's files live, named once for its Snakemake rules and for the package.

A :class:`Layout` holds a study's results folder (``results/<study>``), its named folders with
wildcards (a run folder such as ``runs/{protocol}/fold{fold}``), the regexes of the wildcards
whose values are not a config list (``seed``, ``fold``: digits) and, where the study has one,
the files a trained model leaves in its run folder (``records``: key -> suffix after the model
name). From it come:

- paths: :meth:`Layout.dir` / :meth:`Layout.file` (a pattern; keyword values fill some or all
  wildcards, the others stay ``{name}`` for Snakemake), :meth:`Layout.files` (every combination,
  in keyword order, like Snakemake's ``expand``), :meth:`Layout.deploy_files`;
- wildcard constraints: :meth:`Layout.constraints` (the folder's wildcards, plus an exact
  alternation of the configured values of any wildcard passed by keyword, see :func:`one_of`);
- the reverse: :meth:`Layout.parse` reads the wildcard values of a path back, by the pattern and
  not by a path position, and fails naming the path when it is not in that folder.

Only the layout is here. Which variants, models or test sets a study has are facts of that study
(``tinyids/<study>/``); the values a run uses come from its validated config section.
Standard library only: the rules import this while Snakemake builds the DAG.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RESULTS = "results"
# The files of one deployable model in results/<study>/deploy/ (see docs/DEVELOPING.md):
INT8_SUFFIXES: tuple[str, ...] = (".tflite", ".npz", ".json")  # int8 .tflite, test vectors, Deployable
C_SUFFIXES: tuple[str, ...] = (".c", ".h", ".npz", ".json")  # a classical tiny model exported to C
SEGMENT = r"[^/]+"  # a wildcard that is one path segment (the constraint when nothing narrower is known)
NEVER = r"(?!x)x"  # a constraint that matches nothing (an empty list of configured values)


def one_of(values: Iterable[object]) -> str:
    """A wildcard constraint matching exactly one of ``values`` (nothing at all when it is empty)."""
    distinct = list(dict.fromkeys(str(v) for v in values))
    return "|".join(re.escape(v) for v in distinct) if distinct else NEVER


class _Keep(dict):
    """format_map mapping that leaves an unknown ``{name}`` in place (a Snakemake wildcard)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(pattern: str, values: Mapping[str, object]) -> str:
    return pattern.format_map(_Keep({k: str(v) for k, v in values.items()}))


def wildcard_names(pattern: str) -> tuple[str, ...]:
    """The ``{name}`` fields of ``pattern``, in order, each once."""
    names = [f for _, f, _, _ in string.Formatter().parse(pattern) if f]
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Layout:
    """The folders and file names of one study under ``results/<study>``."""

    study: str
    folders: Mapping[str, str] = field(default_factory=dict)  # kind -> folder under the study's, with {wildcards}
    patterns: Mapping[str, str] = field(default_factory=dict)  # wildcard -> regex (when not a config list)
    records: Mapping[str, str] = field(default_factory=dict)  # key -> suffix of one trained model's files

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.study):
            raise ValueError(f"layout: study name {self.study!r} is not a plain lower-case identifier")
        for kind, folder in self.folders.items():
            if folder.startswith("/") or folder.endswith("/") or ".." in folder.split("/"):
                raise ValueError(f"layout {self.study}: folder {kind!r} = {folder!r} must be relative, "
                                 "inside the study")

    @property
    def out(self) -> str:
        """``results/<study>``."""
        return f"{RESULTS}/{self.study}"

    def path(self, name: str, **values: object) -> str:
        """``results/<study>/<name>`` (``name`` may hold wildcards; ``values`` fill some of them)."""
        return _fill(f"{self.out}/{name}", values)

    def _folder(self, kind: str) -> str:
        if kind not in self.folders:
            raise KeyError(f"layout {self.study}: no folder {kind!r} (known: {', '.join(self.folders) or 'none'})")
        return self.folders[kind]

    def dir(self, kind: str = "run", **values: object) -> str:
        """The folder ``kind`` as a pattern; ``values`` fill some or all of its wildcards."""
        return _fill(f"{self.out}/{self._folder(kind)}", values)

    def file(self, name: str, kind: str = "run", **values: object) -> str:
        """``<folder>/<name>``; ``values`` fill wildcards of the folder and of ``name``."""
        return _fill(f"{self.out}/{self._folder(kind)}/{name}", values)

    def files(self, name: str, kind: str = "run", **lists: Sequence[object]) -> list[str]:
        """:meth:`file` for every combination of ``lists`` (the first keyword varies slowest)."""
        keys = list(lists)
        return [self.file(name, kind, **dict(zip(keys, combo))) for combo in itertools.product(*lists.values())]

    def wildcards(self, kind: str = "run") -> tuple[str, ...]:
        return wildcard_names(self._folder(kind))

    def constraints(self, kind: str = "run", **values: Iterable[object]) -> dict[str, str]:
        """``wildcard_constraints`` for a rule writing into folder ``kind``: each wildcard of the
        folder gets its regex (:data:`SEGMENT` when none is declared); a wildcard passed by keyword
        (of the folder or of the rule's file names) gets exactly its configured ``values``."""
        out = {name: self.patterns.get(name, SEGMENT) for name in self.wildcards(kind)}
        out.update({name: one_of(vals) for name, vals in values.items()})
        return out

    def parse(self, path: object, kind: str = "run") -> dict[str, str]:
        """The wildcard values of folder ``kind`` in ``path`` (a file or folder inside it)."""
        folder = f"{self.out}/{self._folder(kind)}"
        regex: list[str] = []
        seen: set[str] = set()
        for literal, name, _, _ in string.Formatter().parse(folder):
            regex.append(re.escape(literal))
            if name:  # a repeated wildcard must repeat its value
                regex.append(f"(?P={name})" if name in seen else f"(?P<{name}>{self.patterns.get(name, SEGMENT)})")
                seen.add(name)
        text = str(path).replace("\\", "/")
        match = re.search(rf"(?:^|/){''.join(regex)}(?:/|$)", text)
        if match is None:
            raise ValueError(f"{text}: not inside the {self.study} {kind} folder {folder}")
        return match.groupdict()

    # ---- deployables (results/<study>/deploy/, the contract read by codegen and firmware)

    @property
    def deploy_dir(self) -> str:
        return f"{self.out}/deploy"

    def deploy_files(self, names: Iterable[str], suffixes: Sequence[str] = INT8_SUFFIXES,
                     folder: str | None = None) -> list[str]:
        """``<folder>/<name><suffix>`` for every name (outer) and suffix (inner); ``folder``
        defaults to ``results/<study>/deploy``."""
        where = self.deploy_dir if folder is None else folder
        return [f"{where}/{name}{suffix}" for name in names for suffix in suffixes]

    # ---- records: the files one trained model leaves in its run folder

    def record(self, model: str, kind: str = "run", **values: object) -> dict[str, str]:
        """key -> ``<folder>/<model><suffix>`` for every record key (``model`` may be a wildcard)."""
        if not self.records:
            raise KeyError(f"layout {self.study}: declares no model records")
        return {key: self.file(f"{model}{suffix}", kind, **values) for key, suffix in self.records.items()}

    def record_file(self, model: str, key: str, kind: str = "run", **values: object) -> str:
        if key not in self.records:
            raise KeyError(f"layout {self.study}: no record {key!r} (known: {', '.join(self.records) or 'none'})")
        return self.file(f"{model}{self.records[key]}", kind, **values)


# ---- the three studies

SRM2025 = Layout(
    "srm2025",
    folders={"run": "runs/{protocol}", "export": "exports/{protocol}"},
)
IBRAHIM2025 = Layout(
    "ibrahim2025",
    folders={"run": "runs/{protocol}/fold{fold}"},
    patterns={"fold": r"\d+"},
    # What the job that trains one model (the full MLP, or a pruning variant) writes about it.
    records={
        "keras": ".keras",
        "tflite_float": "_float.tflite",
        "tflite_int8": "_int8.tflite",
        "history": "_history.csv",
        "predictions": "_predictions.npz",
        "eval": "_eval.json",
    },
)
IDRISSI2022 = Layout(
    "idrissi2022",
    folders={"run": "{protocol}/seed{seed}"},
    patterns={"seed": r"\d+"},
)
STUDIES: dict[str, Layout] = {layout.study: layout for layout in (SRM2025, IBRAHIM2025, IDRISSI2022)}


def of(study: str) -> Layout:
    """The layout of ``study`` (one of :data:`STUDIES`)."""
    if study not in STUDIES:
        raise KeyError(f"layout: unknown study {study!r} (known: {', '.join(STUDIES)})")
    return STUDIES[study]
