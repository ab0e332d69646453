#!/usr/bin/env bash
# Installs what building, running and testing Parley needs, and only what is missing.
# Safe to run again and again: `make run` and `make test` both call it.
set -euo pipefail

# Debian packages: Fyne (cgo, OpenGL, X11), the test display and screenshots, the keychain in a
# private D-Bus session, the desktop-entry checker, and Node for the third-party test server.
debian_packages=(
  gcc pkg-config libgl1-mesa-dev xorg-dev libxcb1-dev
  xvfb xdotool imagemagick x11-utils
  dbus dbus-x11 gnome-keyring libsecret-tools
  desktop-file-utils
  nodejs npm
)

say() { printf 'deps: %s\n' "$*" >&2; }

case "$(uname -s)" in
Darwin)
  command -v go >/dev/null || { say "Go 1.25+ is needed: https://go.dev/dl/ (or 'brew install go')"; exit 1; }
  xcode-select -p >/dev/null 2>&1 || { say "the Xcode command line tools are needed for cgo: run 'xcode-select --install'"; exit 1; }
  say "macOS: Go and the Xcode tools are present; the keychain is the macOS Keychain. End-to-end tests need Linux (Xvfb)."
  exit 0 ;;
MINGW* | MSYS* | CYGWIN* | Windows_NT)
  say "Windows: install Go (https://go.dev/dl/) and a gcc for cgo (MSYS2 mingw-w64: 'pacman -S mingw-w64-x86_64-gcc'),"
  say "then 'go run .' opens Parley. Keys live in the Windows Credential Manager. End-to-end tests need Linux (Xvfb)."
  exit 0 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  say "this is not a Debian-like system: install the equivalents of: ${debian_packages[*]}"
  command -v go >/dev/null || { say "and Go 1.25+ from https://go.dev/dl/"; exit 1; }
  exit 0
fi

missing=()
for p in "${debian_packages[@]}"; do
  # dpkg-query prints "install ok installed" only for fully installed packages.
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
# Node may come from elsewhere (nvm, nodesource): then the Debian packages are not needed.
if command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || kept+=("$p"); done
  missing=("${kept[@]}")
fi

if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { say "run as root or install sudo; missing: ${missing[*]}"; exit 1; }
    sudo="sudo"
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { say "Go 1.25 or later is needed: https://go.dev/dl/"; exit 1; }
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [[ $go_minor =~ ^[0-9]+$ ]] && ((go_minor < 25)); then
  say "Go 1.25 or later is needed (this is $(go env GOVERSION)): https://go.dev/dl/"
  exit 1
fi
# Go modules: fetched once, then served from the module cache.
cd "$(dirname "$0")/.."
go mod download
