package chattest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const key = "sk-test-0123456789abcdefABCD"

func start(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Key == "" {
		opts.Key = key
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

func post(t *testing.T, ts *httptest.Server, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type errBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func decodeError(t *testing.T, resp *http.Response) errBody {
	t.Helper()
	var e errBody
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("error body: %v", err)
	}
	return e
}

func code(e errBody) string {
	if e.Error.Code == nil {
		return ""
	}
	return *e.Error.Code
}

// events reads an SSE body into its data payloads.
func events(t *testing.T, r io.Reader) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			out = append(out, d)
		}
	}
	return out
}

func TestModelsListMixesChatAndOtherModels(t *testing.T) {
	_, ts := start(t, Options{})
	req, _ := http.NewRequest("GET", ts.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID, Object, OwnedBy string
			Created             int64
		} `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	if list.Object != "list" || len(list.Data) != len(DefaultModels) {
		t.Fatalf("list = %+v", list)
	}
	ids := map[string]bool{}
	for _, m := range list.Data {
		ids[m.ID] = true
		if m.Object != "model" || m.Created == 0 {
			t.Errorf("model object %+v", m)
		}
	}
	for _, want := range []string{"gpt-4o", "o3", "text-embedding-3-small", "whisper-1", "dall-e-3"} {
		if !ids[want] {
			t.Errorf("missing %s", want)
		}
	}
	for _, h := range []string{"limit-requests", "limit-tokens", "remaining-requests", "remaining-tokens", "reset-requests", "reset-tokens"} {
		if resp.Header.Get("x-ratelimit-"+h) == "" {
			t.Errorf("no x-ratelimit-%s header", h)
		}
	}
}

func TestWrongKeyIs401InvalidAPIKey(t *testing.T) {
	_, ts := start(t, Options{})
	for _, auth := range []string{"", "Bearer sk-wrong-key-000000000000", "Basic abc"} {
		req, _ := http.NewRequest("GET", ts.URL+"/v1/models", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		e := decodeError(t, resp)
		resp.Body.Close()
		if resp.StatusCode != 401 || code(e) != "invalid_api_key" || e.Error.Type != "invalid_request_error" {
			t.Errorf("auth %q: %d %+v", auth, resp.StatusCode, e)
		}
		if strings.Contains(e.Error.Message, "sk-wrong-key-000000000000") {
			t.Errorf("the 401 message repeats the key in full: %s", e.Error.Message)
		}
	}
}

func TestStreamWithUsage(t *testing.T) {
	s, ts := start(t, Options{})
	s.Reply("Hello, streaming world! 👋🏽 Ünïcödé")
	resp := post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	data := events(t, resp.Body)
	if data[len(data)-1] != "[DONE]" {
		t.Fatalf("last event %q", data[len(data)-1])
	}
	var text strings.Builder
	var finish string
	var usage *Usage
	for i, d := range data[:len(data)-1] {
		var c struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta struct {
					Role    string  `json:"role"`
					Content *string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *Usage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Fatalf("object %q", c.Object)
		}
		if i == 0 && (len(c.Choices) != 1 || c.Choices[0].Delta.Role != "assistant") {
			t.Fatalf("first chunk %s", d)
		}
		if !strings.Contains(d, `"usage"`) {
			t.Fatalf("with include_usage every chunk has a usage field: %s", d)
		}
		if len(c.Choices) == 0 {
			usage = c.Usage
			if i != len(data)-2 {
				t.Fatalf("the usage chunk is not last: %d of %d", i, len(data))
			}
			continue
		}
		if c.Choices[0].Delta.Content != nil {
			text.WriteString(*c.Choices[0].Delta.Content)
		}
		if c.Choices[0].FinishReason != nil {
			finish = *c.Choices[0].FinishReason
		}
	}
	if text.String() != "Hello, streaming world! 👋🏽 Ünïcödé" || finish != "stop" {
		t.Fatalf("text %q finish %q", text.String(), finish)
	}
	if usage == nil || usage.PromptTokens != 8 || usage.CompletionTokens == 0 || usage.TotalTokens != usage.PromptTokens+usage.CompletionTokens {
		t.Fatalf("usage %+v", usage)
	}
}

func TestStreamWithoutIncludeUsageHasNoUsage(t *testing.T) {
	_, ts := start(t, Options{})
	resp := post(t, ts, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}`)
	for _, d := range events(t, resp.Body) {
		if strings.Contains(d, "usage") {
			t.Fatalf("usage sent without include_usage: %s", d)
		}
	}
}

