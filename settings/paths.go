// Package settings holds what the user configures and what Parley remembers about it: profiles,
// API keys in the OS keychain, preferences, the model catalog and the usage meter. It never
// imports Fyne.
package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Paths are the folders Parley keeps its files in. Nothing in them ever holds an API key.
type Paths struct {
	Config  string // preferences and profiles
	Data    string // conversation history and usage
	Runtime string // the single-instance socket
}

// DefaultPaths follows each platform's convention: XDG_CONFIG_HOME, XDG_DATA_HOME and
// XDG_RUNTIME_DIR on Linux (so tests and users can move them), Application Support on macOS,
// AppData on Windows.
func DefaultPaths() (Paths, error) {
	config, err := os.UserConfigDir()
	if err != nil {
		return Paths{}, fmt.Errorf("finding the configuration folder: %w", err)
	}
	p := Paths{Config: filepath.Join(config, "parley"), Data: filepath.Join(config, "Parley")}
	switch runtime.GOOS {
	case "darwin", "windows":
		p.Config = filepath.Join(config, "Parley")
		p.Data = p.Config
	default:
		data := os.Getenv("XDG_DATA_HOME")
		if data == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return Paths{}, fmt.Errorf("finding the home folder: %w", err)
			}
			data = filepath.Join(home, ".local", "share")
		}
		p.Data = filepath.Join(data, "parley")
	}
	switch runtimeDir := os.Getenv("XDG_RUNTIME_DIR"); {
	case runtimeDir != "":
		p.Runtime = filepath.Join(runtimeDir, "parley")
	case runtime.GOOS == "darwin" || runtime.GOOS == "windows":
		p.Runtime = filepath.Join(os.TempDir(), "Parley") // a temporary folder of the user's own
	default:
		// Not the shared /tmp, where another user could make the folder first: the user's cache.
		cache, err := os.UserCacheDir()
		if err != nil {
			return Paths{}, fmt.Errorf("finding the cache folder: %w", err)
		}
		p.Runtime = filepath.Join(cache, "parley", "run")
	}
	return p, nil
}

// Ensure creates the folders, readable by the user alone (and makes them so, when an older
// Parley left them open to others).
func (p Paths) Ensure() error {
	for _, dir := range []string{p.Config, p.Data, p.Runtime} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
			os.Chmod(dir, 0o700)
		}
	}
	return nil
}
