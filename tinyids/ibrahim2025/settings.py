"""The ``ibrahim2025`` config section as typed settings.

The JSON schema (``config/schemas/ibrahim2025.schema.yaml``) checks types and ranges; this
module adds the checks that relate keys to each other and names the key at fault in a
:class:`~tinyids.errors.ConfigError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tinyids.errors import ConfigError

PROTOCOLS = ("paper", "sound")
ORDERS = PROTOCOLS  # a protocol variant follows the order of one of the two base protocols
FULL = "full"
SPAN = "span"
ROBUST_SUFFIX = "_robust"  # quantization-robust deployable of a model: "<model>_robust"


@dataclass(frozen=True)
class Training:
    learning_rate: float = 0.001
    batch_size: int = 10
    epochs: int = 100
    validation_split: float = 0.2
    jit_compile: bool = True
    steps_per_execution: int = 1


@dataclass(frozen=True)
class Pruning:
    initial_sparsity: float = 0.5
    final_sparsity: float = 0.9
    begin_step: int = 0
    power: float = 3.0
    frequency: int = 100
    fine_tune_epochs: int = 10
    jit_compile: bool = False
    # variant name -> end step (int) or "span" (the last pruning step the fine-tuning reaches)
    variants: dict[str, int | str] = field(default_factory=lambda: {"pruned_paper": 100, "pruned_span": SPAN})


@dataclass(frozen=True)
class ProtocolVariant:
    """A named protocol (issue 16): the order of ``paper`` or ``sound`` with its own columns."""

    order: str
    drop: tuple[str, ...]
    categorical: tuple[str, ...]
    models: tuple[str, ...] | None = None  # None = every model


@dataclass(frozen=True)
class Robust:
    """Quantization-robust deployables (issue 14): input standardisation and clipping fitted on
    training rows, activation ranges clipped at a percentile chosen on validation rows, the int8
    decision threshold chosen on validation rows."""

    models: tuple[str, ...] = ()
    protocols: tuple[str, ...] = PROTOCOLS
    calibration_samples: int = 2000
    input_scaling: str = "minmax"
    input_percentile: float | None = None
    logit_clip: float | None = 8.0
    activation_percentiles: tuple[float | None, ...] = (None, 99.99, 99.9)
    layer_search_sweeps: int = 0
    threshold_criterion: str = "attack_f1"


@dataclass(frozen=True)
class Settings:
    seed: int = 42
    protocols: tuple[str, ...] = PROTOCOLS
    max_rows: int | None = None
    drop_columns: tuple[str, ...] = ()
    categorical_columns: tuple[str, ...] = ("Flgs",)
    test_size: float = 0.2
    cv_folds: int = 1
    smote_k_neighbors: int = 5
    pca_components: int = 12
    units: tuple[int, ...] = (100, 512, 512, 512, 512)
    training: Training = Training()
    pruning: Pruning = Pruning()
    calibration_samples: int = 500
    threshold: float = 0.5
    bootstrap_resamples: int = 10000
    confidence: float = 0.95
    latency_samples: int = 1000
    deploy_protocols: tuple[str, ...] = PROTOCOLS
    deploy_models: tuple[str, ...] = (FULL, "pruned_paper", "pruned_span")
    threads: int = 2
    protocol_variants: Mapping[str, ProtocolVariant] = field(default_factory=dict)
    robust: Robust = Robust()
    smoke: bool = False
    paper: Mapping[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        """``full`` followed by the pruning variants, in config order."""
        return (FULL, *self.pruning.variants)

    @property
    def known_protocols(self) -> tuple[str, ...]:
        """The base protocols, then the configured variants (this order fixes their seeds)."""
        return (*PROTOCOLS, *self.protocol_variants)

    def order_of(self, protocol: str) -> str:
        """``paper`` or ``sound``: the order of fitting and splitting ``protocol`` follows."""
        return self.protocol_variants[protocol].order if protocol in self.protocol_variants else protocol

    def features_of(self, protocol: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(dropped, one-hot) columns of ``protocol``."""
        v = self.protocol_variants.get(protocol)
        return (v.drop, v.categorical) if v else (self.drop_columns, self.categorical_columns)

    def models_of(self, protocol: str) -> tuple[str, ...]:
        """The models trained under ``protocol`` (a variant may name a subset)."""
        v = self.protocol_variants.get(protocol)
        return self.models if v is None or v.models is None else tuple(m for m in self.models if m in v.models)

    def robust_models_of(self, protocol: str) -> tuple[str, ...]:
        """The models of ``protocol`` that get a robust variant."""
        if protocol not in self.robust.protocols:
            return ()
        return tuple(m for m in self.robust.models if m in self.models_of(protocol))

    @property
    def folds(self) -> tuple[int, ...]:
        return tuple(range(self.cv_folds))

    def protocol_seed(self, protocol: str, fold: int = 0) -> int:
        """One seed per (protocol, fold), derived from the study seed (stable across runs)."""
        return int(self.seed) * 1000 + self.known_protocols.index(protocol) * 100 + int(fold)


