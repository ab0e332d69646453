package ask

import (
	"context"
	"strings"
	"testing"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// Regenerating an answer and editing a question add versions beside the old ones, and what is
// sent is the path shown: never a message of another branch.
func TestRegenerateAndEditAddVersions(t *testing.T) {
	r := newRig(t, chattest.Options{})
	r.server.Reply("Paris.", "Paris, on the Seine.", "Berlin.", "Madrid.")
	_, first := r.ask(t, context.Background(), Exchange{Conversation: store.Conversation{Model: "gpt-4o"},
		Messages: []store.Message{{Role: chat.User, Content: "Capital of France?"}}})
	conv := first.Conversation
	shown, _ := r.hist.Messages(conv.ID)
	// Regenerate: the shown question, its answer left out.
	_, again := r.ask(t, context.Background(), Exchange{Conversation: conv, Messages: shown[:1]})
	if again.Message.Content != "Paris, on the Seine." {
		t.Fatal(again.Message.Content)
	}
	shown, _ = r.hist.Messages(conv.ID)
	if len(shown) != 2 || shown[1].Content != "Paris, on the Seine." || shown[1].Version != 2 || shown[1].Versions != 2 {
		t.Fatalf("%+v", shown)
	}
	// A follow-up, then the first question edited: a new first version, asked alone.
	r.ask(t, context.Background(), Exchange{Conversation: conv, Messages: append(shown, store.Message{Role: chat.User, Content: "And Germany?"})})
	_, edited := r.ask(t, context.Background(), Exchange{Conversation: conv, Messages: []store.Message{{Role: chat.User, Content: "Capital of Spain?"}}})
	if edited.Message.Content != "Madrid." {
		t.Fatal(edited.Message.Content)
	}
	shown, _ = r.hist.Messages(conv.ID)
	if len(shown) != 2 || shown[0].Content != "Capital of Spain?" || shown[0].Version != 2 || shown[0].Versions != 2 {
		t.Fatalf("%+v", shown)
	}
	reqs := r.server.Requests()
	last := string(reqs[len(reqs)-1].Body)
	if !strings.Contains(last, "Capital of Spain?") || strings.Contains(last, "France") || strings.Contains(last, "Germany") {
		t.Fatalf("the edited question was sent with another branch: %s", last)
	}
	// The first version and its branch are all still there.
	r.hist.SwitchVersion(conv.ID, shown[0].ID, -1)
	shown, _ = r.hist.Messages(conv.ID)
	var texts []string
	for _, m := range shown {
		texts = append(texts, m.Content)
	}
	if got := strings.Join(texts, " | "); got != "Capital of France? | Paris, on the Seine. | And Germany? | Berlin." {
		t.Fatal(got)
	}
}
