#!/usr/bin/env bash
# Installs the Debian packages (deploy/setup.sh), then configures and builds
# custhub and its tests into build/. Safe to re-run: it only rebuilds what
# changed (ccache keeps compiles cheap across clean clones).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
