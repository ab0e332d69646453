//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/chat/chattest"
)

// A question sent in the background (Ctrl+Shift+Enter) in the real window survives Parley being
// killed outright: the next start takes the answer up from OpenAI, finishes it, and saves it
// once, without asking again.
func TestBackgroundAnswerSurvivesAKill(t *testing.T) {
	h := newHome(t)
	answer := strings.Repeat("Slow and careful words survive a crash. ", 12)
	s, url := server(t, chattest.Options{TokensPerSecond: 6, BackgroundRun: 15 * time.Second,
		Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	s.Reply(answer)
	dir := filepath.Join(h.Config, "parley")
	os.MkdirAll(dir, 0o700)
	settings := fmt.Sprintf(`{"version":2,"current_profile":"work","profiles":[{"id":"work","name":"Work","base_url":%q,"model":"gpt-5.6-sol","tier":"tier1","api":"responses"}]}`, url)
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := parley(t, h, nil, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, nil)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	typeText(t, id, "Think slowly about crashes.")
	key(t, id, "ctrl+shift+Return")
	eventually(t, 15*time.Second, func() error {
		if len(s.BackgroundIDs()) != 1 {
			return fmt.Errorf("no background response yet")
		}
		return nil
	})
	time.Sleep(3 * time.Second) // some text, shown and checkpointed
	screenshot(t, id, "background-working")
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.wait(5 * time.Second)

	b := launch(t, h, nil)
	id = window(t, "Parley", 20*time.Second)
	var md string
	// Taken up once its killed writer has been silent long enough (store.ClaimStaleAfter).
	eventually(t, 90*time.Second, func() error {
		l := history(t, h, nil)
		if len(l) != 1 || l[0].Messages != 2 {
			return fmt.Errorf("history %+v", l)
		}
		code, out, _ := parley(t, h, nil, "", "history", "export", fmt.Sprint(l[0].ID))
		if code != 0 || !strings.Contains(out, strings.TrimSpace(answer)) {
			return fmt.Errorf("not finished yet")
		}
		md = out
		return nil
	})
	if strings.Contains(md, "(interrupted)") || strings.Count(md, "Slow and careful words survive a crash.") != 12 {
		t.Fatalf("saved as:\n%s", md)
	}
	creates := 0
	for _, r := range s.Requests() {
		if r.Method == "POST" && r.Path == "/v1/responses" {
			creates++
		}
	}
	if creates != 1 {
		t.Fatalf("asked %d times", creates)
	}
	// Its cost is counted once, in the meter, as it is in the history.
	l := history(t, h, nil)
	var usage struct {
		Days []struct {
			Usage struct {
				CostUSD float64 `json:"cost_usd"`
			} `json:"usage"`
		} `json:"days"`
	}
	data, _ := os.ReadFile(filepath.Join(h.Data, "parley", "usage.json"))
	json.Unmarshal(data, &usage)
	counted := 0.0
	for _, d := range usage.Days {
		counted += d.Usage.CostUSD
	}
	if l[0].CostUSD == nil || *l[0].CostUSD <= 0 || math.Abs(counted-*l[0].CostUSD) > 1e-9 {
		t.Fatalf("the meter counted $%v, the answer cost %v\n%s", counted, l[0].CostUSD, data)
	}
	screenshot(t, id, "background-resumed")
	key(t, id, "ctrl+q")
	if code := b.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// The Batches page in the real window (Ctrl+Shift+B): one batch fetched, one ready to fetch,
// submitted with parley batch; Esc goes back.
func TestBatchesInTheWindow(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...),
		Reply: func(r chattest.ChatRequest) string { return "An answer to: " + r.LastUser() }})
	_ = s
	dir := filepath.Join(h.Config, "parley")
	os.MkdirAll(dir, 0o700)
	settings := fmt.Sprintf(`{"version":2,"current_profile":"work","profiles":[{"id":"work","name":"Work","base_url":%q,"model":"gpt-5.6-sol","tier":"tier1","api":"responses"}]}`, url)
	os.WriteFile(filepath.Join(dir, "settings.json"), []byte(settings), 0o600)
	if code, _, errOut := parley(t, h, nil, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	prompts := filepath.Join(h.Dir, "release-notes.jsonl")
	os.WriteFile(prompts, []byte(`{"prompt":"Summarize the 2.4 release notes."}`+"\n"+`{"prompt":"Draft a migration guide.","effort":"high"}`+"\n"), 0o600)
	questions := filepath.Join(h.Dir, "support-questions")
	os.MkdirAll(questions, 0o700)
	for i, q := range []string{"How do I reset my password?", "Why was I billed twice?", "Can I export my data?"} {
		os.WriteFile(filepath.Join(questions, fmt.Sprintf("q%d.md", i+1)), []byte(q), 0o600)
	}
	var ids []string
	for _, in := range []string{prompts, questions} {
		code, out, errOut := parley(t, h, nil, "", "batch", "submit", "--yes", in)
		if code != 0 {
			t.Fatalf("submit %s: %d %s", in, code, errOut)
		}
		ids = append(ids, strings.Fields(out)[0])
	}
	if code, _, errOut := parley(t, h, nil, "", "batch", "fetch", ids[0]); code != 0 {
		t.Fatalf("fetch: %d %s", code, errOut)
	}
	a := launch(t, h, nil)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	key(t, id, "ctrl+shift+b")
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, id, "batches")
	key(t, id, "Escape")
	time.Sleep(500 * time.Millisecond)
	screenshot(t, id, "batches-back")
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