func TestNonStreaming(t *testing.T) {
	s, ts := start(t, Options{})
	s.Reply("plain answer")
	resp := post(t, ts, `{"model":"gpt-4.1","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}`)
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message      struct{ Role, Content string } `json:"message"`
			FinishReason string                         `json:"finish_reason"`
		} `json:"choices"`
		Usage Usage `json:"usage"`
	}
	json.NewDecoder(resp.Body).Decode(&c)
	if c.Object != "chat.completion" || c.Choices[0].Message.Content != "plain answer" || c.Choices[0].FinishReason != "stop" {
		t.Fatalf("%+v", c)
	}
	if c.Usage.PromptTokens != 14 || c.Usage.CompletionTokens != 2 {
		t.Fatalf("usage %+v", c.Usage)
	}
}

func TestMaxCompletionTokensTruncates(t *testing.T) {
	s, ts := start(t, Options{})
	s.Reply(strings.Repeat("word ", 50))
	resp := post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":5}`)
	var c struct {
		Choices []struct {
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage Usage `json:"usage"`
	}
	json.NewDecoder(resp.Body).Decode(&c)
	if c.Choices[0].FinishReason != "length" || c.Usage.CompletionTokens != 5 {
		t.Fatalf("%+v", c)
	}
}

func TestRejectsWhatOpenAIRejects(t *testing.T) {
	_, ts := start(t, Options{ContextWindows: map[string]int{"gpt-4o-mini": 50}})
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"reasoning max_tokens", `{"model":"o3","messages":[{"role":"user","content":"hi"}],"max_tokens":10}`, 400, "unsupported_parameter"},
		{"reasoning temperature", `{"model":"gpt-5","messages":[{"role":"user","content":"hi"}],"temperature":0.2}`, 400, "unsupported_value"},
		{"reasoning temperature 0", `{"model":"o4-mini","messages":[{"role":"user","content":"hi"}],"temperature":0}`, 400, "unsupported_value"},
		{"unknown model", `{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}`, 404, "model_not_found"},
		{"not a chat model", `{"model":"text-embedding-3-small","messages":[{"role":"user","content":"hi"}]}`, 404, ""},
		{"empty messages", `{"model":"gpt-4o","messages":[]}`, 400, "empty_array"},
		{"bad role", `{"model":"gpt-4o","messages":[{"role":"robot","content":"hi"}]}`, 400, "invalid_value"},
		{"stream_options without stream", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}`, 400, "invalid_value"},
		{"context too long", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + strings.Repeat("many words ", 60) + `"}]}`, 400, "context_length_exceeded"},
		{"not json", `{"model":`, 400, ""},
	} {
		resp := post(t, ts, tc.body)
		e := decodeError(t, resp)
		if resp.StatusCode != tc.status || code(e) != tc.code || e.Error.Message == "" {
			t.Errorf("%s: %d %q %q", tc.name, resp.StatusCode, code(e), e.Error.Message)
		}
	}
	// What reasoning models accept.
	for _, body := range []string{
		`{"model":"o3","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":200}`,
		`{"model":"gpt-5","messages":[{"role":"developer","content":"x"},{"role":"user","content":"hi"}],"temperature":1}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0}`,
	} {
		if resp := post(t, ts, body); resp.StatusCode != 200 {
			t.Errorf("%s: %d", body, resp.StatusCode)
		}
	}
}

func TestReasoningTokensAreBilled(t *testing.T) {
	s, ts := start(t, Options{})
	s.Reply("ok")
	resp := post(t, ts, `{"model":"o4-mini","messages":[{"role":"user","content":"hi"}]}`)
	var c struct{ Usage Usage }
	json.NewDecoder(resp.Body).Decode(&c)
	if c.Usage.CompletionTokensDetails.ReasoningTokens != reasoningTokens || c.Usage.CompletionTokens != 1+reasoningTokens {
		t.Fatalf("%+v", c.Usage)
	}
}

func TestPromptCaching(t *testing.T) {
	_, ts := start(t, Options{})
	long := strings.Repeat("The same long system prompt, repeated for caching. ", 150)
	body := `{"model":"gpt-4o","messages":[{"role":"system","content":"` + long + `"},{"role":"user","content":"Q%d"}]}`
	var usages []Usage
	for i := range 2 {
		resp := post(t, ts, strings.Replace(body, "%d", string(rune('1'+i)), 1))
		var c struct{ Usage Usage }
		json.NewDecoder(resp.Body).Decode(&c)
		usages = append(usages, c.Usage)
	}
	if usages[0].PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("first request cached %d", usages[0].PromptTokensDetails.CachedTokens)
	}
	cached := usages[1].PromptTokensDetails.CachedTokens
	if cached < 1024 || cached%128 != 0 || cached > usages[1].PromptTokens {
		t.Fatalf("second request cached %d of %d", cached, usages[1].PromptTokens)
	}
}

