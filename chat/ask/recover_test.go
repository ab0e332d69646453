package ask

import (
	"math"
	"strings"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/chat/tokens"
)

// An answer a killed Parley left half written is settled at the next start: interrupted, its
// tokens counted by Parley and marked estimated, priced at its model's price, counted in the
// meter once, however often recovery runs.
func TestRecoverPricesAndCountsAnAbandonedAnswer(t *testing.T) {
	r := newRig(t, chattest.Options{})
	r.asker.deps.Models = func(string) chat.ModelInfo { return gpt4o }
	long := time.Now().Add(-time.Minute)
	question := "Explain the difference between a mutex and a channel in Go, with an example."
	partial := "A mutex guards shared memory; a channel passes ownership of data between goroutines. " + strings.Repeat("For example, ", 40)
	c, err := r.hist.Import(store.Conversation{Title: "Go", Profile: "work", Model: "gpt-4o", SystemPrompt: "Be brief.", Created: long, Updated: long}, []store.Message{
		{Role: chat.User, Content: question, Created: long},
		{Role: chat.Assistant, Content: partial, Model: "gpt-4o", Finish: store.Streaming, Created: long, Updated: long},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A Parley writing an answer right now is left alone.
	live, _ := r.hist.StartAnswer(c.ID, "gpt-4o")
	defer live.Discard()

	n, err := r.asker.Recover(r.hist)
	if n != 1 || err != nil {
		t.Fatalf("recovered %d, %v", n, err)
	}
	msgs, _ := r.hist.Messages(c.ID)
	got := msgs[1]
	if got.Finish != chat.FinishInterrupted || got.Error == "" || !got.Usage.Estimated {
		t.Fatalf("settled as %+v", got)
	}
	completion, _ := tokens.Default().Text("o200k_base", partial)
	if got.Usage.CompletionTokens != completion {
		t.Fatalf("completion %d tokens, the text is %d", got.Usage.CompletionTokens, completion)
	}
	// The prompt: system prompt and question with their framing, as the request was sent.
	if got.Usage.PromptTokens < 20 || got.Usage.PromptTokens > 40 {
		t.Fatalf("prompt %d tokens", got.Usage.PromptTokens)
	}
	want := (float64(got.Usage.PromptTokens)*2.5 + float64(completion)*10) / 1e6
	if !got.Cost.Known || math.Abs(got.Cost.USD-want) > 1e-12 {
		t.Fatalf("cost %+v, want $%.6f", got.Cost, want)
	}
	if len(r.spends) != 1 || r.spends[0].profile != "work" || r.spends[0].answer.Usage.Total() != got.Usage.Total() {
		t.Fatalf("meter %+v", r.spends)
	}
	if msgs[2].Finish != store.Streaming {
		t.Fatal("a live answer was settled")
	}

	// Again (a second Parley starting, the same one a moment later): nothing more is counted.
	if n, _ := r.asker.Recover(r.hist); n != 0 || len(r.spends) != 1 {
		t.Fatalf("recovered again: %d, %d records", n, len(r.spends))
	}
}
