package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat"
)

// contents is what a path shows, with each message's version: "q1 (1/2)".
func contents(t *testing.T, s *Store, conv int64) string {
	t.Helper()
	msgs, err := s.Messages(conv)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, m := range msgs {
		parts = append(parts, fmt.Sprintf("%s (%d/%d)", m.Content, m.Version, m.Versions))
	}
	return strings.Join(parts, " ")
}

func answer(t *testing.T, s *Store, question Message, text string) Message {
	t.Helper()
	d, err := s.StartAnswerTo(question, "gpt-5.6")
	if err != nil {
		t.Fatal(err)
	}
	d.Append(text)
	m, err := d.Finish(chat.Answer{Content: text, Finish: chat.FinishStop})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Regenerating an answer and editing a question add versions; nothing is replaced, and each
// switch brings what followed that version.
func TestVersionsAreKeptAndSwitched(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Go", Model: "gpt-5.6"})
	q1, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "q1"})
	a1 := answer(t, s, q1, "a1")
	q2, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "q2"})
	answer(t, s, q2, "a2")
	if got := contents(t, s, c.ID); got != "q1 (1/1) a1 (1/1) q2 (1/1) a2 (1/1)" {
		t.Fatal(got)
	}
	// Regenerate a1's answer: a second answer to q1, shown; a1 and what followed it stay.
	b1 := answer(t, s, q1, "b1")
	if got := contents(t, s, c.ID); got != "q1 (1/1) b1 (2/2)" {
		t.Fatal(got)
	}
	if at, err := s.SwitchVersion(c.ID, b1.ID, -1); err != nil || at != a1.ID {
		t.Fatal(at, err)
	}
	if got := contents(t, s, c.ID); got != "q1 (1/1) a1 (1/2) q2 (1/1) a2 (1/1)" {
		t.Fatal(got)
	}
	// Past the first version stays at the first.
	if at, _ := s.SwitchVersion(c.ID, a1.ID, -1); at != a1.ID {
		t.Fatal(at)
	}
	// Edit the first question: a new first message beside it.
	e1, err := s.AppendAfter(Message{ConversationID: c.ID, Role: chat.User, Content: "e1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	answer(t, s, e1, "f1")
	if got := contents(t, s, c.ID); got != "e1 (2/2) f1 (1/1)" {
		t.Fatal(got)
	}
	// Back to the first question: its newest branch (b1, written after a2).
	s.SwitchVersion(c.ID, e1.ID, -1)
	if got := contents(t, s, c.ID); got != "q1 (1/2) b1 (2/2)" {
		t.Fatal(got)
	}
	// The next question follows the path shown.
	q3, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "q3"})
	if q3.Parent != b1.ID {
		t.Fatalf("q3 follows %d, not b1 %d", q3.Parent, b1.ID)
	}
	// A message of another conversation is not switched to.
	other, _ := s.CreateConversation(Conversation{Title: "Other"})
	if _, err := s.SwitchVersion(other.ID, a1.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

// Search finds text on every branch, and showing the hit switches to its branch.
func TestSearchFindsEveryBranchAndOpensItsOwn(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Cats"})
	q, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "tell me about cats"})
	old := answer(t, s, q, "the ocelot is a wild cat")
	answer(t, s, q, "the lynx is a wild cat")
	hits, err := s.Search("ocelot", 10)
	if err != nil || len(hits) != 1 || hits[0].MessageID != old.ID {
		t.Fatalf("%+v %v", hits, err)
	}
	if err := s.ShowMessage(c.ID, hits[0].MessageID); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, s, c.ID); got != "tell me about cats (1/1) the ocelot is a wild cat (1/2)" {
		t.Fatal(got)
	}
	// A message on the path shown changes nothing.
	if err := s.ShowMessage(c.ID, q.ID); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, s, c.ID); !strings.Contains(got, "ocelot") {
		t.Fatal(got)
	}
}

