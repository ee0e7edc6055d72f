#!/usr/bin/env bash
# The main job on a fresh machine: installs what it needs, then validates a mirror it builds itself
# (two local registries, populated with the registry API and skopeo; nothing leaves this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh >/dev/null
[ -d node_modules ] || npm ci --no-audit --no-fund
exec npx tsx scripts/demo.ts "$@"
