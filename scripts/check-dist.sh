#!/usr/bin/env bash
# dist/ is what users run: rebuild both bundles into a temp folder and compare them byte for byte with the
# committed ones. Run by .ci/run and .github/workflows/check-dist.yml (not by npm test, to keep it fast).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
npx ncc build src/action/index.ts -o "$scratch/dist" --source-map >/dev/null
npx ncc build src/cli/index.ts -o "$scratch/dist/cli" --source-map >/dev/null
# The notices of what each bundle holds (ncc's own --license lists only some of the packages).
npx tsx scripts/licenses.ts "$scratch" >/dev/null
if ! diff -r "$scratch/dist" dist >/dev/null; then
  diff -rq "$scratch/dist" dist || true
  echo 'dist/ is stale: run "npm run bundle" and commit dist/' >&2
  exit 1
fi
echo 'dist/ is what the current source builds'
