#!/usr/bin/env bash
# Oxigraph's RocksDB backend is compiled through bindgen, which loads libclang at build
# time. A fresh machine lacks it, so every make target that compiles calls this first.
set -euo pipefail

have_libclang() {
    if [[ -n "${LIBCLANG_PATH:-}" ]] && compgen -G "${LIBCLANG_PATH}/libclang*.so*" >/dev/null; then
        return 0
    fi
    # bindgen needs both the shared library and clang's own headers (stddef.h and friends).
    compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null \
        && compgen -G "/usr/lib/llvm-*/lib/clang/*/include/stddef.h" >/dev/null
}

if have_libclang; then
    exit 0
fi

echo "privacy-kg: libclang is missing (Oxigraph's RocksDB build needs it); installing libclang-dev" >&2
if [[ "$(id -u)" == "0" ]]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "privacy-kg: cannot install it without root. Run:" >&2
    echo "    sudo apt-get install -y libclang-dev" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq libclang-dev >&2
have_libclang || { echo "privacy-kg: libclang-dev installed but libclang still not found" >&2; exit 1; }
