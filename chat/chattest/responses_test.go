package chattest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func postJSON(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// event is one Server-Sent Event of a Responses stream.
type event struct {
	name string
	data map[string]any
}

func sseEvents(t *testing.T, body []byte) []event {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var d map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
				t.Fatalf("data %q: %v", line, err)
			}
			if d["type"] != name {
				t.Fatalf("event %q carries type %v", name, d["type"])
			}
			out = append(out, event{name, d})
		}
	}
	return out
}

func responsesServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Models == nil {
		opts.Models = append([]string{"gpt-5.6-sol", "gpt-6.2-sol", "gpt-6.1-terra"}, DefaultModels...)
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL
}

// A reasoning model's streamed answer comes as OpenAI sends it: numbered events, the summary
// then the text as deltas, the reasoning item with its encrypted content when asked for, and
// one terminal event with usage that counts cache writes and reasoning within output.
func TestResponsesStreamLikeOpenAI(t *testing.T) {
	s, url := responsesServer(t, Options{})
	s.Reply("The answer, in a few words.")
	long := strings.Repeat("A long and repeated question that fills the prompt cache. ", 200)
	body := `{"model":"gpt-5.6-sol","input":[{"type":"message","role":"user","content":` + quote(long) + `}],"instructions":"Be brief.",
		"reasoning":{"effort":"high","summary":"auto"},"include":["reasoning.encrypted_content"],"store":false,"stream":true,"service_tier":"flex"}`
	resp, data := postJSON(t, url+"/v1/responses", body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), data)
	}
	evs := sseEvents(t, data)
	var names []string
	var summary, text strings.Builder
	for i, e := range evs {
		if int(e.data["sequence_number"].(float64)) != i {
			t.Fatalf("event %d numbered %v", i, e.data["sequence_number"])
		}
		if i == 0 || names[len(names)-1] != e.name {
			names = append(names, e.name)
		}
		switch e.name {
		case "response.reasoning_summary_text.delta":
			summary.WriteString(e.data["delta"].(string))
		case "response.output_text.delta":
			text.WriteString(e.data["delta"].(string))
		}
	}
	want := "response.created response.in_progress response.output_item.added response.reasoning_summary_part.added " +
		"response.reasoning_summary_text.delta response.reasoning_summary_text.done response.reasoning_summary_part.done " +
		"response.output_item.done response.output_item.added response.content_part.added response.output_text.delta " +
		"response.output_text.done response.content_part.done response.output_item.done response.completed"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	if text.String() != "The answer, in a few words." || !strings.Contains(summary.String(), "Reading the question") {
		t.Fatalf("text %q summary %q", text.String(), summary.String())
	}
	var reasoning map[string]any
	for _, e := range evs {
		if item, ok := e.data["item"].(map[string]any); ok && e.name == "response.output_item.done" && item["type"] == "reasoning" {
			reasoning = item
		}
	}
	if reasoning == nil || !strings.HasPrefix(reasoning["encrypted_content"].(string), "gAAAAB") {
		t.Fatalf("reasoning item %v", reasoning)
	}
	last := evs[len(evs)-1].data["response"].(map[string]any)
	u := last["usage"].(map[string]any)
	in := u["input_tokens_details"].(map[string]any)
	out := u["output_tokens_details"].(map[string]any)
	if out["reasoning_tokens"].(float64) != 128 || u["output_tokens"].(float64) <= 128 || in["cache_write_tokens"].(float64) == 0 || last["service_tier"] != "flex" {
		t.Fatalf("usage %v tier %v", u, last["service_tier"])
	}
	// The same long prompt again: read from the cache, not written again.
	s.Reply("Again.")
	_, data = postJSON(t, url+"/v1/responses", strings.Replace(body, `"stream":true`, `"stream":false`, 1))
	var again map[string]any
	json.Unmarshal(data, &again)
	if again["usage"] == nil {
		t.Fatalf("second call: %s", data)
	}
	in = again["usage"].(map[string]any)["input_tokens_details"].(map[string]any)
	if in["cached_tokens"].(float64) < 1024 || in["cache_write_tokens"].(float64) >= in["cached_tokens"].(float64) {
		t.Fatalf("second call's usage %v", again["usage"])
	}
}

