"""File-name helpers for ``workflow/rules/idrissi2022.smk`` (kept here so the rules stay declarative)."""

from __future__ import annotations

from collections.abc import Sequence

from tinyids.idrissi2022 import KERAS_VARIANTS

# The trained Keras model each TFLite variant starts from.
VARIANT_BASE: dict[str, str] = {"tM": "OM", "tMO": "POM", "tMOP": "POM7", "tMO_QAT": "POM"}


def run_dir(pattern: str, protocol: str, seed: int | str) -> str:
    return pattern.format(protocol=protocol, seed=seed)


def runs(pattern: str, name: str, protocols: Sequence[str], seeds: Sequence[int]) -> list[str]:
    """``<run>/<name>`` for every (protocol, seed)."""
    return [f"{run_dir(pattern, p, s)}/{name}" for p in protocols for s in seeds]


def tflite_variants(variants: Sequence[str]) -> list[str]:
    return [v for v in variants if v in VARIANT_BASE]


def keras_models(variants: Sequence[str]) -> list[str]:
    """Keras models to train: the Keras variants asked for and the bases of the TFLite ones."""
    return sorted({v for v in variants if v not in VARIANT_BASE} | {VARIANT_BASE[v] for v in tflite_variants(variants)})


def variant_files(variants: Sequence[str]) -> dict[str, dict[str, str | None]]:
    """Relative file names (inside a protocol/seed folder) each evaluated variant needs."""
    files: dict[str, dict[str, str | None]] = {}
    for v in variants:
        if v in KERAS_VARIANTS:
            files[v] = {"keras": f"models/{v}.h5", "tflite": None}
        else:
            files[v] = {"keras": f"variants/{v}.h5", "tflite": f"variants/{v}.tflite"}
    return files


def eval_files(pattern: str, protocol: str, seed: int | str, variants: Sequence[str]) -> dict[str, dict[str, str | None]]:
    run = run_dir(pattern, protocol, seed)
    return {v: {k: (f"{run}/{p}" if p else None) for k, p in d.items()} for v, d in variant_files(variants).items()}


def eval_inputs(pattern: str, protocol: str, seed: int | str, variants: Sequence[str]) -> list[str]:
    files = eval_files(pattern, protocol, seed, variants)
    return sorted({p for d in files.values() for p in d.values() if p})


def base_model(pattern: str, protocol: str, seed: int | str, variant: str) -> str:
    return f"{run_dir(pattern, protocol, seed)}/models/{VARIANT_BASE[variant]}.h5"


def deploy_protocol(protocols: Sequence[str], preferred: str) -> str:
    """The protocol whose deployables carry the plain variant names (``tMO``, ``tMOP``)."""
    return preferred if preferred in protocols else protocols[0]


def deploy_names(protocols: Sequence[str], deployables: Sequence[str], variants: Sequence[str],
                 preferred: str) -> list[str]:
    """``tMO``/``tMOP`` for the deploy protocol (what codegen and firmware read), ``<variant>_<protocol>``
    for every other protocol."""
    from tinyids.idrissi2022.deploy import deploy_name

    main = deploy_protocol(protocols, preferred)
    chosen = [v for v in deployables if v in tflite_variants(variants)]
    return [deploy_name(p, v, main) for p in protocols for v in chosen]


def parse_deploy_name(name: str, protocols: Sequence[str], preferred: str) -> tuple[str, str]:
    """(protocol, variant) of a deployable name made by :func:`deploy_names`."""
    for protocol in protocols:
        if name.endswith(f"_{protocol}"):
            return protocol, name[: -len(protocol) - 1]
    return deploy_protocol(protocols, preferred), name


def deploy_files(out: str, names: Sequence[str]) -> list[str]:
    return [f"{out}/deploy/{n}{ext}" for n in names for ext in (".tflite", ".npz", ".json")]
