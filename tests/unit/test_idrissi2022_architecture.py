"""idrissi2022 architecture: the documented parameter-count search and the builders agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import tinyids  # noqa: F401
from tinyids.idrissi2022 import architecture, models

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def section() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["idrissi2022"]


def test_pom_formula_has_two_keras_default_matches_and_the_rule_picks_the_sliding_kernel(section):
    target = section["paper"]["parameters"]["POM"]["value"]
    matches = architecture.search_pom(target, n_features=len(section["features"]), n_classes=len(section["classes"]))
    assert sorted((m.filters, m.kernel_size) for m in matches) == [(20, 6), (32, 14)]
    chosen = architecture.choose(section["paper"]["parameters"]["OM"]["value"], target)["POM"]
    assert (chosen.filters, chosen.kernel_size) == (section["architecture"]["POM"]["filters"],
                                                   section["architecture"]["POM"]["kernel_size"])


def test_om_search_with_the_pom_filter_count_has_exactly_one_match_the_configured_one(section):
    target = section["paper"]["parameters"]["OM"]["value"]
    pom_filters = section["architecture"]["POM"]["filters"]
    same = [m for m in architecture.search_om(target) if m.filters == pom_filters]
    assert len(same) == 1
    om = section["architecture"]["OM"]
    assert (same[0].kernel_size, same[0].units) == (om["kernel_size"], om["units"])


def test_built_om_and_pom_have_the_parameter_counts_the_search_documents(section):
    n_features, n_classes = len(section["features"]), len(section["classes"])
    arch = section["architecture"]
    om = models.build("OM", n_features, n_classes, arch)
    pom = models.build("POM", n_features, n_classes, arch)
    pom7 = models.build("POM7", section["chi2_k"], n_classes, arch)
    assert om.count_params() == architecture.om_params(n_features, arch["OM"]["filters"], arch["OM"]["kernel_size"],
                                                       arch["OM"]["units"], n_classes)
    assert pom.count_params() == architecture.pom_params(n_features, arch["POM"]["filters"],
                                                         arch["POM"]["kernel_size"], n_classes)
    assert pom7.count_params() == architecture.pom_params(section["chi2_k"], arch["POM"]["filters"],
                                                          arch["POM"]["kernel_size"], n_classes)
    # The configured architecture reaches the counts the paper states (read from config, not typed here).
    assert om.count_params() == section["paper"]["parameters"]["OM"]["value"]
    assert pom.count_params() == section["paper"]["parameters"]["POM"]["value"]


def test_summary_rows_match_the_papers_layer_totals_when_the_input_layer_counts():
    om = models.build("OM", 16, 5, {"OM": {"filters": 20, "kernel_size": 3, "units": 180}})
    pom = models.build("POM", 16, 5, {"POM": {"filters": 20, "kernel_size": 6}})
    assert [type(layer).__name__ for layer in pom.layers] == ["InputLayer", "Conv1D", "MaxPooling1D", "Flatten", "Dense"]
    assert len(om.layers) == 7 and len(pom.layers) == 5


def test_search_table_flags_exactly_one_chosen_model_of_each_kind(section):
    table = architecture.search_table(section["paper"]["parameters"]["OM"]["value"],
                                      section["paper"]["parameters"]["POM"]["value"])
    assert table.groupby("model")["chosen"].sum().to_dict() == {"OM": 1, "POM": 1}
    assert (table["params"] == table["model"].map({"OM": section["paper"]["parameters"]["OM"]["value"],
                                                   "POM": section["paper"]["parameters"]["POM"]["value"]})).all()


def test_a_kernel_wider_than_the_input_is_refused():
    from tinyids.errors import ConfigError

    with pytest.raises(ConfigError, match="kernel_size"):
        models.build("POM7", 4, 5, {"POM": {"filters": 20, "kernel_size": 6}})
