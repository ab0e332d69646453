package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Reading a history whole for damage (SQLite's quick_check reads every page of every table and
// index) takes seconds for a large one: six for 200,000 messages. Open used to, on every start
// of the window and every `parley ask`. Now Open reads only the file's header and schema, and
// the window runs Check in the background once a day; damage it finds is remembered beside the
// file, and the next Open that has the file alone moves it aside as it always did, saying where.

// ErrDamaged says the history has damaged pages.
var ErrDamaged = errors.New("the history is damaged")

// Is makes errors.Is(err, ErrDamaged) true for the damage a check finds.
func (e errCorrupt) Is(target error) bool { return target == ErrDamaged }

// UserMessage is what the user is told of it, on one line.
func (e errCorrupt) UserMessage() string {
	detail := strings.TrimPrefix(strings.TrimSpace(e.detail), "*** in database main ***")
	return "SQLite says: " + strings.Join(strings.Fields(detail), " ") + "."
}

// CheckEvery is how often the window reads the history whole.
const CheckEvery = 24 * time.Hour

// checkedPath holds when a check last found the history whole; damagedPath, what a check found
// wrong (Open looks again, and moves the file aside).
func checkedPath(path string) string { return path + ".checked" }
func damagedPath(path string) string { return path + ".damaged" }

// Check reads the whole history for damage. It returns nil when it is whole, an error matching
// ErrDamaged when it is not (and the next Open that has the file alone moves it aside), or why
// it could not look (ctx done: it stops at once). It holds one of the store's connections
// meanwhile; the others go on reading and writing.
func (s *Store) Check(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrap("checking the history", err)
	}
	defer conn.Close()
	err = quickCheck(ctx, conn)
	// The pages were read once: the connection's cache gives them back rather than keep them.
	conn.ExecContext(context.Background(), `PRAGMA shrink_memory`)
	var damage errCorrupt
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("checking the history: %w", ctx.Err())
	case errors.As(err, &damage):
		os.WriteFile(damagedPath(s.path), []byte(damage.detail+"\n"), 0o600)
		return fmt.Errorf("checking the history: %w", err)
	case err != nil:
		return wrap("checking the history", err)
	}
	os.Remove(damagedPath(s.path))
	if err := os.WriteFile(checkedPath(s.path), []byte(s.now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
		return fmt.Errorf("noting that the history was checked: %w", err)
	}
	return nil
}

// quickCheck runs SQLite's quick_check: errCorrupt says what is damaged.
func quickCheck(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) error {
	var result string
	err := q.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&result)
	switch {
	case err != nil && isCorrupt(err):
		return errCorrupt{plainCorruption(err)}
	case err != nil:
		return err
	case result != "ok":
		return errCorrupt{result}
	}
	return nil
}

// CheckedAt is when a check last found the history whole (zero: never).
func (s *Store) CheckedAt() time.Time {
	data, err := os.ReadFile(checkedPath(s.path))
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(data)))
	if err != nil {
		return time.Time{}
	}
	return t
}

// CheckIfDue checks the history when the last check that found it whole is older than every
// (or there was none). It reports whether it checked.
func (s *Store) CheckIfDue(ctx context.Context, every time.Duration) (bool, error) {
	if s.now().Sub(s.CheckedAt()) < every {
		return false, nil
	}
	return true, s.Check(ctx)
}

// checkFlagged reads the whole history again when a check found it damaged: it may have been
// replaced or mended since, and the flag goes; if not, Open moves it aside.
func (s *Store) checkFlagged() error {
	if _, err := os.Stat(damagedPath(s.path)); err != nil {
		return nil
	}
	if err := quickCheck(context.Background(), s.db); err != nil {
		return fmt.Errorf("checking the history: %w", err)
	}
	os.Remove(damagedPath(s.path))
	return nil
}