// Replayed reasoning must be whole, follow the rules and belong to the model it goes to.
func TestResponsesRefuseWhatOpenAIRefuses(t *testing.T) {
	_, url := responsesServer(t, Options{})
	enc := seal(sealed{Model: "gpt-5.6-sol", Tokens: 64})
	user := `{"type":"message","role":"user","content":"hi"}`
	for _, tc := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"an effort the model refuses", `{"model":"gpt-6.2-sol","input":"hi","reasoning":{"effort":"none"}}`, 400, "does not support 'none'"},
		{"an effort on a model that does not reason", `{"model":"gpt-4o","input":"hi","reasoning":{"effort":"low"}}`, 400, "not supported with this model"},
		{"temperature with an effort", `{"model":"gpt-6.1-terra","input":"hi","reasoning":{"effort":"high"},"temperature":0.5}`, 400, "temperature"},
		{"pro mode on an older model", `{"model":"gpt-5","input":"hi","reasoning":{"mode":"pro"}}`, 400, "pro"},
		{"reasoning by id without store", `{"model":"gpt-5.6-sol","store":false,"input":[` + user + `,{"type":"reasoning","id":"rs_1","summary":[]},` + user + `]}`, 404, "not persisted"},
		{"reasoning of another model", `{"model":"gpt-6.2-sol","store":false,"input":[` + user + `,{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"` + enc + `"},` + user + `]}`, 400, "could not be verified"},
		{"reasoning without its following item", `{"model":"gpt-5.6-sol","store":false,"input":[` + user + `,{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"` + enc + `"}]}`, 400, "without its required following item"},
		{"an unknown model", `{"model":"gpt-9","input":"hi"}`, 404, "does not exist"},
	} {
		resp, data := postJSON(t, url+"/v1/responses", tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(string(data), tc.says) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, data)
		}
	}
	// The same reasoning, replayed whole to its own model, with the item after it, is taken.
	resp, data := postJSON(t, url+"/v1/responses", `{"model":"gpt-5.6-sol","store":false,"input":[`+user+`,{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"`+enc+`"},{"type":"message","role":"assistant","content":"hello"},`+user+`]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("a whole replay was refused: %s", data)
	}
}

// A reasoning answer that spends its whole output budget thinking ends incomplete, with no text.
func TestResponsesIncompleteWhenThinkingTakesTheBudget(t *testing.T) {
	_, url := responsesServer(t, Options{})
	_, data := postJSON(t, url+"/v1/responses", `{"model":"gpt-5.6-sol","input":"Prove it.","reasoning":{"effort":"max"},"max_output_tokens":100,"stream":true}`)
	evs := sseEvents(t, data)
	last := evs[len(evs)-1]
	r := last.data["response"].(map[string]any)
	if last.name != "response.incomplete" || r["incomplete_details"].(map[string]any)["reason"] != "max_output_tokens" {
		t.Fatalf("last event %s %v", last.name, r["incomplete_details"])
	}
	for _, e := range evs {
		if e.name == "response.output_text.delta" {
			t.Fatal("text came from an answer whose budget went to thinking")
		}
	}
}

// The counting endpoint counts what creating would send, and refuses creation's own fields; the
// compaction endpoint keeps the user's messages and one compaction item.
func TestInputTokensAndCompact(t *testing.T) {
	_, url := responsesServer(t, Options{})
	resp, data := postJSON(t, url+"/v1/responses/input_tokens", `{"model":"gpt-5.6-sol","input":"How many tokens is this?","instructions":"Be brief."}`)
	var n struct {
		Object      string `json:"object"`
		InputTokens int    `json:"input_tokens"`
	}
	json.Unmarshal(data, &n)
	if resp.StatusCode != 200 || n.Object != "response.input_tokens" || n.InputTokens < 10 || n.InputTokens > 30 {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	resp, data = postJSON(t, url+"/v1/responses/input_tokens", `{"model":"gpt-5.6-sol","input":"x","stream":false,"store":false}`)
	if resp.StatusCode != 400 || !strings.Contains(string(data), "unknown_parameter") {
		t.Fatalf("creation fields were taken: %d %s", resp.StatusCode, data)
	}
	_, data = postJSON(t, url+"/v1/responses/compact", `{"model":"gpt-5.6-sol","input":[{"role":"user","content":"one"},{"role":"assistant","content":"two"},{"role":"user","content":"three"}]}`)
	var c struct {
		Object string           `json:"object"`
		Output []map[string]any `json:"output"`
	}
	json.Unmarshal(data, &c)
	if c.Object != "response.compaction" || len(c.Output) != 3 || c.Output[2]["type"] != "compaction" {
		t.Fatalf("%s", data)
	}
}

// Server-side compaction: past the threshold, the output starts with a compaction item.
func TestServerSideCompaction(t *testing.T) {
	_, url := responsesServer(t, Options{})
	body := `{"model":"gpt-5.6-sol","input":` + quote(strings.Repeat("words ", 600)) + `,"context_management":[{"type":"compaction","compact_threshold":300}]}`
	_, data := postJSON(t, url+"/v1/responses", body)
	var r struct {
		Output []map[string]any `json:"output"`
	}
	json.Unmarshal(data, &r)
	if len(r.Output) == 0 || r.Output[0]["type"] != "compaction" {
		t.Fatalf("%s", data)
	}
}

// A server without the Responses API answers 404 there, as compatible servers do.
func TestNoResponses(t *testing.T) {
	_, url := responsesServer(t, Options{NoResponses: true})
	if resp, _ := postJSON(t, url+"/v1/responses", `{"model":"gpt-4o","input":"hi"}`); resp.StatusCode != 404 {
		t.Fatalf("%d", resp.StatusCode)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
