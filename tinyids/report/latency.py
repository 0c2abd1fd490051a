"""Inference cost per board from the emulation results: cycles where the emulator counts them,
instructions where it only counts those (QEMU), each on its own labelled axis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def plot_board_costs(emulation: pd.DataFrame, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = emulation[(emulation["status"] == "ok") & emulation["count_median"].notna()]
    rows = rows[~rows["model"].str.startswith("fixture")]
    units = sorted(rows["count_unit"].unique()) or ["(no emulation results)"]
    fig, axes = plt.subplots(1, len(units), figsize=(6 * len(units), 4.5), dpi=110, squeeze=False)
    for ax, unit in zip(axes[0], units):
        part = rows[rows["count_unit"] == unit]
        table = part.pivot_table(index="model", columns="board", values="count_median")
        if not table.empty:
            table.plot.bar(ax=ax, logy=True, rot=30)
        ax.set_ylabel("per inference (log scale)")
        ax.set_title("Uno: cycles at 16 MHz (simavr)" if unit == "cycles" else unit, fontsize=9)
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
