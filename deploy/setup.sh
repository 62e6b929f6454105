#!/usr/bin/env bash
# Installs every Debian 12 package that custhub's build, tests and demo need.
# Idempotent and non-interactive: packages already present are skipped, so a
# second run costs one dpkg query. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  librdkafka-dev librocksdb-dev
  libprotobuf-dev protobuf-compiler
  libabsl-dev catch2
  libsimdjson-dev libphonenumber-dev libssl-dev
  libcli11-dev libcpp-httplib-dev libxxhash-dev libyaml-cpp-dev
  libjemalloc-dev
  kcat
  # the inspector page's browser test (headless) and its HTTP probes
  chromium curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
