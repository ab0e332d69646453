#!/usr/bin/env bash
# `make install`: installs Parley for the current user on Linux (~/.local/bin, a desktop entry with
# a "Quick Ask" action, the icon), packaged by the Fyne tool from FyneApp.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(uname -s) != Linux ]]; then
  echo "make install is for Linux; on macOS and Windows use 'fyne package' (see README.md)" >&2
  exit 1
fi

fyne_version=$(go list -m -f '{{.Version}}' fyne.io/fyne/v2)
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The Fyne tool builds the release binary and writes the package: bin, .desktop entry, icon and a
# Makefile with a user-install target. (fyne.io/tools is the tool's new home; the older command
# inside the fyne module does the same job and is the one the module proxy serves.)
cp FyneApp.toml "$work/FyneApp.toml" # the tool bumps its build number; the repository keeps its own
go run "fyne.io/fyne/v2/cmd/fyne@$fyne_version" package -os linux -release -name Parley -appID app.parley.Parley \
  -icon assets/icon.png >/dev/null
cp "$work/FyneApp.toml" FyneApp.toml
mv Parley.tar.xz "$work/"
tar -xJf "$work/Parley.tar.xz" -C "$work"
rm "$work/Parley.tar.xz"
pkg=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
desktop=$(find "$pkg" -name 'Parley.desktop')

# A desktop action so a launcher, dock or keyboard shortcut can open Quick Ask directly.
cat >>"$desktop" <<'ENTRY'
StartupWMClass=Parley
Actions=QuickAsk;

[Desktop Action QuickAsk]
Name=Quick Ask
Exec=parley --quick
ENTRY
# The Fyne tool names the binary after the module; Parley's command is parley.
bin=$(find "$pkg" -path '*/bin/*' -type f)
if [[ $(basename "$bin") != parley ]]; then
  mv "$bin" "$(dirname "$bin")/parley"
  sed -i -e 's/^Exec=.*/Exec=parley/' "$desktop"
  sed -i -e 's/^Exec := .*/Exec := "parley"/' "$pkg/Makefile"
  # The main entry's Exec was rewritten above; the action's must stay "parley --quick".
  sed -i -e '/^\[Desktop Action QuickAsk\]/,$ s/^Exec=parley$/Exec=parley --quick/' "$desktop"
fi

if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$desktop"
fi
make -s -C "$pkg" user-install
installed="$HOME/.local/share/applications/Parley.desktop"
command -v desktop-file-validate >/dev/null && desktop-file-validate "$installed"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$HOME/.local/share/applications" || true
echo "Installed $HOME/.local/bin/parley, $installed (with a Quick Ask action) and its icon."
echo "Bind a keyboard shortcut to 'parley --quick' to ask from anywhere."
