"""The testbed dataset card: per-class rows, capture facts and digests, in JSON and Markdown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tinyids.testbed.capture import CLASSES, sha256_file
from tinyids.testbed.card import build_card, card_markdown
from tinyids.testbed.flows import UNIFLOW_COLUMNS

CFG = {"seed": 7, "broker": {"port": 1883, "username": "u", "password": "secret"}, "windows_s": {}}


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
    rows = {"normal": (10, 0), "scan_A": (30, 20), "scan_sU": (5, 4), "sparta": (8, 2), "mqtt_bruteforce": (6, 4)}
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
