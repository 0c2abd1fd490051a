"""firmware: provision tool-scons (offline), install the local platform, record tool versions."""

import json
from pathlib import Path

from tinyids.fileio import write_json_atomic
from tinyids.firmware import toolchain
from tinyids.firmware.build import ensure_provisioned, pio_build
from tinyids.runlog import LoggerStream, logged


with logged(snakemake.log[0]) as log:
    fw = snakemake.params.fw
    ensure_provisioned(fw["core_dir"])
    # one build of the fixture model for the host: installs the project-local platform into the
    # core dir once, before the parallel per-model builds
    warm = pio_build("host", Path(fw["project_dir"]) / "models" / "fixture", f"{fw['build_root']}/_warmup",
                     core_dir=fw["core_dir"], project_dir=fw["project_dir"], timeout_s=fw["build_timeout_s"],
                     log=LoggerStream(log))
    if warm.status != "built":
        raise RuntimeError(f"PlatformIO warm-up build failed: {warm.reason}")
    info = {"versions": toolchain.versions(), "missing": toolchain.missing(),
            "debian_packages": toolchain.DEBIAN_PACKAGES, "core_dir": fw["core_dir"]}
    log.info("toolchain: %s", json.dumps(info["versions"]))
    write_json_atomic(snakemake.output.json, info)
