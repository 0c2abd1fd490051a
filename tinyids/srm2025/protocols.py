"""Evaluation protocols of srm2025 and stratified subsampling.

- ``thesis``: a stratified random 80/20 split of the training file, which is what the thesis's
  near-perfect scores imply (its text says "usually in an 80-20 or 70-30 ratio").
- ``standard``: train on the whole training file, test on KDDTest+ and on KDDTest-21, the
  published NSL-KDD protocol (Tavallaee et al. 2009).

Every split carries the name of the training file so every output can say which one it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sklearn.model_selection import train_test_split

from tinyids.errors import ConfigError, DataError
from tinyids.study.sampling import stratified_subsample

PROTOCOLS = ("thesis", "standard")
STANDARD_TEST_STEMS = ("KDDTest+", "KDDTest-21")
THESIS_TEST_SET = "holdout"


def test_set_names(protocol: str) -> list[str]:
    if protocol == "thesis":
        return [THESIS_TEST_SET]
    if protocol == "standard":
        return list(STANDARD_TEST_STEMS)
    raise ConfigError(f"srm2025.protocols: unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")


@dataclass
class Split:
    protocol: str
    train_file: str
    train: pd.DataFrame
    tests: dict[str, pd.DataFrame] = field(default_factory=dict)


# A row cap (``subsample``) is stratified on the attack class, or on is_attack where a class has a
# single row or the classes outnumber the cap (tinyids.study.sampling: the first column that fits).
SUBSAMPLE_STRATA = ("attack_class", "is_attack")


def _strata(frame: pd.DataFrame) -> pd.Series:
    """Stratify on the attack class where every class has two rows or more, else on is_attack."""
    strata = frame["attack_class"].astype(str)
    if strata.value_counts().min() >= 2:
        return strata
    return frame["is_attack"].astype(str)


def make_split(
    protocol: str,
    train_frame: pd.DataFrame,
    train_file: str,
    test_frames: dict[str, pd.DataFrame] | None = None,
    *,
    test_size: float = 0.2,
    seed: int = 0,
    subsample_train: int | None = None,
    subsample_test: int | None = None,
) -> Split:
    """The training rows and named test sets of one protocol.

    ``subsample_train`` / ``subsample_test`` cap the rows (stratified) for the smoke run; the
    thesis protocol subsamples the training file before splitting it.
    """
    if len(train_frame) == 0:
        raise DataError(f"{train_file}: the training table is empty")
    train = stratified_subsample(train_frame, subsample_train, seed, by=SUBSAMPLE_STRATA, key="srm2025.subsample.train")
    if protocol == "thesis":
        if not 0.0 < test_size < 1.0:
            raise ConfigError(f"srm2025.thesis_test_size: {test_size} must lie strictly between 0 and 1")
        fit_rows, holdout = train_test_split(train, test_size=test_size, stratify=_strata(train), random_state=seed)
        return Split(
            protocol,
            train_file,
            fit_rows.sort_index().reset_index(drop=True),
            {THESIS_TEST_SET: holdout.sort_index().reset_index(drop=True)},
        )
    if protocol == "standard":
        test_frames = test_frames or {}
        missing = [name for name in STANDARD_TEST_STEMS if name not in test_frames]
        if missing:
            raise DataError(f"standard protocol needs test table(s) {missing}")
        tests = {name: stratified_subsample(test_frames[name], subsample_test, seed, by=SUBSAMPLE_STRATA,
                                            key="srm2025.subsample.test") for name in STANDARD_TEST_STEMS}
        return Split(protocol, train_file, train, tests)
    test_set_names(protocol)  # raises the ConfigError naming the protocol
    raise AssertionError("unreachable")

