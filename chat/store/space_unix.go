//go:build !windows

package store

import "golang.org/x/sys/unix"

// freeBytes is the space left on the file system holding dir; ok is false when it cannot be told.
func freeBytes(dir string) (uint64, bool) {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
