#!/usr/bin/env bash
# Install, when absent, the system packages the test suite drives for real:
# Debian's chromium (side panel browser tests) and the PostgreSQL server binaries
# (store contract suite on PostgreSQL). Non-interactive and idempotent.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "note: ${need[*]} missing and not root: the tests that need them will be skipped" >&2
    exit 0
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
