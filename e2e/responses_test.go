//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

// A profile on the Responses API with a reasoning model, as a user meets it in the real window:
// the effort beside the model, the thinking folded above the answer, the exact count, and all of
// it in the history and its export.
func TestResponsesAPIInTheWindow(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{TokensPerSecond: 400, Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
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
	typeText(t, id, "Why is the sky blue?")
	time.Sleep(800 * time.Millisecond) // the exact count comes back from the server
	screenshot(t, id, "responses-typed")
	s.Reply("Because air scatters **blue** light more than red (Rayleigh scattering).\n\n| Colour | Scattered |\n|---|---|\n| blue | most |\n| red | least |")
	key(t, id, "Return")
	eventually(t, 15*time.Second, func() error {
		if got := title(t, id); got != "Parley — Why is the sky blue?" {
			return fmt.Errorf("title %q", got)
		}
		if l := history(t, h, nil); len(l) != 1 || l[0].Messages != 2 {
			return fmt.Errorf("history %+v", l)
		}
		return nil
	})
	time.Sleep(500 * time.Millisecond)
	screenshot(t, id, "responses-answer")

	sent := s.Responses()
	if len(sent) != 1 || sent[0].Store == nil || *sent[0].Store || sent[0].Reasoning == nil || sent[0].Reasoning.Summary != "auto" {
		t.Fatalf("sent %d: %+v", len(sent), sent)
	}
	counted := false
	for _, r := range s.Requests() {
		counted = counted || r.Path == "/v1/responses/input_tokens"
	}
	if !counted {
		t.Fatal("the composer never asked for the exact count")
	}
	l := history(t, h, nil)
	code, md, _ := parley(t, h, nil, "", "history", "export", fmt.Sprint(l[0].ID))
	if code != 0 || !strings.Contains(md, "> **Thinking**") || !strings.Contains(md, `"api":"responses"`) || !strings.Contains(md, "Rayleigh") {
		t.Fatalf("export:\n%s", md)
	}
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if leaks := filesContaining(t, h.Dir, testKey); len(leaks) > 0 {
		t.Fatalf("the key is on disk in %v", leaks)
	}
}
