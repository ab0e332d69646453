package store

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// A database that cannot grow says "the disk is full", from SQLite's own error (a page limit
// stands in for the disk here; the e2e tests fill a real one).
func TestAFullDatabaseSaysTheDiskIsFull(t *testing.T) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "small.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the page limit is the connection's
	for _, q := range []string{`CREATE TABLE t (b BLOB)`, `PRAGMA max_page_count = 8`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		if _, err = db.Exec(`INSERT INTO t VALUES (randomblob(4096))`); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("the database grew past its page limit")
	}
	got := wrap("saving the answer", err)
	if !DiskFull(err) || got.Error() != "saving the answer: the disk is full" {
		t.Fatalf("SQLite said %q; the user reads %q", err, got)
	}
}

// An I/O error is a full disk when the system says so, and only then.
func TestAnIOErrorIsAFullDiskOnlyWhenTheSystemSaysSo(t *testing.T) {
	for _, tc := range []struct {
		err  error
		full bool
	}{
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.ENOSPC}, true},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.EDQUOT}, true},
		{fmt.Errorf("saving: %w", sqlite3.Error{Code: sqlite3.ErrFull}), true},
		{&os.PathError{Op: "write", Path: "history.db-wal", Err: syscall.ENOSPC}, true},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrRead, SystemErrno: syscall.EIO}, false},
		{errors.New("no space left on device"), false}, // words alone are not SQLite's or the system's
	} {
		if DiskFull(tc.err) != tc.full {
			t.Errorf("DiskFull(%v) = %v", tc.err, !tc.full)
		}
	}
}

// A write that waits past the busy timeout on another process's transaction says the history
// is busy, in words the screens show as they are.
func TestAWriteBehindAnotherProcessSaysBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	holder, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=20")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`INSERT INTO t VALUES (2)`)
	got := wrap("saving the answer", err)
	if !errors.Is(got, ErrBusy) || !strings.HasPrefix(got.Error(), "saving the answer: the history is busy") {
		t.Fatalf("SQLite said %v; the user reads %q", err, got)
	}
}
