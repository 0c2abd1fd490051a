"""Acquisition: mirror copies are verified, a wrong digest fails loudly and leaves nothing."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from tinyids.datasets.download import acquire, git_blob_sha1_of, sha256_of
from tinyids.datasets.manifest import FileSpec, Source, file_spec, load_manifest
from tinyids.errors import ChecksumError, DownloadError

REPO = Path(__file__).resolve().parents[2]
CONTENT = b"0,tcp,http,SF,1,2\n" * 50


def _spec(tmp: Path, **kw) -> FileSpec:
    base = dict(dataset="demo", name="demo.txt", sources=(), mirror="demo/demo.txt.gz", sha256=hashlib.sha256(CONTENT).hexdigest())
    base.update(kw)
    return FileSpec(**base)


def _mirror(tmp: Path, content: bytes = CONTENT) -> Path:
    mirror = tmp / "mirror"
    (mirror / "demo").mkdir(parents=True)
    with gzip.open(mirror / "demo" / "demo.txt.gz", "wb") as handle:
        handle.write(content)
    return mirror


def test_mirror_copy_is_decompressed_and_verified(tmp_path: Path):
    target = tmp_path / "out" / "demo.txt"
    origin = acquire(_spec(tmp_path), target, mirror_dir=_mirror(tmp_path))
    assert target.read_bytes() == CONTENT
    assert origin.endswith("demo.txt.gz")


def test_wrong_sha256_names_file_and_both_digests_and_leaves_no_output(tmp_path: Path):
    target = tmp_path / "out" / "demo.txt"
    mirror = _mirror(tmp_path, CONTENT + b"tampered\n")
    with pytest.raises(ChecksumError) as err:
        acquire(_spec(tmp_path), target, mirror_dir=mirror)
    message = str(err.value)
    assert "demo/demo.txt" in message and hashlib.sha256(CONTENT).hexdigest() in message
    assert hashlib.sha256(CONTENT + b"tampered\n").hexdigest() in message
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no temporary file left behind


def test_truncated_gzip_in_mirror_fails_with_clear_error_and_no_output(tmp_path: Path):
    mirror = _mirror(tmp_path)
    gz = mirror / "demo" / "demo.txt.gz"
    gz.write_bytes(gz.read_bytes()[:20])
    target = tmp_path / "out" / "demo.txt"
    with pytest.raises(DownloadError, match="corrupt or truncated"):
        acquire(_spec(tmp_path), target, mirror_dir=mirror)
    assert not target.exists()


def test_missing_everywhere_says_what_to_download_and_where(tmp_path: Path):
    target = tmp_path / "out" / "demo.txt"
    spec = _spec(tmp_path, sources=(Source(url="http://127.0.0.1:9/none.txt"),))
    with pytest.raises(DownloadError) as err:
        acquire(spec, target, mirror_dir=tmp_path / "empty-mirror", timeout_s=2)
    message = str(err.value)
    assert "http://127.0.0.1:9/none.txt" in message and str(target) in message and "sha256" in message


def test_http_download_from_loopback_server_tries_sources_in_order(tmp_path: Path):
    served = tmp_path / "www"
    served.mkdir()
    (served / "good.txt").write_bytes(CONTENT)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(served), **kw)

        def log_message(self, *args):  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        spec = _spec(tmp_path, sources=(Source(url=f"http://127.0.0.1:{port}/missing.txt"),
                                        Source(url=f"http://127.0.0.1:{port}/good.txt")))
        target = tmp_path / "out" / "demo.txt"
        origin = acquire(spec, target, mirror_dir=None, timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert origin.endswith("/good.txt") and target.read_bytes() == CONTENT


def test_git_blob_id_matches_git_hash_object(tmp_path: Path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"hello\n")
    # `git hash-object` of "hello\n" is a well-known constant.
    assert git_blob_sha1_of(path) == "ce013625030ba8dba906f756967f9e9ca394464a"
    assert sha256_of(path) == hashlib.sha256(b"hello\n").hexdigest()


def test_manifest_entries_of_mirrored_files_match_the_mirror(data_mirror: Path, tmp_path: Path):
    manifest = load_manifest(REPO / "config" / "datasets.yaml")
    spec = file_spec(manifest, "nsl-kdd", "KDDTest-21.txt")
    target = tmp_path / "KDDTest-21.txt"
    acquire(spec, target, mirror_dir=data_mirror)
    assert target.stat().st_size == spec.size_bytes
