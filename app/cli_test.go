package app

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"parley/chat/chattest"
)

const cliKey = "sk-proj-cliTESTkey0123456789abcdefXYZW"

// cliEnv isolates a test: its own home and folders, a mock keychain, the test server.
func cliEnv(t *testing.T, opts chattest.Options) (*chattest.Server, string) {
	t.Helper()
	keyring.MockInit()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_ORG_ID", "")
	// The keychain is go-keyring's mock: a bus address says there is a session to ask.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/mock-keyring")
	if opts.Key == "" {
		opts.Key = cliKey
	}
	s := chattest.New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	t.Setenv("OPENAI_BASE_URL", ts.URL+"/v1")
	return s, home
}

func runParley(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAskStreamsAndSaves(t *testing.T) {
	s, home := cliEnv(t, chattest.Options{})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("Paris is the capital of France.")
	code, out, errOut := runParley(t, "", "ask", "-m", "gpt-4o", "What is the capital of France?")
	if code != 0 || out != "Paris is the capital of France.\n" || errOut != "" {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	got := s.ChatRequests()[0]
	if got.Model != "gpt-4o" || got.LastUser() != "What is the capital of France?" {
		t.Fatalf("%+v", got)
	}
	code, out, _ = runParley(t, "", "history", "list", "--json")
	var list []listedConversation
	json.Unmarshal([]byte(out), &list)
	if code != 0 || len(list) != 1 || list[0].Title != "What is the capital of France?" || list[0].Messages != 2 || list[0].Tokens == 0 {
		t.Fatalf("%d %s", code, out)
	}
	// Nothing Parley wrote holds the key.
	filepath.Walk(home, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			if bytes.Contains(data, []byte(cliKey)) {
				t.Errorf("%s holds the key", path)
			}
		}
		return nil
	})
}

func TestAskJSONAndStdin(t *testing.T) {
	s, _ := cliEnv(t, chattest.Options{})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("four")
	code, out, _ := runParley(t, "What is 2+2?\n", "ask", "--json", "--no-save", "-s", "Answer in words.")
	var r askResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 {
		t.Fatalf("%d %v %s", code, err, out)
	}
	if r.Content != "four" || r.FinishReason != "stop" || r.Usage.PromptTokens != r.EstimatedPromptTokens || r.Usage.TotalTokens != r.Usage.PromptTokens+r.Usage.CompletionTokens ||
		r.CostUSD == nil || r.RateLimit == nil || r.RateLimit.LimitRequests != 5000 || r.RateLimit.ResetRequests == "" {
		t.Fatalf("%+v", r)
	}
	if req := s.ChatRequests()[0]; req.Messages[0].Role != "system" || req.LastUser() != "What is 2+2?\n" {
		t.Fatalf("%+v", req.Messages)
	}
	_, out, _ = runParley(t, "", "history", "list")
	if !strings.Contains(out, "No conversations") {
		t.Fatalf("--no-save saved: %s", out)
	}
}

