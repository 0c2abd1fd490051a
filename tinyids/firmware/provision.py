"""Provision PlatformIO's only core package, ``tool-scons``, from PyPI's scons, offline.

PlatformIO runs every build through its core package ``tool-scons`` (requirement
``~4.41101.0`` in ``platformio/dependencies.py``) and would download it from its registry,
which is unreachable here. The scons wheel from PyPI (``scons==4.11.1``, pinned in
pyproject.toml and installed in the venv) holds the same SCons; this module lays it out as
the PlatformIO package in a project-local ``PLATFORMIO_CORE_DIR``:

    <core>/packages/tool-scons/SCons/...      the SCons package (from the wheel, or the venv)
    <core>/packages/tool-scons/scons.py       puts its folder on sys.path, runs SCons.Script.main()
    <core>/packages/tool-scons/package.json   name tool-scons, version 4.41101.0
    <core>/packages/tool-scons/.piopm         type tool, spec owner "platformio" (PlatformIO
                                              matches the owner; a null owner sends it online)

Usage (the set-up command calls this):

    .venv/bin/python -m tinyids.firmware.provision [--core-dir firmware/.platformio]
                                                   [--wheel path/to/scons-4.11.1-py3-none-any.whl]

Idempotent: an existing, complete package of the right version is left alone.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import shutil
import sys
import zipfile
from pathlib import Path

from tinyids.errors import TinyidsError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORE_DIR = REPO_ROOT / "firmware" / ".platformio"
SCONS_VERSION = "4.11.1"
# PlatformIO's version scheme for tool-scons: 4.MMmmpp.0 for SCons M.mm.pp (4.11.1 -> 4.41101.0)
PIO_TOOL_SCONS_VERSION = "4.41101.0"

_SCONS_PY = '''\
"""tool-scons entry point (provisioned by tinyids.firmware.provision from PyPI's scons)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from SCons.Script import main  # noqa: E402

if __name__ == "__main__":
    main()
'''


def pio_env(core_dir: str | Path = DEFAULT_CORE_DIR) -> dict[str, str]:
    """Environment variables every offline ``pio`` call needs (no upgrade check, no telemetry)."""
    return {
        "PLATFORMIO_CORE_DIR": str(Path(core_dir).resolve()),
        "PLATFORMIO_DISABLE_UPGRADE_CHECK": "true",
        "PLATFORMIO_SETTING_ENABLE_TELEMETRY": "no",
        "PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL": "3650",
        "PLATFORMIO_SETTING_CHECK_PLATFORMS_INTERVAL": "3650",
        "PLATFORMIO_SETTING_CHECK_PRUNE_SYSTEM_THRESHOLD": "0",
        "PLATFORMIO_NO_ANSI": "true",
    }


def tool_scons_dir(core_dir: str | Path = DEFAULT_CORE_DIR) -> Path:
    return Path(core_dir) / "packages" / "tool-scons"


def is_provisioned(core_dir: str | Path = DEFAULT_CORE_DIR) -> bool:
    pkg = tool_scons_dir(core_dir)
    try:
        manifest = json.loads((pkg / "package.json").read_text())
        piopm = json.loads((pkg / ".piopm").read_text())
    except (OSError, ValueError):
        return False
    return (
        manifest.get("version") == PIO_TOOL_SCONS_VERSION
        and (piopm.get("spec") or {}).get("owner") == "platformio"
        and (pkg / "scons.py").is_file()
        and (pkg / "SCons" / "Script" / "__init__.py").is_file()
    )


def _copy_scons_from_wheel(wheel: Path, dest: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        members = [m for m in zf.namelist() if m.startswith("SCons/")]
        if not members:
            raise TinyidsError(f"{wheel}: no SCons/ package inside; is it the scons wheel?")
        for member in members:
            target = (dest / member).resolve()
            if dest.resolve() not in target.parents:
                raise TinyidsError(f"{wheel}: member {member!r} escapes the package folder")
            if member.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(member))


def _copy_scons_from_installed(dest: Path) -> None:
    try:
        version = importlib.metadata.version("scons")
    except importlib.metadata.PackageNotFoundError as exc:
        raise TinyidsError(
            "scons is not installed in this Python environment; `pip install scons==4.11.1` "
            "(PyPI) or pass --wheel"
        ) from exc
    if version != SCONS_VERSION:
        raise TinyidsError(f"scons {version} installed, tool-scons needs {SCONS_VERSION}")
    import SCons  # noqa: PLC0415  (the installed wheel's package)

    shutil.copytree(
        Path(SCons.__file__).parent,
        dest / "SCons",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def provision(core_dir: str | Path = DEFAULT_CORE_DIR, wheel: str | Path | None = None, force: bool = False) -> Path:
    """Install tool-scons into ``core_dir``; return the package folder."""
    core_dir = Path(core_dir)
    pkg = tool_scons_dir(core_dir)
    if is_provisioned(core_dir) and not force:
        return pkg
    tmp = pkg.with_name(".tool-scons.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        if wheel:
            _copy_scons_from_wheel(Path(wheel), tmp)
        else:
            _copy_scons_from_installed(tmp)
        (tmp / "scons.py").write_text(_SCONS_PY)
        manifest = {
            "name": "tool-scons",
            "version": PIO_TOOL_SCONS_VERSION,
            "description": f"SCons {SCONS_VERSION} from PyPI, provisioned offline by tinyids",
            "keywords": ["build tools"],
            "license": "MIT",
            "homepage": "https://scons.org",
            "system": "*",
        }
        (tmp / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        piopm = {
            "type": "tool",
            "name": "tool-scons",
            "version": PIO_TOOL_SCONS_VERSION,
            "spec": {
                "owner": "platformio",
                "id": None,
                "name": "tool-scons",
                "requirements": None,
                "uri": None,
            },
        }
        (tmp / ".piopm").write_text(json.dumps(piopm) + "\n")
        shutil.rmtree(pkg, ignore_errors=True)
        tmp.rename(pkg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not is_provisioned(core_dir):
        raise TinyidsError(f"tool-scons provisioning into {pkg} did not complete")
    return pkg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core-dir", default=str(DEFAULT_CORE_DIR), help="PLATFORMIO_CORE_DIR")
    parser.add_argument("--wheel", default=None, help="scons wheel to unpack (default: the installed scons)")
    parser.add_argument("--force", action="store_true", help="reinstall even if present")
    args = parser.parse_args(argv)
    try:
        pkg = provision(args.core_dir, args.wheel, args.force)
    except TinyidsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"tool-scons {PIO_TOOL_SCONS_VERSION} (SCons {SCONS_VERSION}) ready in {pkg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