func TestRateLimitHeadersAndLimits(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, ts := start(t, Options{RPM: 2, TPM: 1000, Now: func() time.Time { return now }})
	s.Reply("one", "two", "three")
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	r1 := post(t, ts, body)
	if r1.StatusCode != 200 || r1.Header.Get("x-ratelimit-limit-requests") != "2" || r1.Header.Get("x-ratelimit-remaining-requests") != "1" {
		t.Fatalf("first: %d %v", r1.StatusCode, r1.Header)
	}
	if r1.Header.Get("x-ratelimit-reset-requests") != "30s" {
		t.Errorf("reset-requests %q, want 30s", r1.Header.Get("x-ratelimit-reset-requests"))
	}
	post(t, ts, body)
	r3 := post(t, ts, body)
	e := decodeError(t, r3)
	if r3.StatusCode != 429 || code(e) != "rate_limit_exceeded" || e.Error.Type != "requests" {
		t.Fatalf("third: %d %+v", r3.StatusCode, e)
	}
	if r3.Header.Get("retry-after-ms") != "30000" || r3.Header.Get("x-ratelimit-remaining-requests") != "0" {
		t.Fatalf("third headers: %v", r3.Header)
	}
	now = now.Add(30 * time.Second)
	if r := post(t, ts, body); r.StatusCode != 200 {
		t.Fatalf("after the reset: %d", r.StatusCode)
	}
}

