package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/chat"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConversationLifecycle(t *testing.T) {
	s := openTemp(t)
	c, err := s.CreateConversation(Conversation{Title: TitleFrom("  How do I\nwrite Go?"), Profile: "default", Model: "gpt-4o", SystemPrompt: "Be brief."})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Title != "How do I" {
		t.Fatalf("%+v", c)
	}
	q, _ := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "How do I write Go?"})
	a, _ := s.Append(Message{ConversationID: c.ID, Role: chat.Assistant, Content: "Like this.", Model: "gpt-4o-2024-08-06",
		Usage: chat.Usage{PromptTokens: 20, CachedTokens: 0, CompletionTokens: 4, ReasoningTokens: 0}, Cost: chat.Cost{USD: 0.0001, Known: true}, Finish: chat.FinishStop})
	if q.Seq != 0 || a.Seq != 1 {
		t.Fatalf("seq %d %d", q.Seq, a.Seq)
	}
	msgs, err := s.Messages(c.ID)
	if err != nil || len(msgs) != 2 || msgs[1].Usage.PromptTokens != 20 || msgs[1].Cost.USD != 0.0001 || msgs[1].Finish != chat.FinishStop || msgs[1].Model != "gpt-4o-2024-08-06" {
		t.Fatalf("%+v %v", msgs, err)
	}
	tot, _ := s.Totals(c.ID)
	if tot.Messages != 2 || tot.Tokens != 24 || !tot.CostKnown {
		t.Fatalf("%+v", tot)
	}
	if err := s.Rename(c.ID, "Go basics"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPinned(c.ID, true); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Conversation(c.ID)
	if got.Title != "Go basics" || !got.Pinned || got.SystemPrompt != "Be brief." {
		t.Fatalf("%+v", got)
	}
	if err := s.Delete(c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conversation(c.ID); err != ErrNotFound {
		t.Fatalf("%v", err)
	}
	if msgs, _ := s.Messages(c.ID); len(msgs) != 0 {
		t.Fatal("messages outlived their conversation")
	}
	if hits, _ := s.Search("write", 10); len(hits) != 0 {
		t.Fatal("the index outlived the messages")
	}
}

func TestListOrderAndGroups(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.Local)
	for i, age := range []time.Duration{0, 20 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour, 2 * time.Hour} {
		s.CreateConversation(Conversation{Title: fmt.Sprint(i), Updated: now.Add(-age), Created: now.Add(-age), Pinned: i == 3})
	}
	list, _ := s.Conversations(10, 0)
	var order, groups []string
	for _, c := range list {
		order = append(order, c.Title)
		groups = append(groups, string(GroupOf(c, now)))
	}
	if strings.Join(order, "") != "30412" {
		t.Fatalf("order %v", order)
	}
	if strings.Join(groups, ",") != "Pinned,Today,Today,Yesterday,Previous 7 days" {
		t.Fatalf("groups %v", groups)
	}
	if g := GroupOf(Conversation{Updated: now.AddDate(0, 0, -8)}, now); g != GroupOlder {
		t.Fatal(g)
	}
	page2, _ := s.Conversations(2, 2)
	if len(page2) != 2 || page2[0].Title != "4" {
		t.Fatalf("%+v", page2)
	}
}

func TestSearch(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Databases"})
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "How does PostgreSQL handle transactions?"})
	s.Append(Message{ConversationID: c.ID, Role: chat.Assistant, Content: "PostgreSQL uses MVCC: every transaction sees a snapshot. Café naïve résumé."})
	d, _ := s.CreateConversation(Conversation{Title: "日本語"})
	s.Append(Message{ConversationID: d.ID, Role: chat.User, Content: "日本語のテキストを検索できますか"})

	if hits, _ := s.Search("datab", 10); len(hits) != 1 || hits[0].Seq != -1 || hits[0].Snippet != MarkStart+"Datab"+MarkEnd+"ases" {
		t.Fatalf("title search: %+v", hits)
	}
	hits, err := s.Search("postgres transact", 10)
	if err != nil || len(hits) != 2 {
		t.Fatalf("%+v %v", hits, err)
	}
	if hits[0].ConversationID != c.ID || hits[0].Title != "Databases" || !strings.Contains(hits[0].Snippet, MarkStart) {
		t.Fatalf("%+v", hits[0])
	}
	if hits, _ := s.Search("cafe resume", 10); len(hits) != 1 || hits[0].Seq != 1 {
		t.Fatalf("diacritics: %+v", hits)
	}
	if hits, _ := s.Search("テキスト", 10); len(hits) != 1 || !strings.Contains(hits[0].Snippet, MarkStart+"テキスト"+MarkEnd) {
		t.Fatalf("CJK: %+v", hits)
	}
	for _, odd := range []string{`"quoted`, "a OR b", "NEAR(x)", "*", "-", "col:umn"} {
		if _, err := s.Search(odd, 10); err != nil {
			t.Errorf("search %q: %v", odd, err)
		}
	}
}

