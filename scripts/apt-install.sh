#!/usr/bin/env bash
# Installs Debian packages for the ensure-*.sh scripts: as root directly, else through
# passwordless sudo, else says the command to run. Usage: apt-install.sh WHY PACKAGE...
set -euo pipefail
why="$1"
shift
echo "privacy-kg: $why; installing $*" >&2
if [[ "$(id -u)" == "0" ]]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "privacy-kg: cannot install it without root. Run:" >&2
    echo "    sudo apt-get install -y $*" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another install may hold the dpkg lock: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq "$@" >&2