// Deleting a version deletes what follows it on every branch, its files and its index, and
// the conversation shows the newest version left.
func TestDeletingAVersion(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Trees"})
	q, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "oak or birch"})
	a := answer(t, s, q, "oak")
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "why acorns", Attachments: []Attachment{{Name: "acorn.txt", Kind: "text", MIME: "text/plain", Data: []byte("acorn facts"), Text: "acorn facts"}}})
	answer(t, s, q, "birch")
	s.SwitchVersion(c.ID, a.ID, 0) // show oak's branch, then delete it
	if got := contents(t, s, c.ID); got != "oak or birch (1/1) oak (1/2) why acorns (1/1)" {
		t.Fatal(got)
	}
	if err := s.DeleteVersion(c.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, s, c.ID); got != "oak or birch (1/1) birch (1/1)" {
		t.Fatal(got)
	}
	if hits, _ := s.Search("acorns", 10); len(hits) != 0 {
		t.Fatalf("the index kept a deleted branch: %+v", hits)
	}
	var files, blobs int
	s.db.QueryRow(`SELECT count(*) FROM attachments`).Scan(&files)
	s.db.QueryRow(`SELECT count(*) FROM blobs`).Scan(&blobs)
	if files != 0 || blobs != 0 {
		t.Fatalf("%d files and %d blobs outlived their branch", files, blobs)
	}
}