// A snippet reads as the words of the message, not its Markdown; a conversation found by its
// title and its messages is listed once, at the message.
func TestSnippetsArePlainAndHitsOnePerConversation(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "Retry loops"})
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "Write a retry loop"})
	s.Append(Message{ConversationID: c.ID, Role: chat.Assistant, Content: "## The loop\n\nHere is **one** way:\n\n```go\nfor retry := 0; retry < 3; retry++ {\n\tcall()\n}\n```\n"})
	hits, err := s.Search("retry", 10)
	if err != nil || len(hits) != 3 {
		t.Fatalf("%d hits %v", len(hits), err)
	}
	for _, h := range hits {
		if strings.ContainsAny(h.Snippet, "`#*") {
			t.Errorf("snippet with Markdown in it: %q", h.Snippet)
		}
	}
	if got := hits[1].Snippet; !strings.Contains(got, "way: for "+MarkStart+"retry"+MarkEnd+" := 0") {
		t.Errorf("snippet %q", got)
	}
	one := ByConversation(hits)
	if len(one) != 1 || one[0].ConversationID != c.ID || one[0].Seq < 0 {
		t.Fatalf("by conversation: %+v", one)
	}
}

func TestDraftCheckpointsAndRecovery(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	clock := time.Now()
	s.now = func() time.Time { return clock }
	ticks := make(chan time.Time) // the checkpoint ticks when the test says
	s.ticks = func() (<-chan time.Time, func()) { return ticks, func() {} }
	d, err := s.StartAnswer(c.ID, "gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	d.Append("partial ")
	d.Append("answer")
	ticks <- clock // a checkpoint
	ticks <- clock // taken once the first one is saved
	msgs, _ := s.Messages(c.ID)
	if msgs[0].Content != "partial answer" || msgs[0].Finish != Streaming {
		t.Fatalf("checkpoint: %+v", msgs[0])
	}
	// The writer dies (the draft is never finished); later, the answer reads as interrupted.
	close(d.stop)
	<-d.done
	clock = clock.Add(10 * time.Second)
	msgs, _ = s.Messages(c.ID)
	if msgs[0].Finish != chat.FinishInterrupted || msgs[0].Error == "" {
		t.Fatalf("%+v", msgs[0])
	}
	lost, err := s.Abandoned()
	if len(lost) != 1 || err != nil {
		t.Fatalf("abandoned %d %v", len(lost), err)
	}
	if ok, err := s.SettleAbandoned(lost[0]); !ok || err != nil {
		t.Fatalf("settled %v %v", ok, err)
	}
	if ok, _ := s.SettleAbandoned(lost[0]); ok {
		t.Fatal("an answer was settled twice")
	}
}

func TestDraftFinishAndDiscard(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	d, _ := s.StartAnswer(c.ID, "gpt-4o")
	d.Append("Hello")
	m, err := d.Finish(chat.Answer{Content: "Hello world", Model: "gpt-4o", Finish: chat.FinishStop, Usage: chat.Usage{PromptTokens: 5, CompletionTokens: 2}})
	if err != nil || m.Content != "Hello world" {
		t.Fatal(err)
	}
	d2, _ := s.StartAnswer(c.ID, "gpt-4o")
	if err := d2.Discard(); err != nil {
		t.Fatal(err)
	}
	msgs, _ := s.Messages(c.ID)
	if len(msgs) != 1 || msgs[0].Finish != chat.FinishStop || msgs[0].Usage.CompletionTokens != 2 {
		t.Fatalf("%+v", msgs)
	}
}

func TestCorruptDatabaseIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	junk := []byte(strings.Repeat("this is not a database ", 500))
	os.WriteFile(path, junk, 0o600)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	movedAsideUntouched(t, s, path, junk)
	if !strings.Contains(s.Warning(), "(the file is not a database)") {
		t.Fatalf("the warning does not say what the file is: %q", s.Warning())
	}
}