func TestFormatReset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Millisecond: "12ms", 1574 * time.Millisecond: "1.574s", 6 * time.Minute: "6m0s", 0: "0s",
	} {
		if got := FormatReset(d); got != want {
			t.Errorf("FormatReset(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestErrorFaults(t *testing.T) {
	s, ts := start(t, Options{})
	s.Fault(
		Fault{Kind: RateLimit, RetryAfterMS: "1500", RetryAfter: "2"},
		Fault{Kind: Quota},
		Fault{Kind: Status, Status: 503, Code: "server_is_overloaded", ShouldRetry: "true"},
		Fault{Kind: Status, Status: 500},
	)
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	for _, want := range []struct {
		status int
		code   string
		header string
	}{{429, "rate_limit_exceeded", "retry-after-ms"}, {429, "insufficient_quota", ""}, {503, "server_is_overloaded", "x-should-retry"}, {500, "", ""}, {200, "", ""}} {
		resp := post(t, ts, body)
		if resp.StatusCode != want.status {
			t.Fatalf("status %d, want %d", resp.StatusCode, want.status)
		}
		if want.status == 200 {
			break
		}
		if e := decodeError(t, resp); code(e) != want.code {
			t.Errorf("code %q, want %q", code(e), want.code)
		}
		if want.header != "" && resp.Header.Get(want.header) == "" {
			t.Errorf("%d: no %s header", want.status, want.header)
		}
		if resp.Header.Get("x-ratelimit-limit-requests") == "" {
			t.Errorf("%d: error responses carry rate-limit headers too", want.status)
		}
	}
}

func TestMidStreamFaults(t *testing.T) {
	streamBody := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`
	long := strings.Repeat("token ", 40)

	t.Run("cut", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Reply(long)
		s.Fault(Fault{Kind: Cut, After: 3})
		resp := post(t, ts, streamBody)
		b, err := io.ReadAll(resp.Body)
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(string(b), "[DONE]") || strings.Count(string(b), "data: ") != 4 {
			t.Fatalf("body %q", b)
		}
	})
	t.Run("error event", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Reply(long)
		s.Fault(Fault{Kind: ErrorEvent, After: 2})
		data := events(t, post(t, ts, streamBody).Body)
		if !strings.HasPrefix(data[len(data)-1], `{"error":{`) || len(data) != 4 {
			t.Fatalf("events %q", data)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Reply(long)
		s.Fault(Fault{Kind: Malformed, After: 1})
		data := events(t, post(t, ts, streamBody).Body)
		var v any
		if json.Unmarshal([]byte(data[len(data)-1]), &v) == nil {
			t.Fatalf("last event is valid JSON: %q", data[len(data)-1])
		}
	})
	t.Run("stall", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Reply(long)
		s.Fault(Fault{Kind: Stall, After: 2, Wait: 50 * time.Millisecond})
		resp := post(t, ts, streamBody)
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Fatal("a stalled stream ended cleanly")
		}
	})
	t.Run("split", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Reply("split 日本語 👩‍💻 text")
		s.Fault(Fault{Kind: Split})
		data := events(t, post(t, ts, streamBody).Body)
		if data[len(data)-1] != "[DONE]" {
			t.Fatalf("events %q", data)
		}
	})
	t.Run("delay", func(t *testing.T) {
		s, ts := start(t, Options{})
		s.Fault(Fault{Kind: Delay, Wait: 30 * time.Millisecond})
		begin := time.Now()
		post(t, ts, streamBody)
		if time.Since(begin) < 30*time.Millisecond {
			t.Fatal("no delay")
		}
	})
}

func TestDeltasNeverSplitACharacter(t *testing.T) {
	s, ts := start(t, Options{})
	text := "emoji 👩‍💻🚀🇫🇷 日本語のテキスト 한국어 ½≤∞"
	s.Reply(text)
	var got strings.Builder
	for _, d := range events(t, post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}`).Body) {
		if d == "[DONE]" {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
		}
		json.Unmarshal([]byte(d), &c)
		if len(c.Choices) > 0 {
			if strings.ContainsRune(c.Choices[0].Delta.Content, '\uFFFD') {
				t.Fatalf("a delta splits a character: %q", c.Choices[0].Delta.Content)
			}
			got.WriteString(c.Choices[0].Delta.Content)
		}
	}
	if got.String() != text {
		t.Fatalf("got %q", got.String())
	}
}

func TestRecordsRequests(t *testing.T) {
	s, ts := start(t, Options{})
	post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"remember me"}],"temperature":0}`)
	reqs := s.ChatRequests()
	if len(reqs) != 1 || reqs[0].LastUser() != "remember me" || reqs[0].Temperature == nil || *reqs[0].Temperature != 0 {
		t.Fatalf("%+v", reqs)
	}
	if _, ok := reqs[0].Raw["temperature"]; !ok {
		t.Fatal("raw body lost temperature")
	}
	if got := s.Requests()[0].Header.Get("Authorization"); got != "Bearer "+key {
		t.Fatalf("authorization %q", got)
	}
}

func TestControlEndpoints(t *testing.T) {
	s, ts := start(t, Options{})
	http.Post(ts.URL+"/_chattest/replies", "application/json", strings.NewReader(`["scripted"]`))
	http.Post(ts.URL+"/_chattest/faults", "application/json", strings.NewReader(`[{"kind":"status","status":502}]`))
	if r := post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`); r.StatusCode != 502 {
		t.Fatalf("fault: %d", r.StatusCode)
	}
	r := post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`)
	b, _ := io.ReadAll(r.Body)
	if !strings.Contains(string(b), "scripted") {
		t.Fatalf("reply: %s", b)
	}
	resp, _ := http.Get(ts.URL + "/_chattest/requests")
	var got []struct{ Path, Body string }
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if len(got) != 2 || got[0].Path != "/v1/chat/completions" {
		t.Fatalf("%+v", got)
	}
	http.Post(ts.URL+"/_chattest/reset", "", nil)
	if len(s.Requests()) != 0 {
		t.Fatal("reset kept requests")
	}
}

func TestUnknownPathIsOpenAI404(t *testing.T) {
	_, ts := start(t, Options{})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/nothing", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, _ := http.DefaultClient.Do(req)
	e := decodeError(t, resp)
	if resp.StatusCode != 404 || !strings.Contains(e.Error.Message, "Invalid URL") {
		t.Fatalf("%d %+v", resp.StatusCode, e)
	}
}

func TestOmitUsageAndHeaders(t *testing.T) {
	_, ts := start(t, Options{OmitUsage: true, OmitRateLimitHeaders: true})
	resp := post(t, ts, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if resp.Header.Get("x-ratelimit-limit-requests") != "" {
		t.Fatal("rate-limit headers sent")
	}
	for _, d := range events(t, resp.Body) {
		if strings.Contains(d, "usage") {
			t.Fatalf("usage sent: %s", d)
		}
	}
}

// The ways a streamed body can end without the protocol's end, each as a client sees it.
func TestStreamEndings(t *testing.T) {
	streamBody := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`
	long := strings.Repeat("token ", 40)
	read := func(t *testing.T, opts Options, f *Fault) (string, *http.Response, error) {
		s, ts := start(t, opts)
		s.Reply(long)
		if f != nil {
			s.Fault(*f)
		}
		resp := post(t, ts, streamBody)
		b, err := io.ReadAll(resp.Body)
		return string(b), resp, err
	}
	t.Run("close-delimited: a whole answer ends at EOF, with no length and no chunking", func(t *testing.T) {
		body, resp, err := read(t, Options{Framing: CloseDelimited}, nil)
		if err != nil || !strings.HasSuffix(body, "data: [DONE]\n\n") {
			t.Fatalf("err %v, body ends %q", err, body[max(0, len(body)-40):])
		}
		if len(resp.TransferEncoding) != 0 || resp.ContentLength != -1 || !resp.Close {
			t.Fatalf("framing: transfer %v, length %d, close %v", resp.TransferEncoding, resp.ContentLength, resp.Close)
		}
		if resp.Header.Get("x-ratelimit-limit-requests") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("headers %v", resp.Header)
		}
	})
	t.Run("close-delimited: a cut is a clean EOF", func(t *testing.T) {
		body, _, err := read(t, Options{Framing: CloseDelimited}, &Fault{Kind: Cut, After: 3})
		if err != nil || strings.Contains(body, "[DONE]") || strings.Contains(body, `"finish_reason":"stop"`) || strings.Count(body, "data: ") != 4 {
			t.Fatalf("err %v, body %q", err, body)
		}
	})
	t.Run("chunked: truncate ends the body cleanly mid-answer", func(t *testing.T) {
		body, resp, err := read(t, Options{}, &Fault{Kind: Truncate, After: 3})
		if err != nil || strings.Contains(body, "[DONE]") || strings.Count(body, "data: ") != 4 {
			t.Fatalf("err %v, body %q", err, body)
		}
		if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
			t.Fatalf("not chunked: %v", resp.TransferEncoding)
		}
	})
	t.Run("a fault may choose its framing", func(t *testing.T) {
		_, resp, err := read(t, Options{}, &Fault{Kind: Truncate, After: 1, Framing: CloseDelimited})
		if err != nil || len(resp.TransferEncoding) != 0 {
			t.Fatalf("err %v, transfer %v", err, resp.TransferEncoding)
		}
	})
	t.Run("no [DONE]", func(t *testing.T) {
		body, _, err := read(t, Options{OmitDone: true}, nil)
		if err != nil || strings.Contains(body, "[DONE]") || !strings.Contains(body, `"finish_reason":"stop"`) {
			t.Fatalf("err %v, body %q", err, body)
		}
	})
	t.Run("no finish_reason", func(t *testing.T) {
		body, _, err := read(t, Options{OmitFinishReason: true}, nil)
		if err != nil || !strings.HasSuffix(body, "data: [DONE]\n\n") || strings.Contains(body, `"finish_reason":"stop"`) {
			t.Fatalf("err %v, body %q", err, body)
		}
	})
}

