#!/usr/bin/env bash
# Browser tests (the endpoint's query page, the HTML report) render pages in headless
# Chromium. A fresh machine lacks it, so `make test` calls this first. Prints nothing when
# Chromium is already there.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

"$(dirname "$0")/apt-install.sh" "chromium is missing (browser tests need it)" chromium
command -v chromium >/dev/null 2>&1 || { echo "privacy-kg: chromium installed but not on PATH" >&2; exit 1; }