def _get(section: Mapping[str, Any], key: str, default: Any) -> Any:
    value = section.get(key, default)
    return default if value is None and default is not None else value


def from_config(config: Mapping[str, Any]) -> Settings:
    """Settings from the whole workflow config (uses ``ibrahim2025``, ``seed`` and ``smoke``)."""
    if "ibrahim2025" not in config or not isinstance(config["ibrahim2025"], Mapping):
        raise ConfigError("ibrahim2025: the section is missing or is not a mapping")
    section = config["ibrahim2025"]
    seed = int(section.get("seed", config.get("seed", 42)))
    return from_section(section, seed=seed, smoke=bool(config.get("smoke", False)))


def from_section(section: Mapping[str, Any], *, seed: int = 42, smoke: bool = False) -> Settings:
    errors: list[str] = []
    tr = dict(section.get("training", {}) or {})
    pr = dict(section.get("pruning", {}) or {})
    features = dict(section.get("features", {}) or {})
    split = dict(section.get("split", {}) or {})
    evaluation = dict(section.get("evaluation", {}) or {})
    deploy = dict(section.get("deploy", {}) or {})
    rb = dict(section.get("robust", {}) or {})
    defaults = Settings()
    variants_cfg = dict(section.get("protocol_variants", {}) or {})
    protocol_variants = {
        str(name): ProtocolVariant(
            order=str(v.get("order", "paper")),
            drop=tuple((v.get("features", {}) or {}).get("drop", ())),
            categorical=tuple((v.get("features", {}) or {}).get("categorical", ())),
            models=tuple(v["models"]) if v.get("models") is not None else None,
        )
        for name, v in variants_cfg.items()
    }
    robust = Robust(
        models=tuple(rb.get("models", Robust.models)),
        protocols=tuple(rb.get("protocols", Robust.protocols)),
        calibration_samples=int(rb.get("calibration_samples", Robust.calibration_samples)),
        input_scaling=str(rb.get("input_scaling", Robust.input_scaling)),
        input_percentile=rb.get("input_percentile", Robust.input_percentile) if "input_percentile" in rb else Robust.input_percentile,
        activation_percentiles=tuple(rb.get("activation_percentiles", Robust.activation_percentiles)),
        logit_clip=rb.get("logit_clip", Robust.logit_clip) if "logit_clip" in rb else Robust.logit_clip,
        layer_search_sweeps=int(rb.get("layer_search_sweeps", Robust.layer_search_sweeps)),
        threshold_criterion=str(rb.get("threshold_criterion", Robust.threshold_criterion)),
    )
    training = Training(**{k: tr[k] for k in Training.__dataclass_fields__ if k in tr})
    variants = pr.get("variants", Pruning().variants)
    # null switches a variant off (config/smoke.yaml merges over config.yaml, whose mapping it cannot shrink)
    variants = {name: end for name, end in dict(variants).items() if end is not None}
    pruning = Pruning(**{k: pr[k] for k in Pruning.__dataclass_fields__ if k in pr and k != "variants"}, variants=variants)
    settings = Settings(
        seed=seed,
        protocols=tuple(section.get("protocols", PROTOCOLS)),
        max_rows=section.get("max_rows"),
        drop_columns=tuple(features.get("drop", defaults.drop_columns)),
        categorical_columns=tuple(features.get("categorical", defaults.categorical_columns)),
        test_size=float(split.get("test_size", defaults.test_size)),
        cv_folds=int(split.get("cv_folds", defaults.cv_folds)),
        smote_k_neighbors=int(section.get("smote_k_neighbors", defaults.smote_k_neighbors)),
        pca_components=int(section.get("pca_components", defaults.pca_components)),
        units=tuple(int(u) for u in (section.get("model", {}) or {}).get("units", defaults.units)),
        training=training,
        pruning=pruning,
        calibration_samples=int(section.get("quantization", {}).get("calibration_samples", defaults.calibration_samples)),
        threshold=float(evaluation.get("threshold", defaults.threshold)),
        bootstrap_resamples=int(evaluation.get("bootstrap_resamples", defaults.bootstrap_resamples)),
        confidence=float(evaluation.get("confidence", defaults.confidence)),
        latency_samples=int(evaluation.get("latency_samples", defaults.latency_samples)),
        deploy_protocols=tuple(deploy.get("protocols", defaults.deploy_protocols)),
        deploy_models=tuple(deploy.get("models", defaults.deploy_models)),
        threads=int(section.get("threads", defaults.threads)),
        protocol_variants=protocol_variants,
        robust=robust,
        smoke=smoke,
        paper=dict(section.get("paper", {}) or {}),
    )

    p = "ibrahim2025"
    if not settings.protocols:
        errors.append(f"{p}.protocols: name at least one of {', '.join(PROTOCOLS)}")
    for name in settings.protocols:
        if name not in settings.known_protocols:
            errors.append(f"{p}.protocols: unknown protocol {name!r} (known: {', '.join(settings.known_protocols)})")
    for name, v in protocol_variants.items():
        if name in PROTOCOLS:
            errors.append(f"{p}.protocol_variants.{name}: a variant cannot reuse a base protocol's name")
        if v.order not in ORDERS:
            errors.append(f"{p}.protocol_variants.{name}.order: {v.order!r} is not one of {', '.join(ORDERS)}")
        for model in v.models or ():
            if model not in settings.models:
                errors.append(f"{p}.protocol_variants.{name}.models: {model!r} is neither 'full' nor a pruning variant")
        overlap = set(v.drop) & set(v.categorical)
        if overlap:
            errors.append(f"{p}.protocol_variants.{name}.features: {', '.join(sorted(overlap))} both dropped and one-hot")
    for model in robust.models:
        if model not in settings.models:
            errors.append(f"{p}.robust.models: {model!r} is neither 'full' nor a pruning variant ({', '.join(settings.models)})")
    for proto in robust.protocols:
        if proto not in settings.known_protocols:
            errors.append(f"{p}.robust.protocols: unknown protocol {proto!r}")
    if not robust.activation_percentiles:
        errors.append(f"{p}.robust.activation_percentiles: name at least one candidate (null = no clipping)")
    if pruning.initial_sparsity > pruning.final_sparsity:
        errors.append(
            f"{p}.pruning.initial_sparsity: {pruning.initial_sparsity} exceeds "
            f"pruning.final_sparsity {pruning.final_sparsity}"
        )
    if not 0.0 < pruning.final_sparsity < 1.0:
        errors.append(f"{p}.pruning.final_sparsity: must lie in (0, 1), got {pruning.final_sparsity}")
    if not pruning.variants:
        errors.append(f"{p}.pruning.variants: name at least one pruning variant")
    for name, end in pruning.variants.items():
        if not str(name).startswith("pruned_"):
            errors.append(f"{p}.pruning.variants.{name}: variant names start with 'pruned_'")
        if end != SPAN and (not isinstance(end, int) or isinstance(end, bool) or end <= pruning.begin_step):
            errors.append(
                f"{p}.pruning.variants.{name}: end step must be an integer above pruning.begin_step "
                f"({pruning.begin_step}) or {SPAN!r}, got {end!r}"
            )
        elif end != SPAN and (end - pruning.begin_step) % pruning.frequency:
            errors.append(
                f"{p}.pruning.variants.{name}: end step {end} is not begin_step + k * frequency "
                f"({pruning.begin_step} + k * {pruning.frequency}); the final sparsity would never be applied"
            )
    if settings.cv_folds < 1:
        errors.append(f"{p}.split.cv_folds: must be >= 1, got {settings.cv_folds}")
    if not 0.0 < settings.test_size < 1.0:
        errors.append(f"{p}.split.test_size: must lie in (0, 1), got {settings.test_size}")
    if not 0.0 <= training.validation_split < 1.0:
        errors.append(f"{p}.training.validation_split: must lie in [0, 1), got {training.validation_split}")
    if settings.pca_components < 1:
        errors.append(f"{p}.pca_components: must be >= 1, got {settings.pca_components}")
    for proto in settings.deploy_protocols:
        if proto not in settings.protocols:
            errors.append(f"{p}.deploy.protocols: {proto!r} is not among ibrahim2025.protocols")
    for model in settings.deploy_models:
        if model.endswith(ROBUST_SUFFIX) and model[: -len(ROBUST_SUFFIX)] in settings.models:
            continue  # a robust variant; the workflow checks that robust.models names its model
        if model not in settings.models:
            errors.append(f"{p}.deploy.models: {model!r} is neither 'full' nor a pruning variant ({', '.join(settings.models)})")
    if not 0.0 < settings.confidence < 1.0:
        errors.append(f"{p}.evaluation.confidence: must lie in (0, 1), got {settings.confidence}")
    if settings.max_rows is not None and settings.max_rows < 20:
        errors.append(f"{p}.max_rows: needs at least 20 rows, got {settings.max_rows}")
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return settings
