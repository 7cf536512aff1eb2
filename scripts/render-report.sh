#!/usr/bin/env bash
# Renders an HTML report (privacy-kg report --html FILE) to a PNG with headless Chromium, to
# look at it as a reader would. Usage: scripts/render-report.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
# The screenshot is of a WIDTH x HEIGHT window (default 1200 x 4000), from the top of the page.
set -euo pipefail

html="${1:?usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]}"
png="${2:?usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]}"
width="${3:-1200}"
height="${4:-4000}"
command -v chromium >/dev/null 2>&1 || { echo "chromium is missing: run scripts/ensure-chromium.sh" >&2; exit 1; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
abs="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
out="$(cd "$(dirname "$png")" && pwd)/$(basename "$png")"
# --no-sandbox: CI and containers run as root, where Chromium's sandbox refuses to start.
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$width,$height" --screenshot="$out" "file://$abs" >/dev/null 2>&1
test -s "$out"
