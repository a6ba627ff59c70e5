#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (Playwright's own
# browser download cannot be used here). Needs root (as CI has) or passwordless sudo. When it
# cannot install it, it warns and exits 0: the browser tests then skip, saying why.
set -uo pipefail
CHROMIUM=${PHATAM_CHROMIUM:-/usr/bin/chromium}
SKIP="the browser tests will skip"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: WARNING: no apt-get here; install Chromium and set PHATAM_CHROMIUM to it; $SKIP" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
echo "== installing Debian's chromium (for the browser tests)"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq &&
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }; then
  echo "install-chromium: WARNING: apt-get could not install chromium; $SKIP" >&2
  exit 0
fi
"$CHROMIUM" --version
