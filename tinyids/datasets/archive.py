"""Safe extraction of single members from downloaded archives.

A member is refused when its name is absolute or climbs out with ``..``, when it is a link or a
device, or when its uncompressed size exceeds a limit (a zip bomb guard).
"""

from __future__ import annotations

import gzip
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from tinyids.errors import UnsafeArchiveError

_CHUNK = 1 << 20


def check_member_name(archive: Path, name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member '{name}' has an absolute path; refusing to extract")
    if ".." in path.parts:
        raise UnsafeArchiveError(f"{archive}: member '{name}' climbs out of the target folder ('..'); refusing")


def extract_zip_member(archive: Path, member: str, dest: Path, max_bytes: int) -> None:
    """Copy one member of a zip archive to ``dest`` after safety checks on every member."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UnsafeArchiveError(f"{archive}: not a valid zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        for info in infos:
            check_member_name(archive, info.filename)
            mode = info.external_attr >> 16
            if (mode & 0o170000) == 0o120000:
                raise UnsafeArchiveError(f"{archive}: member '{info.filename}' is a symbolic link; refusing")
        matches = [i for i in infos if i.filename == member or PurePosixPath(i.filename).name == member]
        if not matches:
            names = ", ".join(i.filename for i in infos[:10])
            raise UnsafeArchiveError(f"{archive}: no member '{member}' (members: {names})")
        info = matches[0]
        if info.file_size > max_bytes:
            raise UnsafeArchiveError(
                f"{archive}: member '{info.filename}' is {info.file_size} bytes, over the {max_bytes}-byte limit"
            )
        _copy_limited(zf.open(info), dest, max_bytes, f"{archive}:{info.filename}")


def extract_tar_member(archive: Path, member: str, dest: Path, max_bytes: int) -> None:
    try:
        tf = tarfile.open(archive)
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"{archive}: not a valid tar archive ({exc})") from None
    with tf:
        for info in tf.getmembers():
            check_member_name(archive, info.name)
            if info.issym() or info.islnk():
                raise UnsafeArchiveError(f"{archive}: member '{info.name}' is a link; refusing")
            if info.isdev():
                raise UnsafeArchiveError(f"{archive}: member '{info.name}' is a device file; refusing")
        matches = [i for i in tf.getmembers() if i.isfile() and (i.name == member or PurePosixPath(i.name).name == member)]
        if not matches:
            raise UnsafeArchiveError(f"{archive}: no member '{member}'")
        if matches[0].size > max_bytes:
            raise UnsafeArchiveError(f"{archive}: member '{member}' is {matches[0].size} bytes, over the limit")
        handle = tf.extractfile(matches[0])
        assert handle is not None
        _copy_limited(handle, dest, max_bytes, f"{archive}:{member}")


def gunzip(archive: Path, dest: Path, max_bytes: int) -> None:
    try:
        _copy_limited(gzip.open(archive, "rb"), dest, max_bytes, str(archive))
    except (OSError, EOFError) as exc:
        # A truncated or corrupt gzip stream surfaces here (BadGzipFile is an OSError).
        dest.unlink(missing_ok=True)
        raise UnsafeArchiveError(f"{archive}: corrupt or truncated gzip data ({exc})") from None


def _copy_limited(src, dest: Path, max_bytes: int, label: str) -> None:
    # Sizes in headers can lie: count what is actually written.
    written = 0
    with src, open(dest, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                dest.unlink(missing_ok=True)
                raise UnsafeArchiveError(f"{label}: uncompressed data exceeds the {max_bytes}-byte limit")
            out.write(chunk)


__all__ = ["check_member_name", "extract_zip_member", "extract_tar_member", "gunzip"]
