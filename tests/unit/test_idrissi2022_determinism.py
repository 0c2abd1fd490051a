"""The same seed trains the same idrissi2022 model: the initial weights are seeded too (they were
drawn before the seed was set, so two runs of one config gave different models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import tinyids  # noqa: F401
from tinyids.config import load_config
from tinyids.idrissi2022 import models, protocols, standin, steps

REPO = Path(__file__).resolve().parents[2]


def test_train_step_with_one_seed_gives_identical_weights_twice(data_mirror, tmp_path):
    cfg = load_config(REPO / "config/config.yaml", REPO / "config/smoke.yaml", schema_dir=REPO / "config/schemas")["idrissi2022"]
    cfg["train"] = {**cfg["train"], "epochs": 2}
    frame = standin.load(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz", per_class=60, seed=0)
    prepared = protocols.prepare(frame, protocol="dedup", features=standin.FEATURES, classes=standin.CLASSES, seed=3,
                                 split={"train": 0.6, "val": 0.2, "test": 0.2}, chi2_k=7)
    prepared.save(tmp_path / "data.npz")
    runs = []
    for i in range(2):
        steps.train_step(tmp_path / "data.npz", cfg, model_name="POM", seed=11, threads=1,
                         out_model=tmp_path / f"m{i}.h5", out_history=tmp_path / f"h{i}.json")
        runs.append((models.load(tmp_path / f"m{i}.h5").get_weights(), json.loads((tmp_path / f"h{i}.json").read_text())))
    (w0, h0), (w1, h1) = runs
    assert h0["history"]["loss"] == h1["history"]["loss"]
    assert all(np.array_equal(a, b) for a, b in zip(w0, w1))


def test_training_under_op_determinism_falls_back_from_xla_instead_of_failing_on_maxpool():
    import tensorflow as tf

    from tensorflow.python.framework import config as tf_config

    was = tf_config.is_op_determinism_enabled()
    tf.config.experimental.enable_op_determinism()
    try:
        rng = np.random.default_rng(0)
        x, y = rng.random((96, 16), dtype=np.float32), rng.integers(0, 5, 96)
        net = models.build("POM", 16, 5, {"POM": {"filters": 4, "kernel_size": 3}})
        history = models.train(net, x, y, x[:16], y[:16], epochs=1, batch_size=32, learning_rate=0.01, seed=0,
                               jit_compile=True, steps_per_execution=2)
        assert net.jit_compile is False
        assert np.isfinite(history["loss"][0])
    finally:
        if not was:
            tf_config.disable_op_determinism()
