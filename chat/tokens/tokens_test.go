package tokens

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// The upstream tokenizer's own output (testdata/gen-tiktoken.js) for awkward strings.
func TestEncodingsMatchUpstreamTiktoken(t *testing.T) {
	raw, err := os.ReadFile("testdata/tiktoken.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixtures map[string][]struct {
		Text   string `json:"text"`
		Tokens []int  `json:"tokens"`
	}
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		t.Fatal(err)
	}
	c := Default()
	for _, encoding := range []string{Cl100k, O200k} {
		if len(fixtures[encoding]) == 0 {
			t.Fatalf("no fixtures for %s", encoding)
		}
		for _, f := range fixtures[encoding] {
			got, _ := Encode(encoding, f.Text)
			if !slices.Equal(got, f.Tokens) {
				t.Errorf("%s %q: got %v, upstream %v", encoding, f.Text, got, f.Tokens)
			}
			if n, _ := c.Text(encoding, f.Text); n != len(f.Tokens) {
				t.Errorf("%s %q: Text counts %d, upstream %d", encoding, f.Text, n, len(f.Tokens))
			}
		}
	}
}

// OpenAI's published example: tiktoken's README and the cookbook's "How to count tokens".
func TestPublishedCounts(t *testing.T) {
	c := Default()
	if n, _ := c.Text(Cl100k, "hello world"); n != 2 {
		t.Errorf("cl100k hello world = %d, want 2", n)
	}
	if n, _ := c.Text(Cl100k, "tiktoken is great!"); n != 6 {
		t.Errorf("cl100k 'tiktoken is great!' = %d, want 6", n)
	}
	// The cookbook's example conversation: 129 prompt tokens on gpt-3.5-turbo and gpt-4
	// (cl100k_base), 124 on gpt-4o and gpt-4o-mini (o200k_base), as the API itself reported.
	example := []Message{
		{Role: "system", Content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
		{Role: "system", Name: "example_user", Content: "New synergies will help drive top-line growth."},
		{Role: "system", Name: "example_assistant", Content: "Things working well together will increase revenue."},
		{Role: "system", Name: "example_user", Content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
		{Role: "system", Name: "example_assistant", Content: "Let's talk later when we're less busy about how to do better."},
		{Role: "user", Content: "This late pivot means we don't have time to boil the ocean for the client deliverable."},
	}
	for _, tc := range []struct {
		model string
		want  int
	}{{"gpt-3.5-turbo", 129}, {"gpt-4", 129}, {"gpt-4-0613", 129}, {"gpt-4o", 124}, {"gpt-4o-mini", 124}} {
		n, err := c.Chat(EncodingFor(tc.model), example)
		if err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("%s: cookbook example counts %d, want %d", tc.model, n, tc.want)
		}
	}
}

func TestEncodingFor(t *testing.T) {
	for model, want := range map[string]string{
		"gpt-4o": O200k, "gpt-4o-mini-2024-07-18": O200k, "chatgpt-4o-latest": O200k,
		"gpt-4.1-nano": O200k, "gpt-4.5-preview": O200k,
		"o1": O200k, "o1-mini": O200k, "o3": O200k, "o4-mini": O200k,
		"gpt-5": O200k, "gpt-5-mini": O200k, "gpt-5-nano-2025-08-07": O200k,
		"gpt-4": Cl100k, "gpt-4-turbo": Cl100k, "gpt-4-0613": Cl100k, "gpt-3.5-turbo": Cl100k,
		"GPT-4": Cl100k, "openai/gpt-4": Cl100k,
		"llama3.2": O200k, "": O200k, "qwen2.5-coder:7b": O200k,
	} {
		if got := EncodingFor(model); got != want {
			t.Errorf("EncodingFor(%q) = %s, want %s", model, got, want)
		}
	}
}

func TestChatFormula(t *testing.T) {
	c := New()
	content := "Hello there, how are you?"
	text, _ := c.Text(O200k, content)
	role, _ := c.Text(O200k, "user")
	name, _ := c.Text(O200k, "bob")
	one, _ := c.Chat(O200k, []Message{{Role: "user", Content: content}})
	if want := perMessage + role + text + replyPrime; one != want {
		t.Errorf("one message = %d, want %d", one, want)
	}
	named, _ := c.Chat(O200k, []Message{{Role: "user", Name: "bob", Content: content}})
	if want := one + name + perName; named != want {
		t.Errorf("named message = %d, want %d", named, want)
	}
	if empty, _ := c.Chat(O200k, nil); empty != replyPrime {
		t.Errorf("empty request = %d, want %d", empty, replyPrime)
	}
}

func TestMessageCountsAreCached(t *testing.T) {
	c := New()
	m := Message{Role: "user", Content: strings.Repeat("cache me ", 50)}
	first, _ := c.Message(O200k, m)
	if len(c.cache) != 1 {
		t.Fatalf("cache holds %d entries after one count", len(c.cache))
	}
	second, _ := c.Message(O200k, m)
	if first != second || len(c.cache) != 1 {
		t.Fatalf("second count %d (first %d), cache %d", second, first, len(c.cache))
	}
	// The same text under the other encoding is a different entry.
	if _, err := c.Message(Cl100k, m); err != nil || len(c.cache) != 2 {
		t.Fatalf("cl100k entry missing: %v, %d", err, len(c.cache))
	}
}

func TestUnknownEncodingIsAnError(t *testing.T) {
	if _, err := New().Text("no_such_base", "x"); err == nil || !strings.Contains(err.Error(), "no_such_base") {
		t.Fatalf("err = %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New()
	done := make(chan int)
	for i := range 8 {
		go func() {
			n, _ := c.Chat(O200k, []Message{{Role: "user", Content: strings.Repeat("word ", i+1)}})
			done <- n
		}()
	}
	for range 8 {
		if n := <-done; n <= replyPrime {
			t.Errorf("count %d too small", n)
		}
	}
}