// movedAsideUntouched checks that the history at path was moved aside as it was (damaged), that
// the user is told where, and that a fresh history works in its place.
func movedAsideUntouched(t *testing.T, s *Store, path string, damaged []byte) {
	t.Helper()
	if !strings.Contains(s.Warning(), "moved to") {
		t.Fatalf("warning %q", s.Warning())
	}
	matches, _ := filepath.Glob(path + ".unreadable-*")
	if len(matches) != 1 {
		t.Fatalf("moved aside: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != string(damaged) {
		t.Fatal("the damaged file was changed")
	}
	if _, err := s.CreateConversation(Conversation{Title: "fresh"}); err != nil {
		t.Fatal(err)
	}
}

func TestTwoProcessesShareTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	a, _ := Open(path)
	b, _ := Open(path)
	defer a.Close()
	defer b.Close()
	c, _ := a.CreateConversation(Conversation{Title: "shared"})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			a.Append(Message{ConversationID: c.ID, Role: chat.User, Content: fmt.Sprint("a", i)})
		}()
		go func() {
			defer wg.Done()
			b.Append(Message{ConversationID: c.ID, Role: chat.User, Content: fmt.Sprint("b", i)})
		}()
	}
	wg.Wait()
	msgs, err := a.Messages(c.ID)
	if err != nil || len(msgs) != 100 {
		t.Fatalf("%d %v", len(msgs), err)
	}
	for i, m := range msgs {
		if m.Seq != i {
			t.Fatalf("seq %d at %d", m.Seq, i)
		}
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, _ := Open(path)
	s.db.Exec(`PRAGMA user_version = 99`)
	s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer Parley") {
		t.Fatalf("%v", err)
	}
}

func TestResumeAddsUp(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	d, _ := s.StartAnswer(c.ID, "gpt-4o")
	d.Append("The first half")
	first, _ := d.Finish(chat.Answer{Content: "The first half", Finish: chat.FinishStopped,
		Usage: chat.Usage{PromptTokens: 10, CompletionTokens: 3, Estimated: true}, Cost: chat.Cost{USD: 0.01, Known: true}})
	d2, err := s.ResumeAnswer(first)
	if err != nil {
		t.Fatal(err)
	}
	d2.Append(" and the rest.")
	m, err := d2.Finish(chat.Answer{Content: " and the rest.", Finish: chat.FinishStop,
		Usage: chat.Usage{PromptTokens: 14, CompletionTokens: 4}, Cost: chat.Cost{USD: 0.02, Known: true}})
	if err != nil || m.Content != "The first half and the rest." || m.Finish != chat.FinishStop || m.ID != first.ID {
		t.Fatalf("%+v %v", m, err)
	}
	if m.Usage.PromptTokens != 24 || m.Usage.CompletionTokens != 7 || !m.Usage.Estimated || m.Cost.USD < 0.0299 || !m.Cost.Known {
		t.Fatalf("%+v %+v", m.Usage, m.Cost)
	}
}

// The damage SQLite cannot even open is named for what it is (the earlier driver worded it "out
// of memory (14)"), never as a want of memory.
func TestDamageThatCannotBeOpenedIsNamed(t *testing.T) {
	dir := t.TempDir()
	path := DefaultPath(dir)
	os.Mkdir(path, 0o700)
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "is a folder") || strings.Contains(err.Error(), "memory") {
		t.Fatalf("a folder: %v", err)
	}
	link := filepath.Join(t.TempDir(), "history.db")
	os.Symlink(filepath.Join(dir, "gone", "history.db"), link)
	if _, err := Open(link); err == nil || !strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), "memory") {
		t.Fatalf("a dangling link: %v", err)
	}
}

