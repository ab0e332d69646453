package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat/batch"
	"parley/chat/chattest"
)

// The Batches page lists the account's batches with their status, counts and cost; Fetch
// saves a finished one's answers as conversations, which it then opens; Esc goes back.
func TestBatchesPage(t *testing.T) {
	m, _ := reasoningMain(t, chattest.Options{Reply: func(r chattest.ChatRequest) string { return "Answer: " + r.LastUser() }})
	client, _ := m.client()
	plan, err := m.svc.Batches.Prepare(client, "/tmp/questions.jsonl", []batch.Prompt{{Source: "q:1", Prompt: "First question?"}, {Source: "q:2", Prompt: "Second question?"}}, batch.Defaults{Model: "gpt-5.6-sol"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Batches.Submit(context.Background(), client, plan, m.profile().ID); err != nil {
		t.Fatal(err)
	}
	m.ShowBatches()
	settleUntil(t, 10*time.Second, func() bool { return !m.batches.loading && len(m.batches.rows.Objects) == 2 })
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "questions.jsonl") || !strings.Contains(markup, "completed · 2 of 2 answered") || !strings.Contains(markup, "at batch price") {
		t.Fatalf("the page does not show the batch:\n%s", m.batches.rows.Objects[0])
	}
	fetch := findButton(m.batches.rows, "Fetch answers")
	if fetch == nil {
		t.Fatal("no Fetch button")
	}
	test.Tap(fetch)
	settleUntil(t, 10*time.Second, func() bool { return findButton(m.batches.rows, "Open conversations") != nil })
	if !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "2 answers saved as conversations") {
		t.Fatal("no summary of the fetch")
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // closes the summary
	test.Tap(findButton(m.batches.rows, "Open conversations"))
	settle(t, 2*time.Second)
	if !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Second question?") {
		t.Fatal("the batch's conversations are not offered")
	}
	m.Window.Canvas().Overlays().Top().Hide()
	m.Window.Canvas().Overlays().Remove(m.Window.Canvas().Overlays().Top())
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.pages.Objects[0] != m.conversation.content {
		t.Fatal("Esc did not go back to the conversation")
	}
}
