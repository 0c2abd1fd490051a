"""Safe extraction: escaping names, links and oversized members are refused."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from tinyids.datasets.archive import extract_tar_member, extract_zip_member
from tinyids.errors import UnsafeArchiveError


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_member_is_extracted(tmp_path: Path):
    archive = _zip(tmp_path / "ok.zip", {"data/file.csv": b"a,b\n1,2\n"})
    extract_zip_member(archive, "file.csv", tmp_path / "file.csv", max_bytes=1000)
    assert (tmp_path / "file.csv").read_bytes() == b"a,b\n1,2\n"


def test_zip_with_dotdot_member_is_refused(tmp_path: Path):
    archive = _zip(tmp_path / "evil.zip", {"../../etc/evil.csv": b"x", "file.csv": b"a"})
    with pytest.raises(UnsafeArchiveError, match=r"\.\."):
        extract_zip_member(archive, "file.csv", tmp_path / "file.csv", max_bytes=1000)
    assert not (tmp_path / "file.csv").exists()


def test_zip_with_absolute_member_is_refused(tmp_path: Path):
    archive = _zip(tmp_path / "abs.zip", {"/etc/passwd": b"x"})
    with pytest.raises(UnsafeArchiveError, match="absolute"):
        extract_zip_member(archive, "passwd", tmp_path / "passwd", max_bytes=1000)


def test_zip_symlink_member_is_refused(tmp_path: Path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("file.csv")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="link"):
        extract_zip_member(archive, "file.csv", tmp_path / "file.csv", max_bytes=1000)


def test_oversized_member_is_refused_and_leaves_nothing(tmp_path: Path):
    archive = _zip(tmp_path / "big.zip", {"file.csv": b"0" * 5000})
    with pytest.raises(UnsafeArchiveError, match="limit"):
        extract_zip_member(archive, "file.csv", tmp_path / "file.csv", max_bytes=1000)
    assert not (tmp_path / "file.csv").exists()


def test_truncated_zip_is_refused(tmp_path: Path):
    archive = _zip(tmp_path / "t.zip", {"file.csv": b"a" * 100})
    archive.write_bytes(archive.read_bytes()[:30])
    with pytest.raises(UnsafeArchiveError, match="not a valid zip"):
        extract_zip_member(archive, "file.csv", tmp_path / "file.csv", max_bytes=1000)


def test_tar_with_dotdot_member_is_refused(tmp_path: Path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tf:
        data = b"x"
        info = tarfile.TarInfo("../escape.csv")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    with pytest.raises(UnsafeArchiveError, match=r"\.\."):
        extract_tar_member(archive, "escape.csv", tmp_path / "escape.csv", max_bytes=1000)