// One conversation with absurd counts (a damaged import) does not break adding up the others.
func TestAbsurdCountsDoNotOverflowTotals(t *testing.T) {
	s := openTemp(t)
	huge := chat.Usage{PromptTokens: math.MaxInt64 / 2, CompletionTokens: math.MaxInt64 / 2}
	c, err := s.Import(Conversation{Title: "absurd", Created: time.Now(), Updated: time.Now()}, []Message{
		{Role: chat.Assistant, Content: "a", Usage: huge, Created: time.Now()},
		{Role: chat.Assistant, Content: "b", Usage: huge, Created: time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	tot, err := s.Totals(c.ID)
	if err != nil || tot.Messages != 2 || tot.Tokens <= 0 {
		t.Fatalf("%+v %v", tot, err)
	}
}

// Searching a word in a 50 MB message costs a scan of it, not copies of its every word.
func TestSearchingAHugeMessageStaysSmall(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "huge"})
	huge := strings.Repeat("filler words without the term ", 50<<20/30) + " needle at the very end"
	s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: huge})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hits, err := s.Search("needle", 10)
	runtime.ReadMemStats(&after)
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, MarkStart+"needle"+MarkEnd) || len(hits[0].Snippet) > 400 {
		t.Fatalf("%v %+v", err, hits)
	}
	// The message itself is read once (50 MB); nothing else of its size is made.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 150<<20 {
		t.Fatalf("searching allocated %d MB", alloc>>20)
	}
}

// A history made by the release before (schema 1) is brought up to date without losing a
// word, after a backup of it is taken beside it.
func TestMigrationFromSchemaOneKeepsEverythingAndBacksUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{migrations[0], `PRAGMA user_version = 1`,
		`INSERT INTO conversations (title, profile, model, created, updated) VALUES ('Old one', 'default', 'gpt-4o', 1, 2)`,
		`INSERT INTO messages (conversation_id, seq, role, content, created, updated) VALUES (1, 0, 'user', 'an old question about migrations', 1, 1)`,
		`INSERT INTO messages (conversation_id, seq, role, content, model, prompt_tokens, completion_tokens, cost_usd, cost_known, finish, created, updated)
			VALUES (1, 1, 'assistant', 'an old answer', 'gpt-4o', 10, 5, 0.001, 1, 'stop', 2, 2)`,
	} {
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
	msgs, err := s.Messages(1)
	if err != nil || len(msgs) != 2 || msgs[1].Content != "an old answer" || msgs[1].Usage.CompletionTokens != 5 || !msgs[1].Cost.Known {
		t.Fatalf("%+v %v", msgs, err)
	}
	if hits, _ := s.Search("migrations", 10); len(hits) != 1 {
		t.Fatalf("the old index was lost: %+v", hits)
	}
	backups, _ := filepath.Glob(path + ".before-schema-2-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v", backups)
	}
	old, err := sql.Open("sqlite3", "file:"+backups[0])
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var version, n int
	old.QueryRow(`PRAGMA user_version`).Scan(&version)
	old.QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
	if version != 1 || n != 2 {
		t.Fatalf("the backup is schema %d with %d messages", version, n)
	}
}

// An answer's thinking and output items are kept, and its thinking is searched.
func TestThinkingAndItemsAreKept(t *testing.T) {
	s := openTemp(t)
	c, _ := s.CreateConversation(Conversation{Title: "x", Effort: "high", Pro: true, ServiceTier: "flex"})
	d, _ := s.StartAnswer(c.ID, "gpt-5.6-sol")
	items := []json.RawMessage{json.RawMessage(`{"type":"reasoning","encrypted_content":"gAAAABx"}`)}
	m, err := d.Finish(chat.Answer{Content: "Forty-two.", Model: "gpt-5.6-sol", Finish: chat.FinishStop, Thinking: "**Counting** the towels carefully",
		ThinkingTime: 1500 * time.Millisecond, Items: items, API: chat.APIResponses,
		Usage: chat.Usage{PromptTokens: 2000, CacheWriteTokens: 1024, CompletionTokens: 80, ReasoningTokens: 64, ServiceTier: "flex"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(m.ID)
	if got.Thinking != "**Counting** the towels carefully" || got.ThinkingTime != 1500*time.Millisecond || len(got.Items) != 1 ||
		got.ItemsModel != "gpt-5.6-sol" || got.API != "responses" || got.Usage.CacheWriteTokens != 1024 || got.Usage.ServiceTier != "flex" {
		t.Fatalf("%+v", got)
	}
	if conv, _ := s.Conversation(c.ID); conv.Effort != "high" || !conv.Pro || conv.ServiceTier != "flex" {
		t.Fatalf("%+v", conv)
	}
	if hits, _ := s.Search("towels", 10); len(hits) != 1 || !strings.Contains(hits[0].Snippet, MarkStart+"towels"+MarkEnd) {
		t.Fatalf("thinking not searched: %+v", hits)
	}
}
