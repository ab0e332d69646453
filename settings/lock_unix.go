//go:build !windows

package settings

import (
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on f until unlock; Parley's window and its command line
// may write the same files at once.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
