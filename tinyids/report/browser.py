"""Render an HTML page in headless Chromium: a screenshot and the DOM after scripts ran."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Flags that keep Chromium from reaching for the network (refused here) and from needing a GPU
# or a sandbox (not available as root in CI).
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars",
)


@dataclass(frozen=True)
class Rendered:
    screenshot: Path
    visible: dict[str, bool]
    dom: str
    layout: dict[str, dict[str, float]]  # the page's data-layout: viewport size, bounding boxes by element


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError("no Chromium found: install Debian's 'chromium' package (tools/setup.sh does)")


def render(page: Path, screenshot: Path, *, width: int = 1200, height: int = 3000, timeout_s: int = 90) -> Rendered:
    url = Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="tinyids-chromium-") as profile:
        common = [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                  "--virtual-time-budget=5000"]
        subprocess.run([*common, f"--screenshot={screenshot}", url], check=True, capture_output=True, timeout=timeout_s)
        dom = subprocess.run([*common, "--dump-dom", url], check=True, capture_output=True, text=True,
                             timeout=timeout_s).stdout
    return Rendered(screenshot=Path(screenshot), visible=_attribute(dom, "data-visible"), dom=dom,
                    layout=_attribute(dom, "data-layout"))


def _attribute(dom: str, name: str) -> dict:
    """A JSON object the page's script wrote into a body attribute ({} when absent)."""
    match = re.search(name + r'="([^"]*)"', dom)
    return json.loads(match.group(1).replace("&quot;", '"')) if match else {}
