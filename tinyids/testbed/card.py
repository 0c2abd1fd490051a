"""Dataset card of a testbed capture: rows per class, capture time, packets, digests, provenance,
and the row counts of the released MQTT-IoT-IDS2020 uniflow files beside ours."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.errors import ConfigError
from tinyids.testbed.capture import CLASSES, sha256_file
from tinyids.testbed.flows import UNIFLOW_COLUMNS

DEFINITIONS_SOURCE = (
    "uniflow definitions of pcap_parser.py, github.com/AbertayMachineLearningGroup/MQTT_ML "
    "(Hindy et al., INC 2020): directed 5-tuple key, no timeout, IPv4 TCP/UDP only, "
    "IP packet lengths, sorted-timestamp inter-arrival times, population std"
)


# One row per released file in ``counts_vs_published.csv`` (and the card's table).
COMPARISON_COLUMNS = ("file", "published_rows", "published_attack_rows", "published_background_rows",
                      "our_rows", "our_attack_rows", "our_background_rows", "compared", "published_compared",
                      "our_compared", "ratio", "tolerance", "within_tolerance", "capture_s", "our_compared_per_s",
                      "capture_s_for_published")


# Keys of the section that are not capture settings (the published counts have their own block).
_NOT_CAPTURE_CONFIG = ("broker", "published_counts", "baselines")


def _published_files(published: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The published per-file counts of ``mqtt_testbed.published_counts``, checked."""
    key = "mqtt_testbed.published_counts"
    for name in ("citation", "attack_rows_tolerance", "normal_share_tolerance", "files"):
        if name not in published:
            raise ConfigError(f"{key}.{name} is missing")
    files = published["files"]
    missing = [cls for cls in CLASSES if cls not in files]
    unknown = [cls for cls in files if cls not in CLASSES]
    if missing or unknown:
        raise ConfigError(f"{key}.files: missing {missing or 'none'}, unknown {unknown or 'none'} "
                          f"(one entry per class: {', '.join(CLASSES)})")
    out: dict[str, dict[str, int]] = {}
    for cls in CLASSES:
        entry = files[cls]
        try:
            rows, attack = int(entry["rows"]), int(entry["attack_rows"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{key}.files.{cls}: needs integer rows and attack_rows ({exc})") from exc
        if not 0 <= attack <= rows or rows == 0:
            raise ConfigError(f"{key}.files.{cls}: attack_rows {attack} must lie in [0, rows] and rows {rows} > 0")
        if (cls == "normal") != (attack == 0):
            raise ConfigError(f"{key}.files.{cls}: attack_rows {attack}: only the normal file has no attack rows")
        out[cls] = {"rows": rows, "attack_rows": attack, "background_rows": rows - attack}
    return out


def published_comparison(classes: Mapping[str, Mapping[str, Any]], published: Mapping[str, Any]) -> dict[str, Any]:
    """Our rows per file beside the released files' counts.

    Per attack file the compared count is its attack rows, for the normal file its rows (all
    normal). ``ratio`` is ours / published and ``within_tolerance`` whether it lies within
    ``attack_rows_tolerance`` of 1; the measured rate (compared rows per second of capture) gives
    the capture time that rate needs for the published count. The normal share of the whole
    dataset is every ``is_attack`` 0 row (normal file and background rows of the attack files)
    over all rows, ours beside the published one, within ``normal_share_tolerance`` (fraction
    points).
    """
    files = _published_files(published)
    tolerance = float(published["attack_rows_tolerance"])
    share_tolerance = float(published["normal_share_tolerance"])
    rows: dict[str, dict[str, Any]] = {}
    for cls in CLASSES:
        pub, ours = files[cls], classes[cls]
        compared = "rows" if cls == "normal" else "attack_rows"
        pub_n, our_n = pub[compared], int(ours[compared])
        ratio = our_n / pub_n
        capture_s = float(ours["duration_s"])
        rate = our_n / capture_s if capture_s > 0 else None
        rows[cls] = {
            "published_rows": pub["rows"], "published_attack_rows": pub["attack_rows"],
            "published_background_rows": pub["background_rows"],
            "our_rows": int(ours["rows"]), "our_attack_rows": int(ours["attack_rows"]),
            "our_background_rows": int(ours["background_rows"]),
            "compared": compared, "published_compared": pub_n, "our_compared": our_n,
            "ratio": round(ratio, 4), "tolerance": tolerance,
            "within_tolerance": bool(abs(ratio - 1.0) <= tolerance + 1e-12),
            "capture_s": capture_s,
            "our_compared_per_s": None if rate is None else round(rate, 3),
            "capture_s_for_published": None if not rate else round(pub_n / rate, 1),
        }
    pub_total = sum(f["rows"] for f in files.values())
    our_total = sum(r["our_rows"] for r in rows.values())
    pub_share = sum(f["background_rows"] for f in files.values()) / pub_total
    our_share = sum(r["our_background_rows"] for r in rows.values()) / our_total if our_total else None
    diff = None if our_share is None else our_share - pub_share
    return {
        "citation": str(published["citation"]),
        "files": rows,
        "normal_share": {
            "published": round(pub_share, 4), "ours": None if our_share is None else round(our_share, 4),
            "difference_points": None if diff is None else round(100 * diff, 2),
            "tolerance_points": round(100 * share_tolerance, 2),
            "within_tolerance": diff is not None and abs(diff) <= share_tolerance + 1e-12,
        },
        "misses": [cls for cls in CLASSES if not rows[cls]["within_tolerance"]],
        "totals": {"published_rows": pub_total, "our_rows": our_total},
    }


def comparison_rows(card: Mapping[str, Any]) -> pd.DataFrame:
    """The card's published comparison as a table, one row per released file (``COMPARISON_COLUMNS``)."""
    files = card["published"]["files"]
    return pd.DataFrame([{"file": f"uniflow_{cls}.csv", **files[cls]} for cls in files], columns=list(COMPARISON_COLUMNS))


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
    if "published_counts" not in cfg:
        raise ConfigError("mqtt_testbed.published_counts is missing: the card compares every file with the released one")
    published = published_comparison(classes, cfg["published_counts"])
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
        "published": published,
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
        "config": {k: v for k, v in cfg.items() if k not in _NOT_CAPTURE_CONFIG}
                  | {"broker": {"port": cfg["broker"]["port"]}},
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
    lines += ["", *published_markdown(card["published"])]
    lines += ["", "| class | attack |", "|---|---|"]
    lines += [f"| {cls} | {info['attack']} |" for cls, info in card["classes"].items()]
    lines += ["", "Tools: " + "; ".join(f"{k}: {v}" for k, v in card["testbed"]["tools"].items()), ""]
    return "\n".join(lines)


def _num(value: Any, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def published_markdown(published: Mapping[str, Any]) -> list[str]:
    """The card's section on the released files: counts beside ours, ratio, tolerance verdicts."""
    files, share = published["files"], published["normal_share"]
    tolerance = next(iter(files.values()))["tolerance"]
    lines = [
        "## Beside the released uniflow files",
        "",
        f"Published counts: {published['citation']}.",
        f"Compared: attack rows of each attack file, rows of the normal file; within +-{tolerance:.0%} of "
        "the published count?",
        "",
        "| file | published rows | published attack | published background | our rows | our attack | "
        "our background | ours / published | within | our rate /s | capture s at that rate for the published count |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for cls, row in files.items():
        lines.append(
            f"| uniflow_{cls}.csv | {row['published_rows']} | {row['published_attack_rows']} | "
            f"{row['published_background_rows']} | {row['our_rows']} | {row['our_attack_rows']} | "
            f"{row['our_background_rows']} | {row['ratio']:.4f} ({row['compared'].replace('_', ' ')}) | "
            f"{'yes' if row['within_tolerance'] else 'no'} | {_num(row['our_compared_per_s'], '.2f')} | "
            f"{_num(row['capture_s_for_published'], '.0f')} |"
        )
    lines += [
        "",
        f"Normal share of all rows (normal file and background rows): ours {_num(share['ours'], '.2%')}, "
        f"published {share['published']:.2%}, difference {_num(share['difference_points'], '+.2f')} points "
        f"(within {share['tolerance_points']:.0f} points: {'yes' if share['within_tolerance'] else 'no'}).",
    ]
    if published["misses"]:
        lines.append("Outside the tolerance: " + "; ".join(
            f"{cls}: {files[cls]['compared'].replace('_', ' ')} {files[cls]['our_compared']} of "
            f"{files[cls]['published_compared']} published, ratio {files[cls]['ratio']:.4f}"
            for cls in published["misses"]) + ".")
    else:
        lines.append("Every file lies within the tolerance.")
    return lines
