package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat"
)

// testdata/history-modernc.db is a history as Parley wrote it with its earlier driver
// (modernc.org/sqlite v1.40.1, commit 0c77a42): two questions asked with `parley ask` against
// chattest, then the ChatGPT and Claude exports in chat/importer/testdata imported with
// `parley history import`. Users upgrade with such a file in their data folder.
func TestHistoryWrittenByTheEarlierDriverReadsAndGrows(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "history-modernc.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "history.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if w := s.Warning(); w != "" {
		t.Fatalf("the file was taken for damaged: %s", w)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("integrity check: %v", err)
	}

	list, err := s.Conversations(100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range list {
		titles = append(titles, c.Title)
	}
	want := []string{"Explain the difference between a slice and an array, with co…", "Wie schreibe ich eine Schleife in Go? 🐹",
		"Café names ☕", "Regex for ISO dates", "Untitled (ChatGPT)", "Plot sales data", "Rust lifetimes ⏳"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Fatalf("conversations, newest first:\n got %q\nwant %q", titles, want)
	}

	rust := list[6]
	if got := rust.Created.UTC(); !got.Equal(time.Date(2024, 9, 22, 10, 13, 20, 123e6, time.UTC)) || rust.Model != "gpt-4o" ||
		rust.Source != "chatgpt:66f1e3a0-0001-8000-9000-rustlifetimes" {
		t.Fatalf("an imported conversation's fields: %+v", rust)
	}
	asked := list[1]
	if tot, err := s.Totals(asked.ID); err != nil || tot.Messages != 2 || tot.Tokens != 190 || !tot.CostKnown || tot.Cost != 0.000105 {
		t.Fatalf("an asked conversation's totals: %+v %v", tot, err)
	}
	plot, err := s.Messages(list[5].ID)
	if err != nil || len(plot) != 4 {
		t.Fatalf("%d messages, %v", len(plot), err)
	}
	if a := plot[1]; a.Role != chat.Assistant || !strings.HasPrefix(a.Thinking, "Reading the chart") || a.ThinkingTime != 12*time.Second ||
		!strings.Contains(a.Content, "**64**") {
		t.Fatalf("an answer's thinking and text: %+v", a)
	}

	hits, err := s.Search("Schleife", 10)
	if err != nil || len(hits) == 0 || hits[0].ConversationID != asked.ID {
		t.Fatalf("search over the old index: %+v %v", hits, err)
	}
	// The index the earlier driver built takes new messages.
	if _, err := s.Append(Message{ConversationID: rust.ID, Role: chat.User, Content: "Und auf Deutsch, bitte: Lebensdauer"}); err != nil {
		t.Fatal(err)
	}
	hits, err = s.Search("Lebensdauer", 10)
	if err != nil || len(hits) != 1 || hits[0].ConversationID != rust.ID {
		t.Fatalf("search for the new message: %+v %v", hits, err)
	}
}
