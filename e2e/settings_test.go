//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	"parley/chat/chattest"
)

// The settings screen with a key stored in the keychain and the rate-limit meter half used
// (2 of 4 requests a minute, as the server's own headers say).
func TestSettingsScreenWithKeyAndMeter(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{RPM: 4, TPM: 2000})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	for i, q := range []string{"First question", "Second question"} {
		s.Reply(fmt.Sprintf("Answer number %d.", i+1))
		typeText(t, id, q)
		key(t, id, "Return")
		eventually(t, 10*time.Second, func() error {
			if l := history(t, h, env); len(l) == 0 || l[0].Tokens == 0 || len(s.ChatRequests()) != i+1 {
				return fmt.Errorf("answer %d not in yet", i+1)
			}
			return nil
		})
		time.Sleep(300 * time.Millisecond)
	}
	key(t, id, "ctrl+comma")
	time.Sleep(1200 * time.Millisecond)
	screenshot(t, id, "settings")
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
