#!/usr/bin/env bash
# Runs the end-to-end tests of the built binary as a user would meet it: a private X display
# (Xvfb), a private D-Bus session (dbus-run-session) and an unlocked gnome-keyring in it. The
# display, the bus, the keyring and their files are thrown away when the tests end, pass or fail.
#
#   scripts/e2e.sh BIN TESTSERVER [go test flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${PARLEY_E2E_SESSION:-} ]]; then
  export PARLEY_E2E_SESSION=1
  # dbus-daemon warns that it may not raise its file limit in a container; that is noise here.
  exec dbus-run-session -- "$0" "$@" 2> >(grep -v "Failed to set fd limit" >&2)
fi

bin=$(realpath "$1")
server=$(realpath "$2")
shift 2

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-e2e.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A display of its own: Xvfb picks a free number and writes it to fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/display ]] && break; sleep 0.05; done
[[ -s $work/display ]] || { echo "e2e: Xvfb did not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(cat "$work/display")"

# A keyring of its own, unlocked, serving org.freedesktop.secrets on this session bus. Its
# files live under $work, never in a real home.
mkdir -p "$work/keyring"
printf 'e2e-keyring-password' | HOME="$work/keyring" XDG_DATA_HOME="$work/keyring/data" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.05
done

export PARLEY_BIN="$bin" PARLEY_TESTSERVER="$server" PARLEY_SCREENS="$PWD/build/screens"
mkdir -p "$PARLEY_SCREENS"
go test -tags e2e -count=1 "$@" ./e2e/
