// Package backup writes everything Parley keeps of a user's work into one file, and restores it:
// conversations with every branch and file, the usage records and the presets. Never a key:
// keys live in the OS keychain, and none of what is backed up holds one. The file is a copy of
// the history (an SQLite database, readable with sqlite3) with the rest in a table of its own.
// The window and the command line both back up and restore through it; it never imports Fyne.
package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the backup is an SQLite file

	"parley/chat"
	"parley/chat/store"
	"parley/settings"
)

// Sources are what a backup holds and a restore fills.
type Sources struct {
	History *store.Store
	Meter   *settings.Meter   // nil: no usage records
	Presets *settings.Presets // nil: no presets
}

// format is the backup's own version, beside the history's schema.
const format = 1

// Written is what a backup holds.
type Written struct {
	Conversations int
	Bytes         int64
}

// Write backs up everything to path, replacing a file there only once the new one is whole.
func Write(src Sources, path string) (Written, error) {
	var w Written
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+random()+".part")
	defer os.Remove(tmp)
	if err := src.History.CopyTo(tmp); err != nil {
		return w, plainDisk(err)
	}
	extras := map[string][]byte{"format": []byte(fmt.Sprint(format)), "created": []byte(time.Now().UTC().Format(time.RFC3339))}
	if src.Meter != nil {
		usage, err := src.Meter.Export()
		if err != nil {
			return w, fmt.Errorf("reading the usage records: %w", err)
		}
		extras["usage.json"] = usage
	}
	if src.Presets != nil {
		extras["presets.json"] = src.Presets.Export()
	}
	if err := writeExtras(tmp, extras); err != nil {
		return w, plainDisk(err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return w, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return w, fmt.Errorf("saving the backup as %s: %w", path, err)
	}
	w.Conversations, _ = src.History.CountConversations()
	if fi, err := os.Stat(path); err == nil {
		w.Bytes = fi.Size()
	}
	return w, nil
}

