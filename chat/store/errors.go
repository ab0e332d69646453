package store

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// What SQLite's errors mean for the user is told by their codes (and, for an I/O error, the
// system's errno beside it), never by the driver's wording of them.

// wrap gives database errors a plain meaning.
func wrap(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case isBusy(err):
		return fmt.Errorf("%s: %w", what, ErrBusy)
	case DiskFull(err):
		return fmt.Errorf("%s: the disk is full", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// sqliteError is SQLite's error inside err: its code, and the system's errno when an I/O
// failed (0 and 0 when err did not come from SQLite).
func sqliteError(err error) (sqlite3.ErrNo, syscall.Errno) {
	var e sqlite3.Error
	if errors.As(err, &e) {
		return e.Code, e.SystemErrno
	}
	return 0, 0
}

// isBusy tells another connection holding the database past the busy timeout.
func isBusy(err error) bool {
	code, _ := sqliteError(err)
	return code == sqlite3.ErrBusy || code == sqlite3.ErrLocked
}

// DiskFull tells a write that failed for want of space: SQLite's own "full" (the disk, or a
// page limit), an I/O error the system gave as no space or over quota, or such a file error.
func DiskFull(err error) bool {
	code, errno := sqliteError(err)
	return code == sqlite3.ErrFull || errno == syscall.ENOSPC || errno == syscall.EDQUOT ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// errCorrupt is damage a check found in a file SQLite could open.
type errCorrupt struct{ detail string }

func (e errCorrupt) Error() string { return "database disk image is malformed: " + e.detail }

// isCorrupt tells a file that is not a database, or a damaged one.
func isCorrupt(err error) bool {
	code, _ := sqliteError(err)
	return errors.As(err, &errCorrupt{}) || code == sqlite3.ErrCorrupt || code == sqlite3.ErrNotADB
}

// cannotOpen tells SQLite's "unable to open database file": a folder, a dangling link, a file
// or folder Parley may not write (whyNotOpened says which).
func cannotOpen(err error) bool {
	code, _ := sqliteError(err)
	return code == sqlite3.ErrCantOpen
}

// plainCorruption says in words what isCorrupt found.
func plainCorruption(err error) string {
	if code, _ := sqliteError(err); code == sqlite3.ErrNotADB {
		return "the file is not a database"
	}
	return "the file is damaged"
}
