package app

import (
	"encoding/json"
	"strings"
	"testing"

	"parley/chat/chattest"
)

var reasoningModels = append([]string{"gpt-5.6-sol", "gpt-6.2-sol"}, chattest.DefaultModels...)

// parley ask on the Responses API: effort, tier and Pro mode go on the wire, the thinking goes
// to standard error, and --json tells the tokens, the tier, the protocol and how the cost was made.
func TestAskOnTheResponsesAPI(t *testing.T) {
	s, _ := cliEnv(t, chattest.Options{Models: reasoningModels})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("Forty-two.")
	code, out, errOut := runParley(t, "", "ask", "--api", "responses", "-m", "gpt-5.6-sol", "--effort", "high", "--pro", "--tier", "flex", "--thinking", "What is the answer?")
	if code != 0 || out != "Forty-two.\n" || !strings.Contains(errOut, "Reading the question") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	sent := s.Responses()[0]
	if sent.Reasoning.Effort != "high" || sent.Reasoning.Mode != "pro" || sent.ServiceTier != "flex" || *sent.Store {
		t.Fatalf("sent %s", sent.Raw)
	}

	s.Reply("Again.")
	code, out, _ = runParley(t, "", "ask", "--api", "responses", "-m", "gpt-5.6-sol", "--tier", "priority", "--json", "Once more?")
	var r askResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 {
		t.Fatalf("%d %v %s", code, err, out)
	}
	if r.API != "responses" || r.ServiceTier != "priority" || r.Usage.ReasoningTokens == 0 || r.Thinking == "" || r.CostBreakdown == nil ||
		r.CostBreakdown.TierMultiplier != 2 || r.CostUSD == nil {
		t.Fatalf("%+v", r)
	}
	sum := r.CostBreakdown.UncachedInput + r.CostBreakdown.CachedInput + r.CostBreakdown.CacheWrite + r.CostBreakdown.Output
	if d := sum - *r.CostUSD; d > 1e-12 || d < -1e-12 {
		t.Fatalf("the breakdown adds up to %v, the cost is %v", sum, *r.CostUSD)
	}
	if !strings.Contains(out, `"cache_write_tokens"`) || !strings.Contains(out, `"reasoning_tokens"`) {
		t.Fatalf("--json lacks fields: %s", out)
	}
}

// Wrong flags are refused before anything is sent, in one plain line.
func TestAskRefusesWhatCannotBeSent(t *testing.T) {
	s, _ := cliEnv(t, chattest.Options{Models: reasoningModels})
	t.Setenv("OPENAI_API_KEY", cliKey)
	for _, args := range [][]string{
		{"ask", "-m", "gpt-6.2-sol", "--effort", "none", "hi"},
		{"ask", "-m", "gpt-4o", "--effort", "high", "hi"},
		{"ask", "--api", "soap", "hi"},
		{"ask", "--tier", "economy", "hi"},
	} {
		code, _, errOut := runParley(t, "", args...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.HasPrefix(errOut, "parley: ") {
			t.Errorf("%v: %d %q", args, code, errOut)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}

// parley models --json says what the catalog knows of each model the endpoint offers.
func TestModelsJSON(t *testing.T) {
	cliEnv(t, chattest.Options{Models: []string{"gpt-5.6-luna", "llama-3.3-70b", "text-embedding-3-small"}})
	t.Setenv("OPENAI_API_KEY", cliKey)
	code, out, _ := runParley(t, "", "models", "--json")
	var models []knownModel
	if err := json.Unmarshal([]byte(out), &models); err != nil || code != 0 || len(models) != 2 {
		t.Fatalf("%d %v %s", code, err, out)
	}
	luna, llama := models[0], models[1]
	if luna.ID != "gpt-5.6-luna" || !luna.Known || luna.Price.CacheWrite != 0.25 || luna.DefaultEffort != "medium" || !luna.Vision || luna.LongContext == nil {
		t.Fatalf("%+v", luna)
	}
	if llama.ID != "llama-3.3-70b" || llama.Known || llama.Price != nil {
		t.Fatalf("%+v", llama)
	}
}
