package tokens

import (
	"fmt"
	"strings"
	"testing"
)

// longConversation builds a chat of about 100,000 o200k tokens: 400 messages of ~250 tokens,
// prose and code, every one different.
func longConversation() []Message {
	var msgs []Message
	for i := range 400 {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		var b strings.Builder
		for j := range 9 {
			fmt.Fprintf(&b, "Paragraph %d.%d explains why caching per-message token counts keeps long chats quick. ", i, j)
		}
		fmt.Fprintf(&b, "\n```go\nfunc f%d(x int) int { return x * %d }\n```\n", i, i)
		msgs = append(msgs, Message{Role: role, Content: b.String()})
	}
	return msgs
}

func BenchmarkCount100kConversationCold(b *testing.B) {
	msgs := longConversation()
	if err := Warm(O200k); err != nil {
		b.Fatal(err)
	}
	n, _ := New().Chat(O200k, msgs)
	b.ReportMetric(float64(n), "tokens")
	b.ResetTimer()
	for range b.N {
		if _, err := New().Chat(O200k, msgs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCount100kConversationPlusOneMessage(b *testing.B) {
	msgs := longConversation()
	c := New()
	if _, err := c.Chat(O200k, msgs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		next := append(msgs[:len(msgs):len(msgs)], Message{Role: "user", Content: fmt.Sprintf("And one more question, number %d?", i)})
		if _, err := c.Chat(O200k, next); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTextThroughput(b *testing.B) {
	text := longConversation()[0].Content
	if err := Warm(O200k); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for range b.N {
		if _, err := Default().Text(O200k, text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountMegabyteOfLetters counts 1 MB of random letters without a space: one piece of a
// million bytes for the merge (make bench's "1 MB of letters" row, target ≤ 1 s).
func BenchmarkCountMegabyteOfLetters(b *testing.B) {
	r := uint32(42)
	text := make([]byte, 1<<20)
	for i := range text { // bench/run's generator
		r = (r*1103515245 + 12345) & 0x7fffffff
		text[i] = "abcdefghijklmnopqrstuvwxyz"[r%26]
	}
	if err := Warm(O200k); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		n, err := Default().Text(O200k, string(text))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "tokens")
	}
}