func TestAskFailuresExitOneWithOnePlainLine(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		fault     *chattest.Fault
		want      string
	}{
		{"wrong key", "sk-wrong-000000000000000000", nil, "The API key was refused"},
		{"out of credit", cliKey, &chattest.Fault{Kind: chattest.Quota}, "out of credit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := cliEnv(t, chattest.Options{})
			t.Setenv("OPENAI_API_KEY", tc.key)
			if tc.fault != nil {
				s.Fault(*tc.fault)
			}
			code, out, errOut := runParley(t, "", "ask", "hi")
			if code != 1 || out != "\n" && out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("%d %q %q", code, out, errOut)
			}
			if strings.Contains(errOut, "sk-") {
				t.Fatalf("the key leaked: %q", errOut)
			}
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	cliEnv(t, chattest.Options{})
	for _, args := range [][]string{{"ask"}, {"ask", "--bogus"}, {"key"}, {"key", "set", "sk-on-the-command-line"}, {"history", "export", "abc"}, {"ask", "--profile", "nope", "hi"}, {"frobnicate"}} {
		if code, _, _ := runParley(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestKeyCommands(t *testing.T) {
	cliEnv(t, chattest.Options{})
	code, out, _ := runParley(t, "", "key", "show")
	if code != 0 || !strings.Contains(out, "no key") {
		t.Fatalf("%d %q", code, out)
	}
	code, out, _ = runParley(t, cliKey+"\n", "key", "set")
	if code != 0 || !strings.Contains(out, "sk-…XYZW") || strings.Contains(out, cliKey) {
		t.Fatalf("%d %q", code, out)
	}
	if code, out, _ = runParley(t, "", "key", "show"); !strings.Contains(out, "sk-…XYZW (keychain)") {
		t.Fatalf("%d %q", code, out)
	}
	if code, out, _ = runParley(t, "", "key", "test"); code != 0 || !strings.Contains(out, "valid: 12 chat models") {
		t.Fatalf("%d %q", code, out)
	}
	t.Setenv("OPENAI_API_KEY", "sk-from-env-0000000000ABCD")
	if _, out, _ = runParley(t, "", "key", "show"); !strings.Contains(out, "sk-…ABCD (environment: OPENAI_API_KEY)") {
		t.Fatalf("%q", out)
	}
	t.Setenv("OPENAI_API_KEY", "")
	if code, out, _ = runParley(t, "", "key", "delete"); code != 0 || !strings.Contains(out, "Deleted") {
		t.Fatalf("%d %q", code, out)
	}
	if code, _, errOut := runParley(t, "", "key", "test"); code != 1 || !strings.Contains(errOut, "needs an API key") {
		t.Fatalf("%d %q", code, errOut)
	}
}

// A key is tested before it is stored: a mistyped one never replaces the key that works.
func TestKeySetTestsBeforeItStores(t *testing.T) {
	cliEnv(t, chattest.Options{})
	if code, _, errOut := runParley(t, cliKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("%d %q", code, errOut)
	}
	const typo = "sk-proj-cliTESTkey0123456789abcdefXYZQ"
	code, out, errOut := runParley(t, typo+"\n", "key", "set")
	if code != 1 || !strings.Contains(errOut, "keychain is unchanged") || !strings.Contains(errOut, "refused") || strings.Contains(errOut+out, typo) {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	if _, out, _ := runParley(t, "", "key", "show"); !strings.Contains(out, "sk-…XYZW") {
		t.Fatalf("the good key was replaced: %q", out)
	}
	// The server cannot be reached: nothing changes unless the user insists.
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
	code, _, errOut = runParley(t, typo+"\n", "key", "set")
	if code != 1 || !strings.Contains(errOut, "could not be tested") || !strings.Contains(errOut, "--no-test") {
		t.Fatalf("%d %q", code, errOut)
	}
	if _, out, _ := runParley(t, "", "key", "show"); !strings.Contains(out, "sk-…XYZW") {
		t.Fatalf("an untested key replaced the good one: %q", out)
	}
	if code, out, _ := runParley(t, typo+"\n", "key", "set", "--no-test"); code != 0 || !strings.Contains(out, "untested") {
		t.Fatalf("%d %q", code, out)
	}
	if _, out, _ := runParley(t, "", "key", "show"); !strings.Contains(out, "sk-…XYZQ") {
		t.Fatalf("--no-test did not store: %q", out)
	}
}

func TestTokensCommand(t *testing.T) {
	cliEnv(t, chattest.Options{})
	if _, out, _ := runParley(t, "hello world", "tokens", "-m", "gpt-4"); out != "2\n" {
		t.Fatalf("%q", out)
	}
	chatJSON := `[{"role":"system","content":"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
		{"role":"system","name":"example_user","content":"New synergies will help drive top-line growth."},
		{"role":"system","name":"example_assistant","content":"Things working well together will increase revenue."},
		{"role":"system","name":"example_user","content":"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
		{"role":"system","name":"example_assistant","content":"Let's talk later when we're less busy about how to do better."},
		{"role":"user","content":"This late pivot means we don't have time to boil the ocean for the client deliverable."}]`
	file := filepath.Join(t.TempDir(), "chat.json")
	os.WriteFile(file, []byte(chatJSON), 0o600)
	if _, out, _ := runParley(t, "", "tokens", "-m", "gpt-4o", "--chat", file); out != "124\n" {
		t.Fatalf("gpt-4o %q", out)
	}
	if _, out, _ := runParley(t, chatJSON, "tokens", "-m", "gpt-3.5-turbo", "--chat", "-"); out != "129\n" {
		t.Fatalf("gpt-3.5 %q", out)
	}
	if code, _, _ := runParley(t, "not json", "tokens", "--chat"); code != 2 {
		t.Fatalf("bad chat json exit %d", code)
	}
}

func TestHistoryExportImportSearch(t *testing.T) {
	s, home := cliEnv(t, chattest.Options{})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("Use ```go fences``` and <b>HTML</b>.\n\n```go\nfmt.Println(\"x\")\n```")
	runParley(t, "", "ask", "How do I print in Go?")
	code, md, _ := runParley(t, "", "history", "export", "1")
	if code != 0 || !strings.HasPrefix(md, "---\n") || !strings.Contains(md, "fmt.Println") {
		t.Fatalf("%d %s", code, md)
	}
	file := filepath.Join(home, "out.md")
	if code, _, _ = runParley(t, "", "history", "export", "1", "-o", file); code != 0 {
		t.Fatal(code)
	}
	// An existing file is replaced only when asked; what Parley writes is the user's alone.
	if code, _, errOut := runParley(t, "", "history", "export", "1", "-o", file); code != 2 || !strings.Contains(errOut, "--force") {
		t.Fatalf("overwrote without --force: %d %q", code, errOut)
	}
	if code, _, _ = runParley(t, "", "history", "export", "1", "-o", file, "--force"); code != 0 {
		t.Fatal(code)
	}
	for _, p := range []string{file, filepath.Join(home, ".local", "share", "parley", "history.db")} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", p, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(home, ".local", "share", "parley")); fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v", fi.Mode())
	}
	code, out, _ := runParley(t, "", "history", "import", file)
	if code != 0 || !strings.Contains(out, "as conversation 2 (2 messages)") {
		t.Fatalf("%d %q", code, out)
	}
	_, again, _ := runParley(t, "", "history", "export", "2")
	if again != md {
		t.Fatalf("re-export differs:\n%s\n---\n%s", again, md)
	}
	dir := filepath.Join(home, "all")
	if code, out, _ = runParley(t, "", "history", "export", "--all", dir); code != 0 || !strings.Contains(out, "Exported 2") {
		t.Fatalf("%d %q", code, out)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 || entries[0].Name() == entries[1].Name() {
		t.Fatalf("%v", entries)
	}
	code, out, _ = runParley(t, "", "history", "search", "--json", "print")
	var hits []struct {
		Conversation int64
		Matches      []string
	}
	json.Unmarshal([]byte(out), &hits)
	// The two conversations' titles first, then the four messages that say "print".
	if code != 0 || len(hits) != 6 || hits[0].Matches[0] != "print" || hits[2].Matches[0] != "print" {
		t.Fatalf("%d %s", code, out)
	}
	if code, _, errOut := runParley(t, "", "history", "import", filepath.Join(home, "missing.md")); code != 1 || !strings.Contains(errOut, "missing.md") {
		t.Fatalf("%d %q", code, errOut)
	}
}

// An answer the connection cut is not a finished answer: exit 1, the text printed and kept,
// marked interrupted.
func TestAskCutAnswerExitsOne(t *testing.T) {
	for name, opts := range map[string]chattest.Options{"chunked": {}, "close-delimited": {Framing: chattest.CloseDelimited}} {
		t.Run(name, func(t *testing.T) {
			s, _ := cliEnv(t, opts)
			t.Setenv("OPENAI_API_KEY", cliKey)
			s.Reply(strings.Repeat("half ", 40))
			s.Fault(chattest.Fault{Kind: chattest.Truncate, After: 8})
			code, out, errOut := runParley(t, "", "ask", "Tell me everything")
			if code != 1 || !strings.HasPrefix(out, "half half") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "closed before the answer was finished") {
				t.Fatalf("%d %q %q", code, out, errOut)
			}
			_, md, _ := runParley(t, "", "history", "export", "1")
			if !strings.Contains(md, "(interrupted)") {
				t.Fatalf("not kept as interrupted:\n%s", md)
			}
		})
	}
}
