#!/usr/bin/env bash
# Installs axe-core (the accessibility checker the learner pages' browser tests run) from the
# npm registry into var/axe/, which git ignores. Nothing is vendored; the tests skip the
# accessibility check, saying so, when it is missing. Needs node and npm; without them (or when
# the install fails) it warns and exits 0: an optional tool never stops CI.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/var/axe"
if [ -f "$TARGET/node_modules/axe-core/axe.min.js" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-axe: WARNING: npm is missing (apt-get install npm); the accessibility checks will skip" >&2
  exit 0
fi
mkdir -p "$TARGET"
if ! npm install --silent --no-save --no-audit --no-fund --prefix "$TARGET" "axe-core@^4.10"; then
  echo "install-axe: WARNING: npm could not install axe-core; the accessibility checks will skip" >&2
  exit 0
fi
echo "axe-core $(node -p "require('$TARGET/node_modules/axe-core/package.json').version") in $TARGET"
