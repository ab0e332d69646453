//go:build windows

package settings

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFile holds an exclusive lock on f until unlock; Parley's window and its command line
// may write the same files at once.
func lockFile(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &windows.Overlapped{})
}

func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &windows.Overlapped{})
}
