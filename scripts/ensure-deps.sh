#!/usr/bin/env bash
# Installs the Debian packages Triage builds against, when missing:
# librdkafka-dev (Kafka client and its mock cluster), libjson-c-dev (JSON), libssl-dev
# (libcrypto: SHA-256 with the CPU's SHA instructions, for the audit hash chain), pkg-config.
set -euo pipefail
missing=()
for pkg in librdkafka-dev libjson-c-dev libssl-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
pkg-config --exists rdkafka json-c libcrypto || { echo "ensure-deps: pkg-config cannot find rdkafka, json-c and libcrypto" >&2; exit 1; }
