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

"$(dirname "$0")/apt-install.sh" "libclang is missing (Oxigraph's RocksDB build needs it)" libclang-dev
have_libclang || { echo "privacy-kg: libclang-dev installed but libclang still not found" >&2; exit 1; }
