package views

import (
	"context"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/batch"
	"parley/chat/chattest"
	"parley/chat/store"
)

func shot(t *testing.T, m *Main, name string) {
	img := m.Window.Canvas().Capture()
	f, _ := os.Create("/tmp/shot-" + name + ".png")
	png.Encode(f, img)
	f.Close()
}

func TestZZShots(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{TokensPerSecond: 8, TokensPerChunk: 1, BackgroundRun: time.Hour, BatchTime: time.Hour})
	m.Window.Resize(fyne.NewSize(1100, 720))
	v := m.conversation
	test.Tap(v.backgroundBtn)
	srv.Reply(strings.Repeat("A careful answer that takes its time. ", 20))
	sendText(v, "Plan a three-week trip through Japan by train.")
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2 && v.items[1].msg.Content != "" })
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		select {
		case f := <-uiQueue:
			f()
		case <-time.After(20 * time.Millisecond):
		}
	}
	shot(t, m, "background")
	v.stop()
	settleUntil(t, 10*time.Second, func() bool { return !v.busy })

	// a pending one
	st, _ := m.svc.History()
	conv, _ := st.CreateConversation(store.Conversation{Title: "Left running", Model: "gpt-5.6-sol"})
	st.Append(store.Message{ConversationID: conv.ID, Role: chat.User, Content: "Prove it."})
	st.Append(store.Message{ConversationID: conv.ID, Role: chat.Assistant, Model: "gpt-5.6-sol", Content: "So far: the first step is", Finish: chat.FinishBackground, ResponseID: "resp_0123456789abcdef"})
	m.Open(conv.ID, -1)
	settle(t, 2*time.Second)
	shot(t, m, "pending")

	client, _ := m.client()
	plan, _ := m.svc.Batches.Prepare(client, "/home/me/questions.jsonl", []batch.Prompt{{Source: "q:1", Prompt: "First question?"}, {Source: "q:2", Prompt: "Second question?"}}, batch.Defaults{Model: "gpt-5.6-sol"})
	m.svc.Batches.Submit(context.Background(), client, plan, m.profile().ID)
	m.ShowBatches()
	settleUntil(t, 10*time.Second, func() bool { return !m.batches.loading })
	shot(t, m, "batches")
}
