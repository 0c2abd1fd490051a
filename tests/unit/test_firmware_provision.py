"""tool-scons is provisioned offline from PyPI's scons, as the PlatformIO core package it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tinyids.firmware import provision


def test_provision_lays_out_tool_scons_with_platformio_owner(tmp_path: Path):
    pkg = provision.provision(tmp_path / "core")
    manifest = json.loads((pkg / "package.json").read_text())
    piopm = json.loads((pkg / ".piopm").read_text())
    assert manifest["name"] == "tool-scons" and manifest["version"] == "4.41101.0"
    # PlatformIO matches the owner: a null owner sends it to the (unreachable) registry
    assert piopm["type"] == "tool" and piopm["spec"]["owner"] == "platformio"
    assert provision.is_provisioned(tmp_path / "core")


def test_provisioned_scons_entry_point_runs(tmp_path: Path):
    pkg = provision.provision(tmp_path / "core")
    out = subprocess.run([sys.executable, str(pkg / "scons.py"), "--version"], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0 and "4.11.1" in out.stdout


def test_provision_is_idempotent_and_matches_platformio_requirement(tmp_path: Path):
    from platformio.dependencies import get_core_dependencies
    from platformio.package.version import cast_version_to_semver  # noqa: F401
    import semantic_version

    first = provision.provision(tmp_path / "core")
    stamp = (first / "package.json").stat().st_mtime_ns
    second = provision.provision(tmp_path / "core")
    assert first == second and (second / "package.json").stat().st_mtime_ns == stamp
    requirement = semantic_version.SimpleSpec(get_core_dependencies()["tool-scons"])
    assert requirement.match(semantic_version.Version(provision.PIO_TOOL_SCONS_VERSION))


def test_provision_from_a_wheel_file(tmp_path: Path):
    import zipfile

    import SCons

    wheel = tmp_path / "scons-4.11.1-py3-none-any.whl"
    root = Path(SCons.__file__).parent
    with zipfile.ZipFile(wheel, "w") as zf:
        for f in root.rglob("*.py"):
            zf.write(f, "SCons/" + f.relative_to(root).as_posix())
    pkg = provision.provision(tmp_path / "core", wheel=wheel)
    assert (pkg / "SCons" / "Script" / "__init__.py").is_file()


def test_pio_env_disables_network_checks(tmp_path: Path):
    env = provision.pio_env(tmp_path)
    assert env["PLATFORMIO_CORE_DIR"] == str(tmp_path.resolve())
    assert env["PLATFORMIO_DISABLE_UPGRADE_CHECK"] == "true"
    assert env["PLATFORMIO_SETTING_ENABLE_TELEMETRY"] == "no"
