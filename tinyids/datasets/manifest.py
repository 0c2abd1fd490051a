"""The dataset manifest (config/datasets.yaml): sources, digests and published counts per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tinyids.errors import ConfigError


@dataclass(frozen=True)
class Source:
    url: str
    format: str = "raw"  # raw | gzip | zip
    member: str | None = None


@dataclass(frozen=True)
class FileSpec:
    dataset: str
    name: str
    sources: tuple[Source, ...]
    mirror: str | None
    sha256: str | None = None
    git_blob_sha1: str | None = None
    size_bytes: int | None = None
    rows: int | None = None
    required: bool = True
    published: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def load_manifest(path: str | Path) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the dataset manifest must map dataset names to entries")
    for dataset, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
            raise ConfigError(f"{path}: dataset '{dataset}' needs a 'files' mapping")
    return data


def file_spec(manifest: dict[str, dict[str, Any]], dataset: str, name: str) -> FileSpec:
    try:
        raw = manifest[dataset]["files"][name]
    except KeyError:
        raise ConfigError(f"dataset manifest has no file '{dataset}/{name}'") from None
    sources = []
    for i, src in enumerate(raw.get("sources", [])):
        fmt = src.get("format", "raw")
        if fmt not in ("raw", "gzip", "zip"):
            raise ConfigError(f"datasets.{dataset}.files.{name}.sources[{i}].format: unknown format '{fmt}'")
        if fmt == "zip" and not src.get("member"):
            raise ConfigError(f"datasets.{dataset}.files.{name}.sources[{i}]: a zip source needs 'member'")
        sources.append(Source(url=src["url"], format=fmt, member=src.get("member")))
    return FileSpec(
        dataset=dataset,
        name=name,
        sources=tuple(sources),
        mirror=raw.get("mirror"),
        sha256=raw.get("sha256"),
        git_blob_sha1=raw.get("git_blob_sha1"),
        size_bytes=raw.get("bytes"),
        rows=raw.get("rows"),
        required=bool(raw.get("required", True)),
        published=dict(raw.get("published", {})),
    )
