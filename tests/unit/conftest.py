"""Fixtures shared by unit-test modules (the session-wide ones live in tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# the idrissi2022 stand-in's 0/1 "logged_in" column plays the categorical uniflow column "proto"
STANDIN_UNIFLOW_SEED = 3


@pytest.fixture(scope="session")
def standin_uniflow_features() -> list[str]:
    from tinyids.idrissi2022 import standin

    return [("proto" if f == "logged_in" else f) for f in standin.FEATURES]


@pytest.fixture(scope="session")
def standin_uniflow_frame(data_mirror) -> pd.DataFrame:
    """A small real table (NSL-KDD rows in the uniflow stand-in's shape) with a text ``proto``."""
    from tinyids.idrissi2022 import standin

    frame = standin.load(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz", per_class=80, seed=0)
    frame["proto"] = np.where(frame.pop("logged_in") > 0, "tcp", "udp")
    return frame


@pytest.fixture(scope="session")
def standin_uniflow_prepared(standin_uniflow_frame, standin_uniflow_features):
    from tinyids.idrissi2022 import protocols, standin

    return protocols.prepare(standin_uniflow_frame.copy(), protocol="dedup", features=standin_uniflow_features,
                             classes=standin.CLASSES, seed=STANDIN_UNIFLOW_SEED,
                             split={"train": 0.6, "val": 0.2, "test": 0.2}, chi2_k=7)
