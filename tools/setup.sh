#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian/Ubuntu machine for tinyids:
#   1. the Debian packages in tools/apt-packages.txt (as root; otherwise print the apt-get line)
#   2. .venv with the tinyids package and its pinned dependencies (+ test extras)
#   3. the project-local PlatformIO core (offline firmware builds)
# Re-running does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
packages=$(grep -vE '^\s*(#|$)' tools/apt-packages.txt | tr '\n' ' ')
missing=()
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: these Debian packages are missing and installing them needs root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "setup: run that line, then this command again." >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.tinyids-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing tinyids and its pinned dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi

# PlatformIO's own registry is unreachable offline: provision its build tool (tool-scons) from
# the venv's scons into the project-local core folder (firmware/.platformio).
.venv/bin/python -m tinyids.firmware.provision
echo "setup: ready"
