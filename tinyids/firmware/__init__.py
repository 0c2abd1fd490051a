"""Firmware stage: per-board PlatformIO builds (offline), the device-fit matrix, the computed
Figure 7 recommendation, and on-device parity and counts in emulation (simavr, QEMU).

Modules: ``provision`` (tool-scons from PyPI's scons), ``boards`` (Table I from config),
``adapter`` (any deployable C model -> firmware model folder), ``fixture`` (hand-written test
models), ``build`` (pio run, ELF sizes), ``emulate`` (bounded emulator runs, output parsing),
``pipeline`` (per-model build and emulation jobs), ``report`` (fit matrix, heatmap,
recommendation, emulation table, Uno headline), ``toolchain`` (what is installed).
"""
