package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// withLock runs fn while holding the lock file next to path.
func withLock(path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("locking %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("locking %s: %w", filepath.Base(path), err)
	}
	defer unlockFile(f)
	return fn()
}

// writeAtomic replaces path with data in one step, so a crash or a full disk never leaves a
// half-written file: the old one stays until the new one is complete.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving %s: %w", filepath.Base(path), err)
	}
	return nil
}

// moveAside renames an unreadable file out of the way, keeping it for the user, and returns
// where it went.
func moveAside(path string, now time.Time) (string, error) {
	aside := fmt.Sprintf("%s.unreadable-%s", path, now.Format("20060102-150405"))
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	return aside, nil
}
