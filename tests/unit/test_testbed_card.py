"""The testbed dataset card: per-class rows, capture facts and digests, in JSON and Markdown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tinyids.errors import ConfigError
from tinyids.testbed.capture import CLASSES, sha256_file
from tinyids.testbed.card import COMPARISON_COLUMNS, build_card, card_markdown, comparison_rows
from tinyids.testbed.flows import UNIFLOW_COLUMNS

# Published (rows, attack rows) per file, against the fixture's rows below: scan_A 20 of 20
# (ratio 1), scan_sU 4 of 3 (1.3333, out), sparta 2 of 4 (0.5, out), mqtt_bruteforce 4 of 5
# (0.8, inside +-25 %), normal 10 of 10 rows.
PUBLISHED = {"normal": (10, 0), "scan_A": (25, 20), "scan_sU": (9, 3), "sparta": (40, 4), "mqtt_bruteforce": (6, 5)}
CFG = {"seed": 7, "broker": {"port": 1883, "username": "u", "password": "secret"}, "windows_s": {},
       "published_counts": {"citation": "a notebook's value counts (secondary source)", "attack_rows_tolerance": 0.25,
                            "normal_share_tolerance": 0.10,
                            "files": {c: {"rows": r, "attack_rows": a} for c, (r, a) in PUBLISHED.items()}}}
ROWS = {"normal": (10, 0), "scan_A": (30, 20), "scan_sU": (5, 4), "sparta": (8, 2), "mqtt_bruteforce": (6, 4)}


def _fixture(tmp_path: Path, rows: dict[str, tuple[int, int]]):
    csvs, classes = {}, {}
    for cls, (n, attack) in rows.items():
        frame = pd.DataFrame([[f"10.0.0.{i % 9 + 1}", "10.0.0.1", 1000 + i, 1883, 6, 1] + [0.0] * 4 + [40.0, 40]
                              + [0, 0, 0] + [0.0, 40.0, 40.0] + [int(i < attack)] for i in range(n)],
                             columns=list(UNIFLOW_COLUMNS))
        csvs[cls] = tmp_path / f"uniflow_{cls}.csv"
        frame.to_csv(csvs[cls], index=False)
        pcap = tmp_path / f"{cls}.pcap"
        pcap.write_bytes(cls.encode())
        classes[cls] = {"pcap": str(pcap), "sha256": sha256_file(pcap), "bytes": pcap.stat().st_size,
                        "packets_captured": 10 * n, "packets_dropped_by_kernel": 0, "window_s": 5, "duration_s": 5.5,
                        "started_utc": "2026-01-01T00:00:00+00:00", "attack": f"attack of {cls}", "tool_runs": 1}
    manifest = {"classes": classes, "hosts": {"attacker": {"role": "attacker", "address": "10.0.0.3"}},
                "attacker_ips": ["10.0.0.3"], "subnet": "10.0.0.0/24", "capture_point": "bridge",
                "tools": {"nmap": "7.93"}, "wall_time_s": 40.0}
    return manifest, csvs


def test_card_counts_rows_attack_and_background_per_class_and_hides_the_password(tmp_path: Path):
    rows = ROWS
    manifest, csvs = _fixture(tmp_path, rows)
    card = build_card(manifest, csvs, {}, CFG, smoke=True)
    for cls, (n, attack) in rows.items():
        info = card["classes"][cls]
        assert (info["rows"], info["attack_rows"], info["background_rows"]) == (n, attack, n - attack)
        assert info["csv_sha256"] == sha256_file(csvs[cls]) and info["pcap_sha256"] == manifest["classes"][cls]["sha256"]
    assert card["totals"]["rows"] == 59 and card["totals"]["attack_rows"] == 30
    assert card["totals"]["capture_s"] == pytest.approx(27.5) and card["totals"]["packets"] == 590
    assert card["class_balance"]["normal"] == pytest.approx(10 / 40) and sum(card["class_balance"].values()) == pytest.approx(1)
    assert "secret" not in str(card)
    markdown = card_markdown(card)
    assert all(f"| {cls} | {rows[cls][0]} |" in markdown for cls in CLASSES)


def test_card_refuses_a_csv_whose_columns_differ_from_the_published_layout(tmp_path: Path):
    manifest, csvs = _fixture(tmp_path, {cls: (2, 0) for cls in CLASSES})
    pd.read_csv(csvs["sparta"]).drop(columns=["num_urg_flags"]).to_csv(csvs["sparta"], index=False)
    with pytest.raises(ValueError, match="uniflow_sparta.csv: columns"):
        build_card(manifest, csvs, {}, CFG, smoke=False)


def test_card_sets_our_rows_beside_the_published_ones_and_flags_each_class_outside_the_band_with_its_ratio(tmp_path: Path):
    manifest, csvs = _fixture(tmp_path, ROWS)
    card = build_card(manifest, csvs, {}, CFG, smoke=False)
    files = card["published"]["files"]
    assert {c: files[c]["ratio"] for c in CLASSES} == {"normal": 1.0, "scan_A": 1.0, "scan_sU": 1.3333, "sparta": 0.5,
                                                       "mqtt_bruteforce": 0.8}
    assert card["published"]["misses"] == ["scan_sU", "sparta"]
    assert files["mqtt_bruteforce"]["within_tolerance"] and not files["sparta"]["within_tolerance"]
    assert (files["sparta"]["published_background_rows"], files["sparta"]["our_background_rows"]) == (36, 6)
    assert files["normal"]["compared"] == "rows" and files["scan_A"]["compared"] == "attack_rows"
    # the rate of the capture (5.5 s per class here) and the capture time it needs for the published count
    assert files["sparta"]["our_compared_per_s"] == pytest.approx(2 / 5.5, abs=1e-3)
    assert files["sparta"]["capture_s_for_published"] == pytest.approx(11.0)
    share = card["published"]["normal_share"]
    assert share["published"] == pytest.approx(round(58 / 90, 4)) and share["ours"] == pytest.approx(round(29 / 59, 4))
    assert share["difference_points"] == pytest.approx(100 * (29 / 59 - 58 / 90), abs=0.01)
    assert share["within_tolerance"] is False  # about -15 points
    markdown = card_markdown(card)
    assert "| uniflow_sparta.csv | 40 | 4 | 36 | 8 | 2 | 6 | 0.5000 (attack rows) | no |" in markdown
    assert "sparta: attack rows 2 of 4 published, ratio 0.5000" in markdown
    assert "scan_sU: attack rows 4 of 3 published, ratio 1.3333" in markdown
    table = comparison_rows(card)
    assert list(table.columns) == list(COMPARISON_COLUMNS) and list(table["file"]) == [f"uniflow_{c}.csv" for c in CLASSES]
    assert "published_counts" not in card["config"]


def test_card_without_published_counts_or_with_a_missing_file_names_the_config_key(tmp_path: Path):
    manifest, csvs = _fixture(tmp_path, ROWS)
    with pytest.raises(ConfigError, match="mqtt_testbed.published_counts is missing"):
        build_card(manifest, csvs, {}, {k: v for k, v in CFG.items() if k != "published_counts"}, smoke=False)
    cfg = dict(CFG, published_counts=dict(CFG["published_counts"], files={
        c: v for c, v in CFG["published_counts"]["files"].items() if c != "scan_sU"}))
    with pytest.raises(ConfigError, match=r"mqtt_testbed.published_counts.files: missing \['scan_sU'\]"):
        build_card(manifest, csvs, {}, cfg, smoke=False)


def test_default_config_holds_the_published_counts_of_the_released_files():
    from tinyids.config import load_config

    root = Path(__file__).resolve().parents[2]
    config = load_config(root / "config/config.yaml", schema_dir=root / "config/schemas")
    files = config["mqtt_testbed"]["published_counts"]["files"]
    assert sum(f["rows"] for f in files.values()) == 495525
    assert sum(f["attack_rows"] for f in files.values()) == 119339
    assert "secondary source" in config["mqtt_testbed"]["published_counts"]["citation"]
