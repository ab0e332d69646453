package ask

import (
	"context"
	"testing"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// On the Responses API an answer's thinking and output items are kept with it, the next
// question replays them, and the conversation's effort and tier are what is asked.
func TestThinkingAndReasoningCarryThroughTheHistory(t *testing.T) {
	r := newRig(t, chattest.Options{Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	r.client = chat.New(chat.Config{BaseURL: r.client.BaseURL(), APIKey: testKey, API: chat.APIResponses,
		Models: func(string) chat.ModelInfo {
			return chat.ModelInfo{ContextWindow: 1_050_000, Reasoning: true, Efforts: []string{"none", "low", "medium", "high", "xhigh", "max"}, Pro: true}
		}}, nil)
	r.server.Reply("First.", "Second.")
	x := Exchange{Conversation: store.Conversation{Profile: "work", Model: "gpt-5.6-sol", Effort: "high", ServiceTier: "priority"},
		Messages: []store.Message{{Role: chat.User, Content: "One?"}}}
	events, f := r.ask(t, context.Background(), x)
	thinking := ""
	for _, e := range events {
		if e, ok := e.(chat.Thinking); ok {
			thinking += e.Text
		}
	}
	m := f.Message
	if m.Thinking == "" || m.Thinking != thinking || len(m.Items) != 2 || m.ItemsModel != "gpt-5.6-sol" || m.API != chat.APIResponses || m.Usage.ServiceTier != "priority" {
		t.Fatalf("finished %+v", m)
	}
	msgs, _ := r.hist.Messages(f.Conversation.ID)
	if msgs[1].Thinking != m.Thinking || len(msgs[1].Items) != 2 {
		t.Fatalf("stored %+v", msgs[1])
	}
	conv, _ := r.hist.Conversation(f.Conversation.ID)
	next := Exchange{Conversation: conv, Messages: append(msgs, store.Message{Role: chat.User, Content: "Two?"})}
	if _, g := r.ask(t, context.Background(), next); g.Answer.Err != nil {
		t.Fatalf("%+v", g.Answer.Err)
	}
	sent := r.server.Responses()[1]
	if sent.Reasoning.Effort != "high" || sent.ServiceTier != "priority" || len(sent.Items) != 4 || sent.Items[1]["type"] != "reasoning" {
		t.Fatalf("second request %s", sent.Raw["input"])
	}
}