// writeExtras adds what is not in the history to the copy, in a table of its own.
func writeExtras(path string, extras map[string][]byte) error {
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE parley_backup (name TEXT PRIMARY KEY, data BLOB NOT NULL)`); err != nil {
		return fmt.Errorf("writing the backup: %w", err)
	}
	for name, data := range extras {
		if _, err := db.Exec(`INSERT INTO parley_backup (name, data) VALUES (?, ?)`, name, data); err != nil {
			return fmt.Errorf("writing the backup: %w", err)
		}
	}
	return db.Close()
}

// Restored is what a restore added.
type Restored struct {
	Added, Already int  // conversations added, and those the history held already
	Stopped        bool // asked to stop: the rest of the backup, batches, usage and presets, was not looked at
	Batches        int  // batches added (those Parley submitted: running ones can be fetched here)
	UsageDays      int  // days of usage records added or completed
	PresetsAdded   int
	PresetsChanged int
}

// ErrNotBackup says a file is not a Parley backup (nor a Parley history).
var ErrNotBackup = errors.New("this file is not a Parley backup")

// Restore merges the backup at path into dst: the conversations the history does not hold
// (by their id, so restoring twice adds nothing), the batches it does not know, usage days it
// lacks, presets it lacks or holds in another version. The backup itself is never changed. progress hears how many of
// its conversations were looked at, of how many. Once ctx is done it stops between two
// conversations (Stopped): what came in stays, and restoring again brings the rest.
func Restore(ctx context.Context, dst Sources, path string, progress func(done, total int)) (Restored, error) {
	var r Restored
	if err := looksLikeBackup(path); err != nil {
		return r, err
	}
	// Work on a copy: an older backup is brought up to date as it is opened.
	copyPath, err := copyAside(path, filepath.Dir(dst.History.Path()))
	if err != nil {
		return r, err
	}
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(copyPath + suffix)
		}
	}()
	extras, err := readExtras(copyPath)
	if err != nil {
		return r, err
	}
	src, err := store.Open(copyPath)
	if err != nil {
		return r, fmt.Errorf("opening the backup: %w", err)
	}
	defer src.Close()
	if src.Warning() != "" {
		return r, fmt.Errorf("%w: it is damaged", ErrNotBackup)
	}
	// An older backup was brought up to date as it was opened, its copy backed up first: only
	// the copy's, never the user's file.
	backups, _ := filepath.Glob(copyPath + ".before-schema-*")
	for _, b := range backups {
		os.Remove(b)
	}
	r.Added, r.Already, err = dst.History.MergeFrom(ctx, src, progress)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		r.Stopped = true
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("restoring the conversations (%d added before the error): %w", r.Added, err)
	}
	if r.Batches, err = dst.History.MergeBatchesFrom(src); err != nil {
		return r, err
	}
	if usage, ok := extras["usage.json"]; ok && dst.Meter != nil {
		if r.UsageDays, err = dst.Meter.Merge(usage); err != nil {
			return r, err
		}
	}
	if presets, ok := extras["presets.json"]; ok && dst.Presets != nil {
		if r.PresetsAdded, r.PresetsChanged, err = dst.Presets.Import(presets); err != nil {
			return r, fmt.Errorf("restoring the presets: %w", err)
		}
	}
	return r, nil
}

// looksLikeBackup reads a file's header and schema without changing it: a Parley backup, or a
// Parley history file, has the conversations table.
func looksLikeBackup(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the backup: %w", err)
	}
	header := make([]byte, 16)
	_, err = io.ReadFull(f, header)
	f.Close()
	if err != nil || string(header) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w", filepath.Base(path), ErrNotBackup)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('conversations', 'messages')`).Scan(&n); err != nil || n != 2 {
		return fmt.Errorf("%s: %w (it is a database, but not Parley's)", filepath.Base(path), ErrNotBackup)
	}
	var check string
	if err := db.QueryRow(`PRAGMA quick_check(1)`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("%s: the backup is damaged (%s)", filepath.Base(path), strings.TrimSpace(check+" "+errText(err)))
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// readExtras reads the usage records and presets a backup holds (none in a plain history).
func readExtras(path string) (map[string][]byte, error) {
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	out := map[string][]byte{}
	var n int
	db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'parley_backup'`).Scan(&n)
	if n == 0 {
		return out, nil
	}
	rows, err := db.Query(`SELECT name, data FROM parley_backup`)
	if err != nil {
		return nil, fmt.Errorf("reading the backup: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var data []byte
		if err := rows.Scan(&name, &data); err != nil {
			return nil, fmt.Errorf("reading the backup: %w", err)
		}
		out[name] = data
	}
	if v, _ := strconv.Atoi(string(out["format"])); v > format {
		return nil, fmt.Errorf("this backup was written by a newer Parley (format %d): update Parley to restore it", v)
	}
	return out, rows.Err()
}

// copyAside copies the backup into dir under a temporary name.
func copyAside(path, dir string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("opening the backup: %w", err)
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, ".restoring-*.db")
	if err != nil {
		return "", fmt.Errorf("making room to read the backup: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", plainDisk(fmt.Errorf("reading the backup: %w", err))
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", plainDisk(err)
	}
	return out.Name(), nil
}

// plainDisk says a full disk in plain words.
func plainDisk(err error) error {
	if store.DiskFull(err) {
		return fmt.Errorf("the disk is full: free some space and try again (%w)", err)
	}
	return err
}

func random() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Report says what a restore did, in plain words.
func (r Restored) Report() string {
	s := "Restored "
	if r.Stopped {
		s = "Stopped after restoring "
	}
	s += chat.Plural(r.Added, "conversation", "")
	if r.Already > 0 {
		s += fmt.Sprintf(" (%s here already)", chat.Plural(r.Already, "was", "were"))
	}
	if r.Stopped {
		return s + ". Restoring from the same backup again brings the rest, and its batches, usage records and presets; nothing is added twice."
	}
	if r.Batches > 0 {
		s += ", " + chat.Plural(r.Batches, "batch", "batches")
	}
	s += fmt.Sprintf(", %s of usage records and %s", chat.Plural(r.UsageDays, "day", ""), chat.Plural(r.PresetsAdded, "preset", ""))
	if r.PresetsChanged > 0 {
		s += fmt.Sprintf(" (%s updated)", chat.Plural(r.PresetsChanged, "more", "more"))
	}
	return s + "."
}
