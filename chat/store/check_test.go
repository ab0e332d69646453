package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/store/storetest"
)

// damagedHistory is a history of 300 messages whose messages table was damaged as a failing
// disk leaves one: its header and schema still read.
func damagedHistory(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	for i := range 300 {
		s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: strings.Repeat(fmt.Sprint(i), 200)})
	}
	s.Close()
	if err := storetest.DamageTable(path, "messages"); err != nil {
		t.Fatal(err)
	}
	return path
}

// Opening reads only the header and the schema; the check finds the damage, and the next open
// moves the file aside, untouched, and says where.
func TestDamagedPagesAreFoundByTheCheckAndMovedAsideAtTheNextStart(t *testing.T) {
	path := damagedHistory(t)
	damaged, _ := os.ReadFile(path)
	s, err := Open(path)
	if err != nil || s.Warning() != "" {
		t.Fatalf("open: %v, %q", err, s.Warning())
	}
	err = s.Check(context.Background())
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("the check found %v", err)
	}
	if _, err := os.Stat(path + ".damaged"); err != nil {
		t.Fatal("the damage was not remembered for the next start")
	}
	if !s.CheckedAt().IsZero() {
		t.Fatal("a damaged history counted as checked")
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	movedAsideUntouched(t, s, path, damaged)
	for _, f := range []string{path + ".damaged", path + ".checked"} {
		if _, err := os.Stat(f); err == nil {
			t.Fatalf("%s is left for the fresh history", f)
		}
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("the fresh history: %v", err)
	}
}

// While another Parley has the damaged history open (the window that found the damage), opening
// it does not move it from under that one; the first start that has it alone does.
func TestADamagedHistoryInUseIsLeftWhereItIs(t *testing.T) {
	path := damagedHistory(t)
	window, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := window.Check(context.Background()); !errors.Is(err, ErrDamaged) {
		t.Fatalf("the check found %v", err)
	}
	command, err := Open(path)
	if err != nil || command.Warning() != "" {
		t.Fatalf("%v %q", err, command.Warning())
	}
	if matches, _ := filepath.Glob(path + ".unreadable-*"); len(matches) != 0 {
		t.Fatalf("moved aside while in use: %v", matches)
	}
	command.Close()
	window.Close()

	next, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if !strings.Contains(next.Warning(), "moved to") {
		t.Fatalf("warning %q", next.Warning())
	}
}

// A history found damaged and then replaced by a whole one (restored from a copy, or recovered
// with sqlite3) opens as it is.
func TestAMendedHistoryIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, _ := Open(path)
	c, _ := s.CreateConversation(Conversation{Title: "kept"})
	s.Close()
	os.WriteFile(path+".damaged", []byte("*** in database main ***\n"), 0o600)
	s, err := Open(path)
	if err != nil || s.Warning() != "" {
		t.Fatalf("%v %q", err, s.Warning())
	}
	defer s.Close()
	if got, err := s.Conversation(c.ID); err != nil || got.Title != "kept" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := os.Stat(path + ".damaged"); err == nil {
		t.Fatal("the flag outlived the damage")
	}
}

// A whole history is checked once a day at most.
func TestAWholeHistoryIsCheckedOnceADay(t *testing.T) {
	s := openTemp(t)
	clock := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if !s.CheckedAt().IsZero() {
		t.Fatal("a new history counts as checked")
	}
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "Hello"})
	for _, step := range []struct {
		after time.Duration
		check bool
	}{{0, true}, {time.Hour, false}, {23 * time.Hour, false}, {25 * time.Hour, true}, {26 * time.Hour, false}} {
		clock = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).Add(step.after)
		checked, err := s.CheckIfDue(context.Background(), CheckEvery)
		if err != nil || checked != step.check {
			t.Fatalf("after %v: checked %v (want %v), %v", step.after, checked, step.check, err)
		}
		if checked && !s.CheckedAt().Equal(clock) {
			t.Fatalf("checked at %v, noted %v", clock, s.CheckedAt())
		}
	}
}

// Quitting during a long check stops it: SQLite is interrupted, nothing is noted.
func TestACheckStopsWhenCancelled(t *testing.T) {
	s := openTemp(t)
	// Pages enough that reading them all takes a while.
	if _, err := s.db.Exec(`CREATE TABLE filler (n INTEGER, b BLOB); CREATE INDEX filler_n ON filler (n);
		INSERT INTO filler WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000) SELECT x, zeroblob(1000) FROM c`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.AfterFunc(2*time.Millisecond, cancel) // reading them takes 50 ms here, 1.5 s with -race
	if err := quickCheck(ctx, conn); err == nil {
		t.Fatal("the check ran to its end")
	}
	if err := s.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	for _, f := range []string{s.path + ".damaged", s.path + ".checked"} {
		if _, err := os.Stat(f); err == nil {
			t.Fatalf("a cancelled check wrote %s", f)
		}
	}
}

// What every start looks for is found by an index, not by reading every message.
func TestWhatEveryStartLooksForIsIndexed(t *testing.T) {
	s := openTemp(t)
	for name, where := range map[string]string{"abandoned": abandonedWhere, "pending": pendingWhere} {
		args := []any{1}
		if name == "pending" {
			args = []any{string(chat.FinishBackground), string(Streaming), 1}
		}
		rows, err := s.db.Query(`EXPLAIN QUERY PLAN `+messagesWhereQuery(where), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, "USING INDEX") || strings.Contains(joined, "SCAN messages;") || strings.HasSuffix(joined, "SCAN messages") {
			t.Errorf("%s: %s", name, joined)
		}
	}
}
