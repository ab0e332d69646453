//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

// Regenerate keeps the first answer as a version: "‹ 2 / 2 ›" under the new one, Alt+← shows
// the first again (and the history remembers which one is shown), Ctrl+R after that asks for a
// third; export with --all-branches writes all three.
func TestVersionsInTheRealWindow(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{TokensPerSecond: 400})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	s.Reply("The **oak**: it lives for centuries.", "The **birch**, with its white bark.", "The **yew**, evergreen.")
	typeText(t, id, "Name a tree worth planting")
	key(t, id, "Return")
	// Another answer finished: the conversation's tokens grew (every version's usage counts;
	// its message count is the branch shown: a question and an answer), the window idle again.
	tokens := 0
	answered := func() {
		eventually(t, 15*time.Second, func() error {
			if l := history(t, h, env); len(l) != 1 || l[0].Messages != 2 || l[0].Tokens <= tokens || l[0].CostUSD == nil {
				return fmt.Errorf("history %+v (tokens before: %d)", l, tokens)
			}
			return nil
		})
		tokens = history(t, h, env)[0].Tokens
		time.Sleep(500 * time.Millisecond)
	}
	answered()
	key(t, id, "ctrl+r")
	answered()
	shown := func(want, not string) {
		eventually(t, 10*time.Second, func() error {
			l := history(t, h, env)
			_, out, _ := parley(t, h, env, "", "history", "export", fmt.Sprint(l[0].ID))
			if !strings.Contains(out, want) || strings.Contains(out, not) {
				return fmt.Errorf("the branch shown is not the %s one:\n%s", want, out)
			}
			return nil
		})
	}
	shown("birch", "oak")
	time.Sleep(700 * time.Millisecond)
	screenshot(t, id, "versions")
	key(t, id, "alt+Left")
	shown("oak", "birch")
	time.Sleep(500 * time.Millisecond)
	screenshot(t, id, "versions-first")
	key(t, id, "ctrl+r")
	answered()
	shown("yew", "oak")
	l := history(t, h, env)
	_, all, _ := parley(t, h, env, "", "history", "export", fmt.Sprint(l[0].ID), "--all-branches")
	for _, tree := range []string{"oak", "birch", "yew"} {
		if !strings.Contains(all, tree) {
			t.Fatalf("the export of all versions lacks the %s:\n%s", tree, all)
		}
	}
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)
}