// A chain far longer than SQLite's trigger recursion limit is shown, branched, deleted.
func TestALongChainHasNoRecursionLimit(t *testing.T) {
	s := openTemp(t)
	const n = 3000
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Role: chat.User, Content: fmt.Sprint(i)}
	}
	c, err := s.Import(Conversation{Title: "long"}, msgs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Messages(c.ID)
	if err != nil || len(got) != n || got[n-1].Content != fmt.Sprint(n-1) {
		t.Fatalf("%d %v", len(got), err)
	}
	if _, err := s.AppendAfter(Message{ConversationID: c.ID, Role: chat.User, Content: "first, again"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteVersion(c.ID, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, s, c.ID); got != "first, again (1/1)" {
		t.Fatal(got)
	}
	if err := s.Delete(c.ID); err != nil {
		t.Fatal(err)
	}
}

// ImportTree keeps the tree and the message shown, refuses parents after their children, and
// adds a source once.
func TestImportTree(t *testing.T) {
	s := openTemp(t)
	msgs := []Message{{Role: chat.User, Content: "q"}, {Role: chat.Assistant, Content: "a"}, {Role: chat.Assistant, Content: "b"}, {Role: chat.User, Content: "q2"}}
	c, err := s.ImportTree(Conversation{Title: "t", Source: "chatgpt:1"}, msgs, []int{-1, 0, 0, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, s, c.ID); got != "q (1/1) a (1/2) q2 (1/1)" {
		t.Fatal(got)
	}
	if _, err := s.ImportTree(Conversation{Title: "t", Source: "chatgpt:1"}, msgs, []int{-1, 0, 0, 1}, 3); !errors.Is(err, ErrImported) {
		t.Fatal(err)
	}
	if _, err := s.ImportTree(Conversation{Title: "bad"}, msgs[:2], []int{1, -1}, -1); err == nil {
		t.Fatal("a parent after its child was taken")
	}
	if n, _ := s.CountConversations(); n != 1 {
		t.Fatalf("%d conversations: a refused import left one behind", n)
	}
	got, _ := s.Conversation(c.ID)
	if got.Source != "chatgpt:1" || len(got.UID) < 16 {
		t.Fatalf("%+v", got)
	}
}

// A history of the previous schema comes up with each message following the one before it.
func TestMigrationToBranchesChainsMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append(migrations[:4:4], `PRAGMA user_version = 4`,
		`INSERT INTO conversations (title, created, updated) VALUES ('one', 1, 2), ('two', 1, 2)`,
		`INSERT INTO messages (conversation_id, seq, role, content, created, updated) VALUES
			(1, 0, 'user', 'first', 1, 1), (2, 0, 'user', 'elsewhere', 1, 1), (1, 1, 'assistant', 'second', 2, 2), (1, 2, 'user', 'third', 3, 3)`) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := contents(t, s, 1); got != "first (1/1) second (1/1) third (1/1)" {
		t.Fatal(got)
	}
	if m, _ := s.Append(Message{ConversationID: 1, Role: chat.Assistant, Content: "fourth"}); m.Parent != 4 {
		t.Fatalf("the next message follows %d", m.Parent)
	}
	a, _ := s.Conversation(1)
	b, _ := s.Conversation(2)
	if a.UID == "" || a.UID == b.UID {
		t.Fatalf("uids %q %q", a.UID, b.UID)
	}
	if backups, _ := filepath.Glob(path + ".before-schema-5-*"); len(backups) != 1 {
		t.Fatalf("backups %v", backups)
	}
}

// A migration that fails puts the history back as it was before it, from the copy taken
// first, and says so; the history is still whole, at its old schema.
func TestFailedMigrationPutsTheHistoryBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Schema 3, with an index in the way of migration 5.
	for _, q := range append(migrations[:3:3], `PRAGMA user_version = 3`,
		`INSERT INTO conversations (title, created, updated) VALUES ('kept', 1, 2)`,
		`INSERT INTO messages (conversation_id, seq, role, content, created, updated) VALUES (1, 0, 'user', 'still here', 1, 1)`,
		`CREATE INDEX messages_by_parent ON messages (seq)`) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "schema 5") || !strings.Contains(err.Error(), "put back as it was before") {
		t.Fatalf("%v", err)
	}
	// Migration 4 had run before 5 failed: it is undone too.
	back, _ := sql.Open("sqlite3", "file:"+path)
	defer back.Close()
	var version, messages, blobs int
	back.QueryRow(`PRAGMA user_version`).Scan(&version)
	back.QueryRow(`SELECT count(*) FROM messages WHERE content = 'still here'`).Scan(&messages)
	back.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'blobs'`).Scan(&blobs)
	if version != 3 || messages != 1 || blobs != 0 {
		t.Fatalf("schema %d, %d messages, blobs table %d: not as it was", version, messages, blobs)
	}
}

// A conversation's count is what it reads (the branch shown); its tokens and cost are every
// version's, each of which was paid for.
func TestTotalsCountTheBranchShownAndEveryVersionsCost(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Versions"})
	q, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "q"})
	paid := func(content string) {
		t.Helper()
		if _, err := s.AppendAfter(Message{ConversationID: c.ID, Role: chat.Assistant, Content: content,
			Usage: chat.Usage{PromptTokens: 10, CompletionTokens: 5}, Cost: chat.Cost{USD: 0.01, Known: true}}, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	paid("first answer")
	paid("regenerated")
	paid("regenerated again")
	tot, err := s.Totals(c.ID)
	if err != nil || tot.Messages != 2 || tot.Tokens != 45 || math.Abs(tot.Cost-0.03) > 1e-9 || !tot.CostKnown {
		t.Fatalf("after two regenerations: %+v %v (want 2 messages, 45 tokens, $0.03)", tot, err)
	}
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "and then?"})
	if tot, _ := s.Totals(c.ID); tot.Messages != 3 {
		t.Fatalf("a question after them: %+v", tot)
	}
	// An edited first question starts a branch of its own: one message shown.
	s.AppendAfter(Message{ConversationID: c.ID, Role: chat.User, Content: "q, edited"}, 0)
	if tot, _ := s.Totals(c.ID); tot.Messages != 1 || tot.Tokens != 45 {
		t.Fatalf("on the edited question's branch: %+v", tot)
	}
	empty, _ := s.CreateConversation(Conversation{Title: "Empty"})
	if tot, err := s.Totals(empty.ID); err != nil || tot.Messages != 0 {
		t.Fatalf("empty: %+v %v", tot, err)
	}
}
