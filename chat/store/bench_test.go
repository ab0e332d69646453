package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"parley/chat"
)

// vocabulary is a few common words and many rare ones, as in real conversations.
var vocabulary = func() []string {
	out := append([]string(nil), common...)
	r := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		w := make([]byte, 4+r.IntN(8))
		for i := range w {
			w[i] = byte('a' + r.IntN(26))
		}
		out = append(out, string(w))
	}
	return out
}()

var common = []string{"goroutine", "channel", "database", "transaction", "index", "latency", "throughput", "token",
	"model", "context", "window", "stream", "rate", "limit", "cache", "query", "schema", "migration", "kernel",
	"memory", "pointer", "closure", "interface", "generic", "compiler", "benchmark", "profile", "allocation",
	"network", "socket", "timeout", "retry", "backoff", "jitter", "keychain", "secret", "export", "markdown"}

// fill writes conversations × perConversation messages straight into the database, the way a
// year of heavy use would leave it.
func fill(tb testing.TB, s *Store, conversations, perConversation int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	tx, err := s.db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	insConv, _ := tx.Prepare(`INSERT INTO conversations (title, profile, model, created, updated, pinned, uid) VALUES (?, 'default', 'gpt-4o', ?, ?, ?, lower(hex(randomblob(16))))`)
	insMsg, _ := tx.Prepare(`INSERT INTO messages (conversation_id, seq, role, content, created, updated, parent_id) VALUES (?, ?, ?, ?, ?, ?, nullif(?, 0))`)
	start := time.Now().Add(-365 * 24 * time.Hour)
	for c := range conversations {
		at := start.Add(time.Duration(c) * 50 * time.Minute)
		res, err := insConv.Exec(fmt.Sprintf("Conversation %d about %s", c, common[c%len(common)]), ms(at), ms(at), c%500 == 0)
		if err != nil {
			tb.Fatal(err)
		}
		id, _ := res.LastInsertId()
		zipf := rand.NewZipf(rand.New(rand.NewPCG(uint64(c), 5)), 1.1, 2, uint64(len(vocabulary)-1))
		var parent int64 // each message follows the one before, as a conversation without versions
		for m := range perConversation {
			n := 20 + r.IntN(120)
			text := make([]byte, 0, n*9)
			for range n {
				text = append(text, vocabulary[zipf.Uint64()]...)
				text = append(text, ' ')
			}
			role := "user"
			if m%2 == 1 {
				role = "assistant"
			}
			res, err := insMsg.Exec(id, m, role, string(text), ms(at), ms(at), parent)
			if err != nil {
				tb.Fatal(err)
			}
			parent, _ = res.LastInsertId()
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// bigStore is 10,000 conversations and 200,000 messages, built once per run of the benchmarks.
var bigStorePath string

func bigStore(b *testing.B) *Store {
	if bigStorePath == "" {
		dir, _ := os.MkdirTemp("", "parley-bench-*")
		bigStorePath = filepath.Join(dir, "history.db")
		s, err := Open(bigStorePath)
		if err != nil {
			b.Fatal(err)
		}
		fill(b, s, 10_000, 20)
		s.Close()
	}
	s, err := Open(bigStorePath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkSidebarFirstPage(b *testing.B) {
	s := bigStore(b)
	b.ResetTimer()
	for range b.N {
		list, err := s.Conversations(100, 0)
		if err != nil || len(list) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenBigHistory is what every start of the window and every `parley ask` does with the
// history before the sidebar can list it: open it, look for answers a stopped Parley left
// (interrupted, or still being made in the background), and read the sidebar's first page.
func BenchmarkOpenBigHistory(b *testing.B) {
	bigStore(b).Close()
	for b.Loop() {
		s, err := Open(bigStorePath)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Abandoned(); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Pending(); err != nil {
			b.Fatal(err)
		}
		if list, err := s.Conversations(100, 0); err != nil || len(list) != 100 {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkCheckBigHistory reads that history whole for damage, as the window does once a day
// in the background (seconds: the reason opening it no longer does).
func BenchmarkCheckBigHistory(b *testing.B) {
	s := bigStore(b)
	for b.Loop() {
		if err := s.Check(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullTextSearch(b *testing.B) {
	s := bigStore(b)
	queries := []string{"goroutine channel", "transact", "keychain secret", "latency", "markdown export", "goroutine", "mem"}
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		begin := time.Now()
		hits, err := s.Search(queries[i%len(queries)], 50)
		times = append(times, time.Since(begin))
		if err != nil || len(hits) == 0 {
			b.Fatal(err)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

func BenchmarkCheckpoint(b *testing.B) {
	s := openTemp(b)
	c, _ := s.CreateConversation(Conversation{Title: "x"})
	m, _ := s.Append(Message{ConversationID: c.ID, Role: chat.Assistant, Finish: Streaming})
	text := ""
	b.ResetTimer()
	for i := range b.N {
		text += fmt.Sprintf("word%d ", i)
		m.Content = text
		if err := s.UpdateMessage(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSameFileAttachedFiveTimes attaches one 20 MB screenshot to five questions in five
// conversations, as a user who keeps showing the same screen would, and reports how much the
// history file grew: the file's size once, however often it is attached.
func BenchmarkSameFileAttachedFiveTimes(b *testing.B) {
	data := make([]byte, 20<<20)
	r := rand.New(rand.NewPCG(5, 6)) // incompressible bytes, as a screenshot's are
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "history.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		size := func() int64 {
			s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			return fi.Size()
		}
		before := size()
		for i := range 5 {
			c, _ := s.CreateConversation(Conversation{Title: fmt.Sprint("Screen ", i)})
			a := photo("sha256-of-the-screenshot", data)
			if _, err := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "What is wrong here?", Attachments: []Attachment{a}}); err != nil {
				b.Fatal(err)
			}
		}
		grown := size() - before
		s.Close()
		b.ReportMetric(float64(grown)/float64(len(data)), "file-sizes-grown")
		b.ReportMetric(float64(grown)/(1<<20), "MB-grown")
	}
}
