#!/usr/bin/env bash
# Prints the CHANGELOG.md section of a version (the release notes of its tag); fails when there is none.
# Usage: bash scripts/changelog-notes.sh 1.2.3   (a leading v is dropped)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1#v}"
notes="$(awk -v heading="## ${version}" '
  $0 == heading || index($0, heading " ") == 1 { found = 1; next }
  found && /^## / { exit }
  found { print }
' CHANGELOG.md)"
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
  echo "changelog-notes: CHANGELOG.md has no section for ${version}: add one before tagging v${version}" >&2
  exit 1
fi
printf '%s\n' "$notes" | sed -e '/./,$!d'
