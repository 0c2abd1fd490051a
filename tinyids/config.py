"""Configuration validation with messages that name the key at fault.

The top-level keys are checked against ``config.schema.yaml``; each stage section against
``<section>.schema.yaml`` beside it. All errors are collected and reported together, each as
``<dotted.key>: <problem>``, so a user fixes a bad config in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tinyids.errors import ConfigError

SECTIONS = ("datasets", "mqtt_testbed", "srm2025", "ibrahim2025", "idrissi2022", "codegen", "firmware", "report")


def load_schema(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _dotted(prefix: str, error: jsonschema.ValidationError) -> str:
    parts = [prefix] if prefix else []
    parts += [str(p) for p in error.absolute_path]
    key = ".".join(parts) or "<top level>"
    message = error.message
    if error.validator == "additionalProperties":
        # jsonschema says "Additional properties are not allowed ('x' was unexpected)":
        # name the unknown key itself so the user sees exactly what to remove or fix.
        allowed = sorted(error.schema.get("properties", {}))
        message = f"{message}; allowed keys: {', '.join(allowed)}"
    return f"{key}: {message}"


def schema_errors(instance: Any, schema: Mapping[str, Any], prefix: str = "") -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [_dotted(prefix, e) for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))]


def validate_config(config: Mapping[str, Any], schema_dir: str | Path) -> dict[str, Any]:
    """Validate ``config``; return it unchanged as a plain dict or raise ConfigError."""
    schema_dir = Path(schema_dir)
    config = dict(config)
    errors = schema_errors(config, load_schema(schema_dir / "config.schema.yaml"))
    for section in SECTIONS:
        schema_file = schema_dir / f"{section}.schema.yaml"
        if section in config and schema_file.exists() and isinstance(config[section], Mapping):
            errors += schema_errors(config[section], load_schema(schema_file), prefix=section)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return config


def load_config(*paths: str | Path, schema_dir: str | Path) -> dict[str, Any]:
    """Load and deep-merge YAML files in order (as Snakemake does with --configfile), then validate."""
    merged: dict[str, Any] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: a config file must hold a mapping at the top level")
        deep_merge(merged, data)
    return validate_config(merged, schema_dir)


def deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base