// Both APIs stream at the pace asked for, counted from the first token: the thinking before it
// does not let the text that follows arrive in one burst. (Only lower bounds: a busy machine
// can make a stream slower, never faster than its pace.)
func TestStreamsKeepTheirPaceAfterThinking(t *testing.T) {
	const think, tps = 150 * time.Millisecond, 200 // 5 ms a token
	for _, api := range []struct{ path, body, delta string }{
		{"/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}`, `"content":"`},
		{"/v1/responses", `{"model":"gpt-4o","input":"hi","stream":true}`, `"response.output_text.delta"`},
	} {
		t.Run(api.path, func(t *testing.T) {
			s, ts := start(t, Options{FirstToken: think, TokensPerSecond: tps})
			s.Reply(strings.Repeat("word ", 40))
			req, _ := http.NewRequest("POST", ts.URL+api.path, strings.NewReader(api.body))
			req.Header.Set("Authorization", "Bearer "+key)
			begin := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var first, last time.Time
			texts := 0
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if line := sc.Text(); strings.HasPrefix(line, "data: ") && strings.Contains(line, api.delta) && !strings.Contains(line, `"content":""`) {
					if texts == 0 {
						first = time.Now()
					}
					last = time.Now()
					texts++
				}
			}
			if texts < 40 {
				t.Fatalf("%d text deltas", texts)
			}
			if d := first.Sub(begin); d < think {
				t.Fatalf("the first token came after %v, before the %v of thinking", d, think)
			}
			if d, want := last.Sub(first), time.Duration(texts-1)*time.Second/tps; d < want {
				t.Fatalf("%d deltas came in %v: a pace of %d tokens a second takes at least %v", texts, d, tps, want)
			}
		})
	}
}
