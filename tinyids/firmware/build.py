"""Building the firmware with PlatformIO (offline) and measuring it.

``pio run`` runs in the project ``firmware/`` with the project-local core dir (tool-scons
provisioned by ``tinyids.firmware.provision``), one build folder per (model, board, slice)
under an ignored folder, and the model folder passed as ``TINYIDS_MODEL_DIR``. Sizes come from
the ELF section headers (host ``readelf``, target-independent):

* flash = text (alloc+exec) + rodata (alloc, read-only) + data (alloc+write, initialised: its
  initial values live in flash);
* static RAM = data + bss (alloc+write, no bits). Stack/heap reservations of the linker scripts
  (``.stack``, ``.heap``) are excluded: the stack is measured in emulation (high-water).

A failed build is a result, never an exception: ``status`` says ``built``, ``no_toolchain``
(ESP32) or ``build_failed`` with the compiler's reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tinyids.firmware.provision import DEFAULT_CORE_DIR, is_provisioned, pio_env, provision

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO_ROOT / "firmware"
RESERVED_SECTIONS = {".stack", ".heap", "._user_heap_stack"}


@dataclass
class BuildResult:
    env: str
    status: str  # built | no_toolchain | build_failed
    elf: str | None = None
    reason: str = ""
    seconds: float = 0.0
    sizes: dict[str, int] = field(default_factory=dict)
    pio_size_check: str = ""  # PlatformIO's verdict against the board JSON (ok | too_big)

    def as_dict(self) -> dict:
        return asdict(self)


def pio_executable() -> str:
    candidate = Path(sys.executable).parent / "pio"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("pio") or shutil.which("platformio")
    if not found:
        raise FileNotFoundError("pio not found: install platformio==6.2.0 in the venv")
    return found


def elf_sizes(elf: str | Path) -> dict[str, int]:
    """text / rodata / data / bss and flash / ram of an ELF, from its section flags."""
    out = subprocess.run(
        ["readelf", "-S", "-W", str(elf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    sizes = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    # [Nr] Name Type Address Off Size ES Flg Lk Inf Al
    pat = re.compile(
        r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+[0-9a-fA-F]+\s+(\S*)\s+\d+"
    )
    for line in out.splitlines():
        m = pat.match(line)
        if not m:
            continue
        name, typ, size_hex, flags = m.groups()
        size = int(size_hex, 16)
        if "A" not in flags or name in RESERVED_SECTIONS or size == 0:
            continue
        if "W" in flags:
            sizes["bss" if typ == "NOBITS" else "data"] += size
        elif "X" in flags:
            sizes["text"] += size
        elif typ != "NOBITS":
            sizes["rodata"] += size
    sizes["flash"] = sizes["text"] + sizes["rodata"] + sizes["data"]
    sizes["ram"] = sizes["data"] + sizes["bss"]
    return sizes


def ensure_provisioned(core_dir: str | Path = DEFAULT_CORE_DIR) -> None:
    if not is_provisioned(core_dir):
        provision(core_dir)


def pio_build(
    env: str,
    model_dir: str | Path,
    build_dir: str | Path,
    *,
    core_dir: str | Path = DEFAULT_CORE_DIR,
    project_dir: str | Path = PROJECT_DIR,
    extra_includes: list[str | Path] | None = None,
    timeout_s: float = 300,
    log=None,
) -> BuildResult:
    """``pio run -e env`` on one model folder; never raises for a failed build. A failure with no
    compiler or linker message (PlatformIO's own state files raced by a parallel job) is retried
    once."""
    kwargs = dict(core_dir=core_dir, project_dir=project_dir, extra_includes=extra_includes,
                  timeout_s=timeout_s, log=log)
    result = _pio_build_once(env, model_dir, build_dir, **kwargs)
    if result.status == "build_failed" and not _is_compiler_failure(result.reason):
        if log is not None:
            log.write(f"[tinyids] retrying {env}: {result.reason}\n")
        result = _pio_build_once(env, model_dir, build_dir, **kwargs)
    return result


def _is_compiler_failure(reason: str) -> bool:
    return any(k in reason for k in ("error:", "undefined", "overflowed", "will not fit", "timed out"))


def _pio_build_once(
    env: str,
    model_dir: str | Path,
    build_dir: str | Path,
    *,
    core_dir: str | Path,
    project_dir: str | Path,
    extra_includes: list[str | Path] | None,
    timeout_s: float,
    log,
) -> BuildResult:
    ensure_provisioned(core_dir)
    build_dir = Path(build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    environ = dict(os.environ)
    environ.update(pio_env(core_dir))
    environ["PLATFORMIO_BUILD_DIR"] = str(build_dir)
    environ["TINYIDS_MODEL_DIR"] = str(Path(model_dir).resolve())
    environ["TINYIDS_EXTRA_INCLUDES"] = os.pathsep.join(str(Path(p).resolve()) for p in extra_includes or [])
    cmd = [pio_executable(), "run", "-d", str(Path(project_dir).resolve()), "-e", env]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=environ, timeout=timeout_s, start_new_session=True
        )
        output, rc = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        output, rc = output + f"\n[tinyids] pio run timed out after {timeout_s} s", -9
    seconds = time.monotonic() - t0
    if log is not None:
        log.write(f"$ {' '.join(cmd)}  (model {model_dir}, build dir {build_dir})\n{output}\n")
    elf = build_dir / env / "firmware.elf"
    if "TINYIDS_NO_TOOLCHAIN" in output:
        reason = next((ln for ln in output.splitlines() if "TINYIDS_NO_TOOLCHAIN" in ln), "no toolchain")
        return BuildResult(env, "no_toolchain", None, reason.split("TINYIDS_NO_TOOLCHAIN:", 1)[-1].strip(), seconds)
    too_big = "greater than maximum allowed" in output
    if rc != 0 and not (too_big and elf.is_file()):
        return BuildResult(env, "build_failed", None, _failure_reason(output), seconds)
    result = BuildResult(env, "built", str(elf), "", seconds, elf_sizes(elf), "too_big" if too_big else "ok")
    return result


def _failure_reason(output: str) -> str:
    missing = sorted(set(re.findall(r"undefined reference to `([^']+)'", output)))
    if missing:
        return ("link failed, undefined: " + ", ".join(missing) +
                (" (Debian's libgcc for this core lacks these helpers)" if any(m.startswith("__") for m in missing) else ""))
    lines = [ln.strip() for ln in output.splitlines()]
    keys = ("undefined reference", "error:", "Error:", "overflowed", "will not fit", "timed out")
    picked = [ln for ln in lines if any(k in ln for k in keys)]
    text = " | ".join(dict.fromkeys(picked)) or " | ".join(lines[-5:])
    return text[:600]
