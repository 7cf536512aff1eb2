#!/usr/bin/env bash
# Browser tests (the endpoint's query page, the HTML report) render pages in headless
# Chromium. A fresh machine lacks it, so `make test` calls this first. Prints nothing when
# Chromium is already there.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

echo "privacy-kg: chromium is missing (browser tests need it); installing Debian's chromium" >&2
if [[ "$(id -u)" == "0" ]]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "privacy-kg: cannot install it without root. Run:" >&2
    echo "    sudo apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another install (libclang) may hold the dpkg lock: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq chromium >&2
command -v chromium >/dev/null 2>&1 || { echo "privacy-kg: chromium installed but not on PATH" >&2; exit 1; }
