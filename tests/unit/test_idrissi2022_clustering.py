"""The weight-clustering helpers idrissi2022 appended to tinyids.compress."""

from __future__ import annotations

import pytest

import tinyids  # noqa: F401
from tinyids import compress
from tinyids.idrissi2022 import models


def test_clustering_leaves_at_most_the_cluster_count_of_distinct_kernel_values():
    models.set_seed(0)
    net = models.build("POM", 16, 5, {"POM": {"filters": 20, "kernel_size": 6}})
    params = compress.count_parameters(net)  # before wrapping: tfmot rewires the wrapped layers' kernels
    clustered = compress.cluster_weights(net, 4, init="linear")
    stripped = compress.strip_clustering(clustered)
    assert compress.count_parameters(stripped) == params
    for layer, unique in compress.count_unique_kernel_values(stripped).items():
        assert unique <= 4, layer


@pytest.mark.parametrize("clusters, init, message", [(1, "linear", "at least 2"), (8, "kmeans", "centroid")])
def test_bad_clustering_settings_are_refused_with_the_setting_named(clusters, init, message):
    net = models.build("POM", 16, 5, {"POM": {"filters": 4, "kernel_size": 3}})
    with pytest.raises(compress.CompressionError, match=message):
        compress.cluster_weights(net, clusters, init=init)
