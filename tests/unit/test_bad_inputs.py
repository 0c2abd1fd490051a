"""Every bad input of docs/BAD_INPUTS.md, one test per row: the exact error and no partial output.

Each row builds its bad input in a temporary folder, runs the step a workflow rule runs on it
(acquire a file, extract an archive member, validate a dataset into tables, validate the config)
and asserts the exact message (temporary folder written as <tmp>) and that the step's output
folder holds nothing afterwards. `python tests/unit/test_bad_inputs.py` prints the table of
docs/BAD_INPUTS.md from these rows, with the messages measured now.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tinyids.config import validate_config  # noqa: E402
from tinyids.datasets.archive import extract_tar_member, extract_zip_member  # noqa: E402
from tinyids.datasets.download import acquire  # noqa: E402
from tinyids.datasets.manifest import FileSpec, load_manifest  # noqa: E402
from tinyids.datasets.prepare import prepare  # noqa: E402
from tinyids.errors import ChecksumError, ConfigError, DataError, DownloadError, UnsafeArchiveError  # noqa: E402
from tinyids.fileio import atomic_path, write_json_atomic  # noqa: E402

SCHEMAS = REPO / "config" / "schemas"
MANIFEST = REPO / "config" / "datasets.yaml"
CONTENT = b"0,tcp,http,SF,181,5450\n" * 40
DIGEST = hashlib.sha256(CONTENT).hexdigest()
WUSTL = "wustl-ehms-2020_with_attacks_categories.csv"


def _mirror_dir() -> Path:
    return Path(os.environ.get("TINYIDS_DATA_MIRROR", REPO.parent / "shared" / "data")).resolve()


def _head(gz: Path, n: int) -> list[str]:
    with gzip.open(gz, "rt") as handle:
        return [next(handle) for _ in range(n)]


# ---------------------------------------------------------------- the steps, as the rules run them
def _acquire(tmp: Path, mirror_content: bytes | None, *, raw_gz: bytes | None = None) -> None:
    mirror = tmp / "mirror" / "demo"
    mirror.mkdir(parents=True)
    if raw_gz is not None:
        (mirror / "demo.txt.gz").write_bytes(raw_gz)
    elif mirror_content is not None:
        with gzip.open(mirror / "demo.txt.gz", "wb") as handle:
            handle.write(mirror_content)
    spec = FileSpec(dataset="demo", name="demo.txt", sources=(), mirror="demo/demo.txt.gz", sha256=DIGEST)
    acquire(spec, tmp / "out" / "demo.txt", mirror_dir=tmp / "mirror")


def _prepare(tmp: Path, dataset: str, files: dict[str, Path], nan_policy: str = "fail", source: str | None = None):
    """What workflow/scripts/data_prepare.py does: validate everything, then write atomically."""
    tables, card = prepare(dataset, files, load_manifest(MANIFEST), nan_policy=nan_policy, source=source)
    for stem, frame in tables.items():
        with atomic_path(tmp / "out" / f"{stem}.parquet") as part:
            frame.to_parquet(part, index=False)
    write_json_atomic(tmp / "out" / "card.json", card)


def _nsl(tmp: Path, edit: Callable[[list[list[str]]], None] | None = None, raw: str | None = None) -> None:
    rows = [line.rstrip("\n").split(",") for line in _head(_mirror_dir() / "nsl-kdd" / "KDDTest+.txt.gz", 20)]
    if edit:
        edit(rows)
    path = tmp / "in" / "KDDTest+.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else "".join(",".join(r) + "\n" for r in rows))
    _prepare(tmp, "nsl-kdd", {"KDDTest+.txt": path})


def _wustl(tmp: Path, edit: Callable[[list[list[str]]], None] | None = None, raw: str | None = None) -> None:
    rows = [line.rstrip("\n").split(",") for line in _head(_mirror_dir() / "wustl-ehms-2020" / f"{WUSTL}.gz", 20)]
    if edit:
        edit(rows)
    path = tmp / "in" / WUSTL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else "".join(",".join(r) + "\n" for r in rows))
    _prepare(tmp, "wustl-ehms-2020", {WUSTL: path})


def _mqtt(tmp: Path, normal_flag: str = "0", drop_class: str | None = None) -> None:
    from tinyids.datasets import mqtt

    files = {}
    (tmp / "in").mkdir(parents=True, exist_ok=True)
    for cls in mqtt.CLASSES:
        if cls == drop_class:
            continue
        flag = normal_flag if cls == "normal" else "1"
        rows = [",".join(mqtt.COLUMNS)]
        rows += [f"10.0.0.2,10.0.0.9,5{i}000,1883,6,{i + 3},0.5,0.1,0.2,0.9,60,{180 + i},1,0,0,2.5,54,66,{flag}"
                 for i in range(5)]
        path = tmp / "in" / f"uniflow_{cls}.csv"
        path.write_text("\n".join(rows) + "\n")
        files[path.name] = path
    _prepare(tmp, "mqtt-iot-ids2020", files, source="original")


def _set(rows: list[list[str]], row: int, column: int, value: str) -> None:
    rows[row][column] = value


def _zip(tmp: Path, members: dict[str, bytes], *, symlink: str | None = None, truncate: bool = False,
         member: str = "file.csv", max_bytes: int = 1 << 20) -> None:
    archive = tmp / "in" / "archive.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")
    if truncate:
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    (tmp / "out").mkdir(exist_ok=True)
    extract_zip_member(archive, member, tmp / "out" / "file.csv", max_bytes)


def _tar(tmp: Path, name: str) -> None:
    archive = tmp / "in" / "archive.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tf:
        data = b"a,b\n1,2\n"
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    (tmp / "out").mkdir(exist_ok=True)
    extract_tar_member(archive, "file.csv", tmp / "out" / "file.csv", 1 << 20)


def _config(tmp: Path, change: Callable[[dict], None]) -> None:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    change(config)
    validate_config(config, SCHEMAS)


def _truncated_gzip() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as handle:
        handle.write(CONTENT)
    data = buffer.getvalue()
    return data[: len(data) // 2]


# ---------------------------------------------------------------- the table
@dataclass(frozen=True)
class Row:
    name: str              # what the user did wrong
    caught_by: str         # where it is caught (the rule / step the user runs)
    run: Callable[[Path], None]
    error: type[Exception]
    message: str           # exact, <tmp> = the temporary folder; <any> = text that varies


def _top(c: dict) -> None:
    c["bogus"] = 1


ROWS: list[Row] = [
    Row("wrong sha256 (mirror or download holds another file)", "download_dataset_file",
        lambda t: _acquire(t, CONTENT + b"tampered\n"), ChecksumError,
        f"demo/demo.txt from <tmp>/mirror/demo/demo.txt.gz: sha256 mismatch: expected {DIGEST}, "
        f"got {hashlib.sha256(CONTENT + b'tampered' + bytes([10])).hexdigest()}"),
    Row("truncated gzip in the mirror", "download_dataset_file",
        lambda t: _acquire(t, None, raw_gz=_truncated_gzip()), DownloadError,
        "could not obtain demo/demo.txt\n"
        "  the mirror <tmp>/mirror (TINYIDS_DATA_MIRROR) holds an unusable copy:\n"
        "  tried <tmp>/mirror/demo/demo.txt.gz: corrupt or truncated gzip data "
        "(Compressed file ended before the end-of-stream marker was reached)\n"
        "  download it from one of: (no source recorded)\n"
        f"  and place the uncompressed file at <tmp>/out/demo.txt (sha256 {DIGEST}),\n"
        "  or set TINYIDS_DATA_MIRROR to a folder holding 'demo/demo.txt.gz'"),
    Row("file in no source (mirror lacks it)", "download_dataset_file",
        lambda t: _acquire(t, None), DownloadError,
        "could not obtain demo/demo.txt\n"
        "  the mirror <tmp>/mirror (TINYIDS_DATA_MIRROR) has no 'demo/demo.txt.gz'\n"
        "  download it from one of: (no source recorded)\n"
        f"  and place the uncompressed file at <tmp>/out/demo.txt (sha256 {DIGEST}),\n"
        "  or set TINYIDS_DATA_MIRROR to a folder holding 'demo/demo.txt.gz'"),
    Row("truncated zip archive", "download_dataset_file (zip source)",
        lambda t: _zip(t, {"data/file.csv": os.urandom(4000)}, truncate=True), UnsafeArchiveError,
        "<tmp>/in/archive.zip: not a valid zip archive (File is not a zip file)"),
    Row("zip archive with a ../ member", "download_dataset_file (zip source)",
        lambda t: _zip(t, {"../evil.csv": b"x", "file.csv": b"a\n"}), UnsafeArchiveError,
        "<tmp>/in/archive.zip: member '../evil.csv' climbs out of the target folder ('..'); refusing"),
    Row("tar archive with a ../ member", "archive extraction (tar)",
        lambda t: _tar(t, "data/../../file.csv"), UnsafeArchiveError,
        "<tmp>/in/archive.tar.gz: member 'data/../../file.csv' climbs out of the target folder ('..'); refusing"),
    Row("zip archive with an absolute member", "download_dataset_file (zip source)",
        lambda t: _zip(t, {"/etc/cron.d/evil": b"x", "file.csv": b"a\n"}), UnsafeArchiveError,
        "<tmp>/in/archive.zip: member '/etc/cron.d/evil' has an absolute path; refusing to extract"),
    Row("zip archive with a symbolic link", "download_dataset_file (zip source)",
        lambda t: _zip(t, {"file.csv": b"a\n"}, symlink="link.csv"), UnsafeArchiveError,
        "<tmp>/in/archive.zip: member 'link.csv' is a symbolic link; refusing"),
    Row("zip bomb (member larger than max_archive_member_mb)", "download_dataset_file (zip source)",
        lambda t: _zip(t, {"file.csv": b"0" * 5000}, max_bytes=1000), UnsafeArchiveError,
        "<tmp>/in/archive.zip: member 'file.csv' is 5000 bytes, over the 1000-byte limit"),
    Row("CSV with a missing column (WUSTL 'SrcLoad' removed)", "prepare_wustl",
        lambda t: _wustl(t, lambda rows: [r.pop(8) for r in rows]), DataError,
        f"<tmp>/in/{WUSTL}: 44 columns, expected 45; missing columns: SrcLoad"),
    Row("row with a missing field (NSL-KDD, 42 of 43)", "prepare_nslkdd",
        lambda t: _nsl(t, lambda rows: [r.pop(4) for r in rows]), DataError,
        "<tmp>/in/KDDTest+.txt: 42 fields per row, expected 43 (41 features, label, difficulty)"),
    Row("non-numeric cell", "prepare_nslkdd",
        lambda t: _nsl(t, lambda rows: _set(rows, 2, 4, "12kB")), DataError,
        "<tmp>/in/KDDTest+.txt: column 'src_bytes' has non-numeric cells at row(s) 3 (e.g. '12kB')"),
    Row("NaN cell (datasets.nan_policy: fail, the default)", "prepare_nslkdd",
        lambda t: _nsl(t, lambda rows: _set(rows, 4, 5, "nan")), DataError,
        "<tmp>/in/KDDTest+.txt: NaN or infinite values (per column: dst_bytes: 1); first at row(s) 5. "
        "Set datasets.nan_policy to drop or impute to proceed."),
    Row("inf cell", "prepare_wustl",
        lambda t: _wustl(t, lambda rows: _set(rows, 3, 6, "inf")), DataError,
        f"<tmp>/in/{WUSTL}: NaN or infinite values (per column: SrcBytes: 1); first at row(s) 4. "
        "Set datasets.nan_policy to drop or impute to proceed."),
    Row("unknown label", "prepare_nslkdd",
        lambda t: _nsl(t, lambda rows: _set(rows, 6, 41, "martian")), DataError,
        "<tmp>/in/KDDTest+.txt: unknown label(s) martian in column 'label' at row(s) 7"),
    Row("Label disagrees with Attack Category", "prepare_wustl",
        lambda t: _wustl(t, lambda rows: _set(rows, 2, 44, "1")), DataError,
        f"<tmp>/in/{WUSTL}: 'Label' disagrees with 'Attack Category' at row(s) 3"),
    Row("attack flag in the normal capture (MQTT)", "prepare_mqtt",
        lambda t: _mqtt(t, normal_flag="1"), DataError,
        "<tmp>/in/uniflow_normal.csv: unknown label(s) 1.0 in column 'is_attack' at row(s) 2, 3, 4, 5, 6"),
    Row("a class file missing (MQTT)", "prepare_mqtt",
        lambda t: _mqtt(t, drop_class="sparta"), DataError,
        "MQTT uniflow data lacks the class file(s): sparta"),
    Row("empty file (0 bytes)", "prepare_nslkdd",
        lambda t: _nsl(t, raw=""), DataError,
        "<tmp>/in/KDDTest+.txt: the file is empty"),
    Row("header only, no data rows", "prepare_wustl",
        lambda t: _wustl(t, lambda rows: rows.__delitem__(slice(1, None))), DataError,
        f"<tmp>/in/{WUSTL}: the file holds no data rows"),
    Row("config value out of range (seed: -1)", "any snakemake call (config check)",
        lambda t: _config(t, lambda c: c.__setitem__("seed", -1)), ConfigError,
        "invalid configuration:\n  seed: -1 is less than the minimum of 0"),
    Row("config value out of range (datasets.download_timeout_s: 0)", "any snakemake call (config check)",
        lambda t: _config(t, lambda c: c["datasets"].__setitem__("download_timeout_s", 0)), ConfigError,
        "invalid configuration:\n  datasets.download_timeout_s: 0 is less than or equal to the minimum of 0"),
    Row("config value not among the choices (datasets.nan_policy: ignore)", "any snakemake call (config check)",
        lambda t: _config(t, lambda c: c["datasets"].__setitem__("nan_policy", "ignore")), ConfigError,
        "invalid configuration:\n  datasets.nan_policy: 'ignore' is not one of ['fail', 'drop', 'impute']"),
    Row("unknown config key (top level)", "any snakemake call (config check)",
        lambda t: _config(t, _top), ConfigError,
        "invalid configuration:\n  <top level>: Additional properties are not allowed ('bogus' was unexpected); "
        "allowed keys: codegen, datasets, firmware, ibrahim2025, idrissi2022, mqtt_testbed, report, seed, "
        "smoke, srm2025, studies"),
    Row("unknown config key (in a study section)", "any snakemake call (config check)",
        lambda t: _config(t, lambda c: c["srm2025"].__setitem__("epochz", 3)), ConfigError,
        "invalid configuration:\n  srm2025: Additional properties are not allowed ('epochz' was unexpected); "
        "allowed keys: <any>"),
    Row("unknown study", "any snakemake call (config check)",
        lambda t: _config(t, lambda c: c.__setitem__("studies", ["srm2025", "nosuchstudy"])), ConfigError,
        "invalid configuration:\n  studies.1: 'nosuchstudy' is not one of ['srm2025', 'ibrahim2025', 'idrissi2022']"),
]


def _matches(actual: str, expected: str) -> bool:
    import re

    pattern = re.escape(expected).replace(re.escape("<any>"), ".*?")
    return re.fullmatch(pattern, actual, flags=re.S) is not None


def _outputs(tmp: Path) -> list[str]:
    out = tmp / "out"
    return sorted(str(p.relative_to(tmp)) for p in out.rglob("*")) if out.exists() else []


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_bad_input_gives_its_exact_error_and_leaves_no_output(row: Row, tmp_path: Path, data_mirror: Path):
    with pytest.raises(row.error) as err:
        row.run(tmp_path)
    actual = str(err.value).replace(str(tmp_path), "<tmp>")
    assert _matches(actual, row.message), f"message changed:\n  got:      {actual!r}\n  expected: {row.message!r}"
    assert _outputs(tmp_path) == [], f"partial output left behind: {_outputs(tmp_path)}"


def markdown_table() -> str:
    import tempfile

    lines = ["| # | Bad input | Caught by | Error type | Exact message (`<tmp>` = where the file was) |",
             "|---|---|---|---|---|"]
    for i, row in enumerate(ROWS, 1):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                row.run(Path(tmp))
                message = "(no error!)"
            except Exception as exc:  # noqa: BLE001 - the table shows whatever happens
                message = str(exc).replace(tmp, "<tmp>")
        cell = message.replace("|", "\\|").replace("\n", "<br>")
        lines.append(f"| {i} | {row.name} | `{row.caught_by}` | `{row.error.__name__}` | {cell} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
