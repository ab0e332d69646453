package markdown

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/store"
)

var update = flag.Bool("update", false, "write the golden export again (review the diff: it changes the file format)")

// golden is a conversation with one of everything the format carries: a system prompt, a pin,
// every finish, estimated and cached usage, unknown and known costs, an error, code fences, and
// (since format 2) an answer's own headings, lowered below the speakers'.
func golden() (store.Conversation, []store.Message) {
	c, msgs := goldenV1()
	t := msgs[len(msgs)-1].Created.Add(time.Minute)
	msgs = append(msgs,
		store.Message{Role: chat.User, Content: "Plan it, with headings.", Created: t, Updated: t},
		store.Message{Role: chat.Assistant, Model: "gpt-5.6-luna", Finish: chat.FinishStop, API: chat.APIResponses,
			Thinking: "**Planning**\n\nThe user wants headings.\n\n```\n<!-- parley:end --> is not an end here\n```", ThinkingTime: 2300 * time.Millisecond, Content: "# The plan\n\nFirst steps\n===========\n\n## Then\n\n```md\n# not a heading: code\n```\n\n###### Small print",
			Usage: chat.Usage{PromptTokens: 30, CompletionTokens: 25, CacheWriteTokens: 16, ReasoningTokens: 10, ServiceTier: "flex"}, Cost: chat.Cost{USD: 0.000036, Known: true}, Created: t, Updated: t})
	c.Effort, c.Pro, c.ServiceTier = "high", true, "flex"
	return c, msgs
}

// goldenV1 is the conversation the version 1 export in testdata was written from.
func goldenV1() (store.Conversation, []store.Message) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 250e6, time.UTC)
	c := store.Conversation{ID: 1, Title: "Golden: fences, finishes and costs", Profile: "work", Model: "gpt-4o",
		SystemPrompt: "Answer in English.", Created: t0, Updated: t0.Add(10 * time.Minute), Pinned: true, Quick: true}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	msgs := []store.Message{
		{Role: chat.User, Content: "How do I print in Go?", Created: at(0), Updated: at(0)},
		{Role: chat.Assistant, Model: "gpt-4o-2024-08-06", Finish: chat.FinishStop, Content: "Use `fmt`:\n\n```go\nfmt.Println(\"hi\")\n```",
			Usage: chat.Usage{PromptTokens: 1200, CachedTokens: 1024, CompletionTokens: 35}, Cost: chat.Cost{USD: 0.00199, Known: true}, Created: at(1), Updated: at(1)},
		{Role: chat.User, Content: "And a fence inside a fence?\n````md\n```\n````", Created: at(2), Updated: at(2)},
		{Role: chat.Assistant, Model: "o3", Finish: chat.FinishInterrupted, Error: "The connection dropped. Continue the answer, or try again.",
			Content: "Half of it", Usage: chat.Usage{PromptTokens: 80, CompletionTokens: 4, ReasoningTokens: 64, Estimated: true},
			Cost: chat.Cost{}, Created: at(3), Updated: at(4)},
		{Role: chat.User, Content: "Stop there.", Created: at(5), Updated: at(5)},
		{Role: chat.Assistant, Model: "gpt-4o", Finish: chat.FinishStopped, Content: "Stopped", Created: at(6), Updated: at(6)},
	}
	return c, msgs
}

// The export format is frozen: a change to it shows here as a diff to review, never by accident.
func TestExportFormatIsFrozen(t *testing.T) {
	c, msgs := golden()
	got := Render(c, msgs)
	path := filepath.Join("testdata", "golden.md")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the export format changed (go test -run Frozen -update writes it again):\n got:\n%s\nwant:\n%s", got, want)
	}
}

// "Reads back exactly" holds across versions: an export written by Parley 0.1 (kept as it was,
// never regenerated) imports to the same conversation.
func TestVersionOneExportStillImportsExactly(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "export-v0.1.md"))
	if err != nil {
		t.Fatal(err)
	}
	c, msgs, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	wc, wmsgs := goldenV1()
	if c.Title != wc.Title || c.Profile != wc.Profile || c.Model != wc.Model || c.SystemPrompt != wc.SystemPrompt ||
		!c.Created.Equal(wc.Created) || !c.Updated.Equal(wc.Updated) || c.Pinned != wc.Pinned || c.Quick != wc.Quick {
		t.Fatalf("conversation\n got %+v\nwant %+v", c, wc)
	}
	if len(msgs) != len(wmsgs) {
		t.Fatalf("%d messages, want %d", len(msgs), len(wmsgs))
	}
	for i, w := range wmsgs {
		g := msgs[i]
		if g.Role != w.Role || g.Content != w.Content || g.Model != w.Model || g.Finish != w.Finish || g.Error != w.Error ||
			g.Usage != w.Usage || g.Cost != w.Cost || !g.Created.Equal(w.Created) || !g.Updated.Equal(w.Updated) {
			t.Errorf("message %d\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// The golden conversation reads back whole: thinking, its time, cache writes, the tier and the
// protocol of each answer, the conversation's effort, Pro mode and tier.
func TestGoldenReadsBackWhole(t *testing.T) {
	wc, wmsgs := golden()
	c, msgs, err := Parse(Render(wc, wmsgs))
	if err != nil {
		t.Fatal(err)
	}
	if c.Effort != wc.Effort || c.Pro != wc.Pro || c.ServiceTier != wc.ServiceTier {
		t.Fatalf("conversation %+v", c)
	}
	for i, w := range wmsgs {
		g := msgs[i]
		if g.Content != w.Content || g.Thinking != w.Thinking || g.ThinkingTime != w.ThinkingTime || g.API != w.API || g.Usage != w.Usage {
			t.Errorf("message %d\n got %+v\nwant %+v", i, g, w)
		}
	}
}
