"""Acquire one dataset file: from a mirror directory or the documented sources, verified.

Flow: fetch (mirror copy or HTTP download, each source in order) into a temporary folder beside
the target, decompress/extract the wanted member, verify its digest, then rename it onto the
target. On any failure nothing is left at the target path.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tinyids.datasets.archive import extract_zip_member, gunzip
from tinyids.datasets.manifest import FileSpec, Source
from tinyids.errors import ChecksumError, DownloadError, TinyidsError

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_blob_sha1_of(path: Path) -> str:
    """git's object id of a file: SHA-1 of ``b"blob <size>\\0" + content``."""
    digest = hashlib.sha1()
    digest.update(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, spec: FileSpec, origin: str) -> None:
    """Raise ChecksumError naming the file, the expected and the actual digest."""
    if spec.sha256:
        actual = sha256_of(path)
        if actual != spec.sha256:
            raise ChecksumError(
                f"{spec.dataset}/{spec.name} from {origin}: sha256 mismatch: expected {spec.sha256}, got {actual}"
            )
    elif spec.git_blob_sha1:
        actual = git_blob_sha1_of(path)
        if actual != spec.git_blob_sha1:
            raise ChecksumError(
                f"{spec.dataset}/{spec.name} from {origin}: git blob id mismatch: "
                f"expected {spec.git_blob_sha1}, got {actual}"
            )
    else:
        log.warning("%s/%s: no digest recorded; accepted unverified from %s", spec.dataset, spec.name, origin)


def _unpack(fetched: Path, fmt: str, member: str | None, dest: Path, max_bytes: int) -> None:
    if fmt == "raw":
        if fetched.stat().st_size > max_bytes:
            raise DownloadError(f"{fetched}: {fetched.stat().st_size} bytes, over the {max_bytes}-byte limit")
        shutil.move(fetched, dest)
    elif fmt == "gzip":
        gunzip(fetched, dest, max_bytes)
    elif fmt == "zip":
        assert member is not None
        extract_zip_member(fetched, member, dest, max_bytes)
    else:  # the manifest loader rejects other formats; this guards direct callers
        raise DownloadError(f"unknown source format '{fmt}'")


def _http_get(url: str, dest: Path, timeout_s: float, max_bytes: int) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "tinyids-dataset-fetch/0.1"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response, open(dest, "wb") as out:
        written = 0
        while chunk := response.read(1 << 20):
            written += len(chunk)
            if written > max_bytes:
                raise DownloadError(f"{url}: response exceeds the {max_bytes}-byte limit")
            out.write(chunk)


def acquire(
    spec: FileSpec,
    target: Path,
    *,
    mirror_dir: Path | None = None,
    timeout_s: float = 60.0,
    max_bytes: int = 512 << 20,
) -> str:
    """Place the verified file at ``target``; return where it came from (mirror path or URL).

    With ``mirror_dir`` the mirror is the only source (offline, reproducible); otherwise the
    manifest's sources are tried in order. Raises ChecksumError / DownloadError with a message
    that names the file and, when nothing worked, says exactly what to download and where.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as tmp_dir:
        tmp = Path(tmp_dir)
        candidate = tmp / target.name
        if mirror_dir is not None:
            attempts = _mirror_attempts(spec, Path(mirror_dir))
        else:
            attempts = [(src.url, src) for src in spec.sources]
        for origin, src in attempts:
            fetched = tmp / "fetched"
            try:
                if isinstance(src, Path):
                    shutil.copyfile(src, fetched)
                    fmt, member = ("gzip" if src.suffix == ".gz" else "raw"), None
                else:
                    log.info("downloading %s/%s from %s", spec.dataset, spec.name, src.url)
                    _http_get(src.url, fetched, timeout_s, max_bytes)
                    fmt, member = src.format, src.member
                _unpack(fetched, fmt, member, candidate, max_bytes)
                verify(candidate, spec, origin)
            except ChecksumError:
                raise  # a wrong file is an error, not a reason to try the next mirror silently
            except (OSError, urllib.error.URLError, TimeoutError, TinyidsError) as exc:
                # Name the source, not the temporary copy the error happened to mention.
                failures.append(f"{origin}: {str(exc).replace(str(fetched) + ': ', '')}")
                candidate.unlink(missing_ok=True)
                fetched.unlink(missing_ok=True)
                continue
            candidate.replace(target)
            return origin
    raise DownloadError(_nothing_worked_message(spec, target, mirror_dir, failures))


def _mirror_attempts(spec: FileSpec, mirror_dir: Path) -> list[tuple[str, Path | Source]]:
    names = [spec.mirror] if spec.mirror else []
    names += [f"{spec.dataset}/{spec.name}.gz", f"{spec.dataset}/{spec.name}"]
    seen: list[tuple[str, Path | Source]] = []
    for name in dict.fromkeys(names):
        path = mirror_dir / name
        if path.is_file():
            seen.append((str(path), path))
    return seen


def _nothing_worked_message(spec: FileSpec, target: Path, mirror_dir: Path | None, failures: list[str]) -> str:
    lines = [f"could not obtain {spec.dataset}/{spec.name}"]
    if mirror_dir is not None and not failures:
        lines.append(f"  the mirror {mirror_dir} (TINYIDS_DATA_MIRROR) has no '{spec.mirror or spec.name}'")
    elif mirror_dir is not None:
        lines.append(f"  the mirror {mirror_dir} (TINYIDS_DATA_MIRROR) holds an unusable copy:")
    lines += [f"  tried {f}" for f in failures]
    urls = ", ".join(s.url for s in spec.sources) or "(no source recorded)"
    digest = f"sha256 {spec.sha256}" if spec.sha256 else (
        f"git blob id {spec.git_blob_sha1}" if spec.git_blob_sha1 else "no digest recorded")
    lines.append(f"  download it from one of: {urls}")
    lines.append(f"  and place the uncompressed file at {target} ({digest}),")
    lines.append("  or set TINYIDS_DATA_MIRROR to a folder holding "
                 f"'{spec.mirror or spec.dataset + '/' + spec.name}'")
    return "\n".join(lines)
