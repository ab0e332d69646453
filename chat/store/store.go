// Package store keeps conversations in an embedded SQLite database: one file in the user's data
// folder, in WAL mode, with a versioned schema and a full-text index over every message.
package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // SQLite itself, built from its C source (with FTS5)

	"parley/chat"
)

// Store is the conversation history. It is safe for concurrent use, and several Parley
// processes may share the file: SQLite's locking keeps it whole.
type Store struct {
	db      *sql.DB
	path    string
	now     func() time.Time
	ticks   func() (<-chan time.Time, func()) // a draft's checkpoint ticks, and how to stop them
	warning string
}

// Conversation is one chat's metadata. Its token total and cost are derived from its messages.
type Conversation struct {
	ID           int64
	Title        string
	Profile      string
	Model        string
	SystemPrompt string
	Created      time.Time
	Updated      time.Time
	Pinned       bool
	Quick        bool // asked from Quick Ask
	// Effort, Pro and ServiceTier are how its questions are asked ("": the model's default,
	// the project's tier).
	Effort      string
	Pro         bool
	ServiceTier string
	// Batch names the batch it was asked in (parley batch), "" for the rest.
	Batch string
	// UID names it across histories (a backup restored into another merges by it); Source is
	// what it was imported from ("chatgpt:…", "claude:…"), so an export imported twice adds it once.
	UID    string
	Source string
	// Temperature is how it asks (a preset's); nil: the profile's.
	Temperature *float32
}

// Message is one stored message.
type Message struct {
	ID             int64
	ConversationID int64
	Seq            int // its place in the conversation, from 0
	Role           chat.Role
	Content        string
	Model          string // for answers: the model that wrote it
	Usage          chat.Usage
	Cost           chat.Cost
	Finish         chat.Finish // answers only: stop, length, stopped, interrupted; Streaming while written
	Error          string      // why an answer failed or was interrupted, in plain words
	// Thinking is the model's reasoning summary, and ThinkingTime how long it thought.
	Thinking     string
	ThinkingTime time.Duration
	// Items are the answer's output items as the Responses API sent them, kept to be replayed
	// to ItemsModel on the next turn; API is the protocol that answered.
	Items      []json.RawMessage
	ItemsModel string
	API        string
	// ResponseID names a background answer's response on OpenAI; with Finish
	// chat.FinishBackground (or Streaming, its follower gone) it is still to be fetched.
	ResponseID string
	// Attachments are the files sent with a question (attachments.go).
	Attachments []Attachment
	// Parent is the message this one follows (0: it opens the conversation). Editing a question
	// or regenerating an answer adds a version beside it; Version is its place among them (from
	// 1) of Versions, as Messages reads it (branches.go).
	Parent            int64
	Version, Versions int
	Created           time.Time
	Updated           time.Time
}

// Streaming marks an answer still being written. One found at start whose writer has gone
// silent is shown as interrupted.
const Streaming chat.Finish = "streaming"

// DefaultPath is where the history lives in a data folder.
func DefaultPath(dataDir string) string { return filepath.Join(dataDir, "history.db") }

// ErrBusy says another process holds the database for too long.
var ErrBusy = errors.New("the history is busy in another Parley process; try again in a moment")

