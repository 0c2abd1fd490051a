"""envs/*.yaml carry exactly the package's pins, so conda runs match pip runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_name(r): r.replace(" ", "") for r in project["dependencies"]}


def test_every_pyproject_dependency_is_pinned_exactly():
    for requirement in _pyproject_pins().values():
        assert "==" in requirement, f"{requirement} is not an exact pin"


def test_conda_envs_carry_the_same_pins_as_pyproject():
    pins = _pyproject_pins()
    env_files = sorted((REPO / "envs").glob("*.yaml"))
    assert env_files, "envs/ holds no environment file"
    for env_file in env_files:
        env = yaml.safe_load(env_file.read_text())
        pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
        listed = {_name(r): r.replace(" ", "") for section in pip_sections for r in section if not r.startswith("-")}
        for name, requirement in listed.items():
            assert name in pins, f"{env_file.name}: {requirement} is not a dependency in pyproject.toml"
            assert requirement == pins[name], f"{env_file.name}: {requirement} differs from pyproject's {pins[name]}"
        if env_file.name == "tinyids.yaml":
            assert set(listed) == set(pins), f"{env_file.name} lacks {sorted(set(pins) - set(listed))}"
