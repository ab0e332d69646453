//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/chat/chattest"
)

type listed struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Messages int    `json:"messages"`
	Tokens   int    `json:"tokens"`
	// CostUSD is what its answers cost (nil: not known).
	CostUSD *float64 `json:"cost_usd"`
}

func history(t *testing.T, h home, env []string) []listed {
	t.Helper()
	code, out, errOut := parley(t, h, env, "", "history", "list", "--json")
	if code != 0 {
		t.Fatalf("history list: %d %s", code, errOut)
	}
	var l []listed
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return l
}

// The conversation window as a user meets it: type, Enter, the answer streams in, Esc stops
// the next one and keeps its text, everything is in the history, the key came from the keychain.
func TestChatTypeSendStreamStop(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{TokensPerSecond: 60})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	screenshot(t, id, "chat-empty")

	question := "What does Parley keep in the keychain?"
	s.Reply("Only your **API key**, under the service `Parley`.\n\n| Where | What |\n|---|---|\n| Keychain | the key |\n| Disk | never the key |\n\n```bash\nparley key show\n```")
	typeText(t, id, question)
	screenshot(t, id, "chat-typed")
	key(t, id, "Return")
	eventually(t, 15*time.Second, func() error {
		if got := title(t, id); got != "Parley — "+question {
			return fmt.Errorf("title %q", got)
		}
		l := history(t, h, env)
		if len(l) != 1 || l[0].Messages != 2 || l[0].Tokens == 0 {
			return fmt.Errorf("history %+v", l)
		}
		return nil
	})
	screenshot(t, id, "chat-answer")
	if reqs := s.ChatRequests(); len(reqs) != 1 || reqs[0].LastUser() != question || !reqs[0].Stream {
		t.Fatalf("requests %+v", reqs)
	}
	if got := s.Requests()[0].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("the window did not use the keychain's key: %q", got)
	}

	// A long answer, stopped with Esc: its text stays, marked stopped.
	long := strings.Repeat("This answer is long and slow. ", 120)
	s.Reply(long)
	typeText(t, id, "Write something long")
	key(t, id, "Return")
	time.Sleep(2 * time.Second)
	key(t, id, "Escape")
	time.Sleep(800 * time.Millisecond)
	screenshot(t, id, "chat-stopped")
	// Saved as stopped once the stream is closed (on a busy machine, a moment after the Esc).
	eventually(t, 10*time.Second, func() error {
		l := history(t, h, env)
		code, md, _ := parley(t, h, env, "", "history", "export", fmt.Sprint(l[0].ID))
		if code != 0 || !strings.Contains(md, "(stopped)") || !strings.Contains(md, "This answer is long and slow.") || strings.Contains(md, long) {
			return fmt.Errorf("the stopped answer is not kept as stopped:\n%s", md)
		}
		return nil
	})

	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if a.stderr.Len() > 0 {
		t.Fatalf("error output:\n%s", a.stderr.String())
	}
	if leaks := filesContaining(t, h.Dir, testKey); len(leaks) > 0 {
		t.Fatalf("the key is on disk in %v", leaks)
	}
}

// Dead keys and compose sequences go through the X input method, which Parley opens once its
// window is drawn rather than before making it, or at the first key pressed if that comes
// sooner: an accent typed with a dead key arrives composed, even typed as the window shows.
func TestDeadKeysCompose(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	acute := deadKey(t, 0xfe51) // X11's XK_dead_acute
	launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	s.Reply("Bien sûr.")
	typeText(t, id, "Caf") // at once: the input method may not be open yet
	acute(id)
	key(t, id, "e")
	typeText(t, id, " au lait")
	key(t, id, "Return")
	eventually(t, 15*time.Second, func() error {
		if reqs := s.ChatRequests(); len(reqs) != 1 || reqs[0].LastUser() != "Café au lait" {
			return fmt.Errorf("requests %+v", reqs)
		}
		return nil
	})
	key(t, id, "ctrl+q")
}

// Errors appear where the answer would, in plain words with what to do.
func TestErrorsShowWhereTheAnswerWould(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=sk-proj-wrongWRONGwrong0000000000000000"}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	typeText(t, id, "Hello?")
	const errorBackground = 0x3c1618 // the dark theme's error box, where the answer would be
	if n := pixelsOf(t, screenshot(t, id, "error-invalid-key-before"), errorBackground); n != 0 {
		t.Fatalf("an error box before anything was sent (%d pixels)", n)
	}
	key(t, id, "Return")
	eventually(t, 10*time.Second, func() error {
		if len(s.Requests()) == 0 {
			return fmt.Errorf("nothing sent yet")
		}
		return nil
	})
	time.Sleep(800 * time.Millisecond)
	// The refusal shows where the answer would, as a box of its own, and is not stored as an
	// answer: the question stays alone in the history.
	if n := pixelsOf(t, screenshot(t, id, "error-invalid-key"), errorBackground); n < 50_000 {
		t.Fatalf("no error box where the answer would be (%d pixels of its colour)", n)
	}
	if l := history(t, h, env); len(l) != 1 || l[0].Messages != 1 || l[0].Title != "Hello?" {
		t.Fatalf("history %+v", l)
	}

	// A rate limit: the engine waits, counting down, then retries and succeeds.
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.wait(10 * time.Second)
	env = []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey}
	s.Fault(chattest.Fault{Kind: chattest.RateLimit, RetryAfter: "4"})
	s.Reply("Answered after the wait.")
	a = launch(t, h, env)
	id = window(t, "Parley — Hello?", 20*time.Second) // it opens where it was left
	time.Sleep(500 * time.Millisecond)
	key(t, id, "ctrl+n")
	typeText(t, id, "Are we rate limited?")
	key(t, id, "Return")
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, id, "error-rate-limited")
	eventually(t, 15*time.Second, func() error {
		for _, c := range history(t, h, env) {
			if c.Title == "Are we rate limited?" && c.Messages == 2 && c.Tokens > 0 {
				return nil
			}
		}
		return fmt.Errorf("no answer after the retry")
	})
	if n := len(s.ChatRequests()); n < 3 { // the wrong key's, the 429, the retry
		t.Fatalf("%d requests", n)
	}
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
