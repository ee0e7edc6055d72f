#!/usr/bin/env bash
# Installs the system packages the tests and the demo need (and wrk, with --bench): Debian's CNCF distribution registry,
# skopeo to populate it the way users do, openssl for test certificates, htpasswd for Basic auth, Chromium and
# fonts for the summary test, tmux for the terminal test.
set -euo pipefail
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v openssl >/dev/null || need+=(openssl)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v git >/dev/null || need+=(git)
# The job-summary test renders it in headless Chromium (with fonts that have the summary's emoji); the
# terminal test runs the command line in a tmux pseudo-terminal.
command -v chromium >/dev/null || need+=(chromium)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
command -v tmux >/dev/null || need+=(tmux)
# The archive tests pack Zarf and hauler archives with zstd, as those tools do; gzip packs hangar's older ones.
command -v zstd >/dev/null || need+=(zstd)
command -v gzip >/dev/null || need+=(gzip)
# The benchmark's ceiling is measured with wrk.
if [ "${1:-}" = "--bench" ]; then command -v wrk >/dev/null || need+=(wrk); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # policy-rc.d keeps the package from starting its own registry on :5000; the tests never use it.
  if [ -d /usr/sbin ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
docker-registry --version
skopeo --version
