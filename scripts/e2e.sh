#!/usr/bin/env bash
# Runs the end-to-end tests of the built binary (e2e/) in a private display, D-Bus session and
# keyring (scripts/xsession.sh).
#
#   scripts/e2e.sh BIN TESTSERVER [go test flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PARLEY_BIN=$(realpath "$1") PARLEY_TESTSERVER=$(realpath "$2") PARLEY_SCREENS="$PWD/build/screens"
shift 2
mkdir -p "$PARLEY_SCREENS"
# Window titles hold "—": xdotool matches them only in a UTF-8 locale, and a shell without one
# (LANG unset: the C locale) would fail every test that finds a window by a conversation's title.
if [[ -z ${LC_ALL:-}${LC_CTYPE:-}${LANG:-} ]]; then
  export LANG=C.UTF-8
fi
exec scripts/xsession.sh go test -tags e2e -count=1 "$@" ./e2e/
