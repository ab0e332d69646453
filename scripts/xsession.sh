#!/usr/bin/env bash
# Runs a command as a user would meet Parley: in a private X display (Xvfb), a private D-Bus
# session (dbus-run-session) and an unlocked gnome-keyring on it. The display, the bus, the
# keyring and their files are thrown away when the command ends, whether it passes or fails.
#
#   scripts/xsession.sh COMMAND [ARGS...]
set -euo pipefail

if [[ -z ${PARLEY_XSESSION:-} ]]; then
  export PARLEY_XSESSION=1
  # dbus-daemon warns that it may not raise its file limit in a container; that is noise here.
  exec dbus-run-session -- "$0" "$@" 2> >(grep --line-buffered -v "Failed to set fd limit" >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-session.XXXXXX")
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
[[ -s $work/display ]] || { echo "xsession: Xvfb did not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(cat "$work/display")"

# A keyring of its own, unlocked, serving org.freedesktop.secrets on this session bus. Its
# files live in the session's folder, never in a real home.
mkdir -p "$work/keyring"
printf 'session-keyring-password' | HOME="$work/keyring" XDG_DATA_HOME="$work/keyring/data" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.05
done

"$@"
