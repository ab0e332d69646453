package settings

import (
	"os"
	"path/filepath"
)

// noBus says when the Secret Service cannot be reached because there is no D-Bus session at all.
// Asked anyway, the D-Bus library would launch a session bus of its own, which outlives the
// command that started it: Parley never lets it.
func (k *Keys) noBus() error {
	if !k.system || k.getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := k.getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return &KeychainError{
		Problem: "No keychain is reachable: there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so the Secret Service cannot be asked.",
		Fix:     "Run Parley inside a desktop session, or start one with dbus-run-session.",
	}
}
