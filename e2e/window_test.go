//go:build e2e

package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

// A conversation the command line adds shows in the running window's list at once, opens from
// the keyboard, and is where Parley opens again after a restart.
func TestCommandLineConversationsReachTheWindow(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	// Its icon, for task bars and window switchers: 128 pixels, not the 512 of the desktop entry.
	if out, err := exec.Command("xprop", "-id", id, "_NET_WM_ICON").Output(); err != nil || !strings.Contains(string(out), "Icon (128 x 128)") {
		t.Fatalf("the window's icon: %v %.200s", err, out)
	}

	s.Reply("Answered for the terminal, with **Markdown**.")
	if code, out, errOut := parley(t, h, env, "", "ask", "Asked from the terminal"); code != 0 {
		t.Fatalf("parley ask: %d %s %s", code, out, errOut)
	}
	// The list (Ctrl+L) now holds it: Down past the day's heading, Enter opens it.
	eventually(t, 10*time.Second, func() error {
		key(t, id, "ctrl+l", "Down", "Return")
		if got := title(t, id); got != "Parley — Asked from the terminal" {
			return fmt.Errorf("title %q: the window did not list the new conversation", got)
		}
		return nil
	})
	screenshot(t, id, "window-cli-conversation")

	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	launch(t, h, env)
	id = window(t, "Parley — Asked from the terminal", 20*time.Second) // where it was left
	screenshot(t, id, "window-reopened")
}
