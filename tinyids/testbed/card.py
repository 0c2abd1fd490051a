"""Dataset card of a testbed capture: rows per class, capture time, packets, digests, provenance."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.testbed.capture import CLASSES, sha256_file
from tinyids.testbed.flows import UNIFLOW_COLUMNS

DEFINITIONS_SOURCE = (
    "uniflow definitions of pcap_parser.py, github.com/AbertayMachineLearningGroup/MQTT_ML "
    "(Hindy et al., INC 2020): directed 5-tuple key, no timeout, IPv4 TCP/UDP only, "
    "IP packet lengths, sorted-timestamp inter-arrival times, population std"
)


def build_card(manifest: Mapping[str, Any], csvs: Mapping[str, str | os.PathLike[str]],
               extraction: Mapping[str, Mapping[str, Any]], cfg: Mapping[str, Any], smoke: bool) -> dict[str, Any]:
    classes: dict[str, Any] = {}
    for cls in CLASSES:
        frame = pd.read_csv(csvs[cls])
        if tuple(frame.columns) != UNIFLOW_COLUMNS:
            raise ValueError(f"{csvs[cls]}: columns {list(frame.columns)} differ from {list(UNIFLOW_COLUMNS)}")
        cap = manifest["classes"][cls]
        attack = int(frame["is_attack"].sum())
        classes[cls] = {
            "rows": len(frame),
            "attack_rows": attack,
            "background_rows": len(frame) - attack,
            "window_s": cap["window_s"],
            "duration_s": cap["duration_s"],
            "started_utc": cap["started_utc"],
            "packets_captured": cap["packets_captured"],
            "packets_dropped_by_kernel": cap["packets_dropped_by_kernel"],
            "tool_runs": cap["tool_runs"],
            "attack": cap["attack"],
            "pcap": Path(cap["pcap"]).name,
            "pcap_bytes": cap["bytes"],
            "pcap_sha256": cap["sha256"],
            "csv": Path(csvs[cls]).name,
            "csv_sha256": sha256_file(csvs[cls]),
            "extraction": dict(extraction.get(cls, {})),
        }
    flagged = {cls: classes[cls]["attack_rows"] if cls != "normal" else classes[cls]["rows"] for cls in CLASSES}
    total_flagged = sum(flagged.values()) or 1
    return {
        "dataset": "MQTT-IoT-IDS2020 uniflow features, regenerated from real traffic by the tinyids MQTT testbed",
        "source": "testbed",
        "smoke": smoke,
        "columns": list(UNIFLOW_COLUMNS),
        "definitions": DEFINITIONS_SOURCE,
        "labels": "is_attack = 1 for flows from or to the attacker; attack files also hold background "
                  "flows (is_attack = 0), as the original files do",
        "classes": classes,
        "class_balance": {cls: round(n / total_flagged, 4) for cls, n in flagged.items()},
        "totals": {
            "rows": sum(c["rows"] for c in classes.values()),
            "attack_rows": sum(c["attack_rows"] for c in classes.values()),
            "capture_s": round(sum(c["duration_s"] for c in classes.values()), 3),
            "packets": sum(c["packets_captured"] or 0 for c in classes.values()),
            "wall_time_s": manifest.get("wall_time_s"),
        },
        "testbed": {
            "subnet": manifest["subnet"],
            "hosts": manifest["hosts"],
            "attacker_ips": manifest["attacker_ips"],
            "capture_point": manifest["capture_point"],
            "tools": manifest["tools"],
        },
        "config": {k: v for k, v in cfg.items() if k != "broker"} | {"broker": {"port": cfg["broker"]["port"]}},
    }


def card_markdown(card: Mapping[str, Any]) -> str:
    lines = [
        "# MQTT testbed capture (MQTT-IoT-IDS2020 uniflow layout)",
        "",
        f"{card['dataset']}.{' Smoke configuration: seconds per class.' if card['smoke'] else ''}",
        "",
        f"- Testbed: subnet {card['testbed']['subnet']}, {len(card['testbed']['hosts'])} hosts "
        f"(attacker {', '.join(card['testbed']['attacker_ips'])}); capture: {card['testbed']['capture_point']}.",
        f"- Features: {card['definitions']}.",
        f"- Labels: {card['labels']}.",
        f"- Totals: {card['totals']['rows']} uniflows ({card['totals']['attack_rows']} attack), "
        f"{card['totals']['packets']} packets, {card['totals']['capture_s']:.1f} s of capture "
        f"({card['totals']['wall_time_s']} s wall time with setup).",
        "",
        "| class | rows | attack rows | background rows | share of labelled rows | window s | packets | pcap sha256 |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for cls, info in card["classes"].items():
        lines.append(
            f"| {cls} | {info['rows']} | {info['attack_rows']} | {info['background_rows']} | "
            f"{card['class_balance'][cls]:.1%} | {info['duration_s']:.1f} | {info['packets_captured']} | "
            f"`{info['pcap_sha256']}` |"
        )
    lines += ["", "| class | attack |", "|---|---|"]
    lines += [f"| {cls} | {info['attack']} |" for cls, info in card["classes"].items()]
    lines += ["", "Tools: " + "; ".join(f"{k}: {v}" for k, v in card["testbed"]["tools"].items()), ""]
    return "\n".join(lines)
