package markdown

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat"
	"parley/chat/store"
)

// BenchmarkExport2000Messages reads a 2,000-message conversation (about a million characters,
// with code blocks and tables) from the history and renders its Markdown export.
func BenchmarkExport2000Messages(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, _ := s.CreateConversation(store.Conversation{Title: "Long"})
	var msgs []store.Message
	for i := range 2000 {
		m := store.Message{Role: chat.User, Content: fmt.Sprintf("Question %d: how do I do thing %d in Go?", i, i)}
		if i%2 == 1 {
			m.Role = chat.Assistant
			m.Content = fmt.Sprintf("## Answer %d\n\nHere is how:\n\n```go\nfunc thing%d() {\n\tfmt.Println(%d)\n}\n```\n\n| step | what |\n|---|---|\n| 1 | write |\n| 2 | run |\n\n%s", i, i, i, strings.Repeat("Some explanation in prose. ", 30))
		}
		msgs = append(msgs, m)
	}
	imported, err := s.Import(c, msgs)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	size := 0
	for range b.N {
		conv, _ := s.Conversation(imported.ID)
		got, err := s.Messages(imported.ID)
		if err != nil || len(got) != 2000 {
			b.Fatal(err)
		}
		size = len(Render(conv, got))
	}
	b.ReportMetric(float64(size), "bytes")
}