// Open opens (or creates) the history at path and brings its schema up to date. A file that is
// not a readable database is never overwritten: it is moved aside with a timestamp, Warning
// says where, and a fresh history starts.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the history folder: %w", err)
	}
	// The history is the user's alone: SQLite gives its journal files the database's mode.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	} else if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		os.Chmod(path, 0o600) // made by an older Parley, readable by others
	}
	s, err := open(path)
	if err == nil {
		return s, nil
	}
	if full(filepath.Dir(path)) {
		// SQLite cannot make its shared-memory file on a full disk, and says "disk I/O error":
		// the history is still whole, and can be read as it is on disk.
		if s, rerr := openReadOnly(path); rerr == nil {
			s.warning = "The disk holding your history (" + filepath.Dir(path) + ") is full. Your conversations can be read, " +
				"but nothing new is saved until some space is freed."
			return s, nil
		}
		return nil, fmt.Errorf("the disk holding your history (%s) is full: free some space and try again", filepath.Dir(path))
	}
	if cannotOpen(err) {
		return nil, whyNotOpened(path, err)
	}
	if !isCorrupt(err) {
		return nil, err
	}
	aside := fmt.Sprintf("%s.unreadable-%s", path, time.Now().Format("20060102-150405"))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, statErr := os.Stat(path + suffix); statErr == nil {
			if mvErr := os.Rename(path+suffix, aside+suffix); mvErr != nil {
				return nil, fmt.Errorf("the history database is damaged (%v) and could not be moved aside: %w", err, mvErr)
			}
		}
	}
	// What was found of the old file is not true of the fresh one.
	os.Remove(damagedPath(path))
	os.Remove(checkedPath(path))
	s, err2 := open(path)
	if err2 != nil {
		return nil, err2
	}
	s.warning = fmt.Sprintf("Your conversation history could not be read (%s). It was moved to %s, untouched, and a fresh history was started. "+
		"To get back what can be read of it: quit Parley, then run  sqlite3 %q .recover | sqlite3 %q  and start Parley again.", plainCorruption(err), aside, aside, path)
	return s, nil
}

func open(path string) (*Store, error) {
	dsn := "file:" + path + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the history: %w", err)
	}
	s := &Store{db: db, path: path, now: time.Now, ticks: everyCheckpoint}
	if err := s.check(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(); err != nil {
		db.Close()
		var failed migrationFailed
		if errors.As(err, &failed) {
			return nil, putBack(path, failed)
		}
		return nil, err
	}
	return s, nil
}

// openReadOnly opens the history as it stands on disk, to read it without writing anything.
func openReadOnly(path string) (*Store, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&immutable=1&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, now: time.Now, ticks: everyCheckpoint}
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != len(migrations) {
		db.Close()
		return nil, fmt.Errorf("the history cannot be read as it is: %v", err)
	}
	return s, nil
}

// full tells a file system with (almost) no room left: less than SQLite needs to open a file.
func full(dir string) bool {
	free, ok := freeBytes(dir)
	return ok && free < 64<<10
}

// check reads the file's header and schema: a file that is not a database, or whose first pages
// are damaged, fails here. Damage deeper in is found by Check (check.go), which reads it all;
// what it found is looked at again here unless another process has the file open.
func (s *Store) check() error {
	// SQLite removes the write-ahead log when the last connection closes: while it is there,
	// another Parley (the window, say) has the history open, and a damage a check found is left
	// for a start that has it alone, so that a file in use is never moved from under it. (Looked
	// at before the first query, which opens this store's own connection.)
	_, err := os.Stat(s.path + "-wal")
	inUse := err == nil
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return fmt.Errorf("reading the history: %w", err)
	}
	if inUse {
		return nil
	}
	return s.checkFlagged()
}

// whyNotOpened names what keeps the history from being opened: it is never the memory.
func whyNotOpened(path string, err error) error {
	fi, statErr := os.Stat(path)
	switch {
	case statErr == nil && fi.IsDir():
		return fmt.Errorf("the history %s is a folder, not a file: move it away and start Parley again", path)
	case errors.Is(statErr, os.ErrPermission):
		return fmt.Errorf("the history %s cannot be reached: its folder's permissions do not let Parley in", path)
	case errors.Is(statErr, os.ErrNotExist):
		if target, lerr := os.Readlink(path); lerr == nil {
			return fmt.Errorf("the history %s is a link to %s, which does not exist", path, target)
		}
	case statErr == nil:
		if f, oerr := os.OpenFile(path, os.O_RDWR, 0); oerr != nil {
			return fmt.Errorf("the history %s cannot be opened for writing: %w (check its owner and permissions)", path, oerr)
		} else {
			f.Close()
		}
	}
	return fmt.Errorf("the history %s cannot be opened (check the file and its folder): %w", path, err)
}

// Warning is what went wrong opening the history, for telling the user; empty when nothing did.
func (s *Store) Warning() string { return s.warning }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database; everything written is already on disk.
func (s *Store) Close() error { return s.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }
