//go:build e2e

package e2e

import (
	"fmt"
	"strings"
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

// The settings screen with an organization's admin key: the account's own figures, read from
// the Admin API by the window itself, and a key rotated in one step from the command line
// reaching the running window.
func TestSettingsWithAnAdminKey(t *testing.T) {
	const adminKey = "sk-admin-e2eTESTadmin0123456789abcdefUVWX"
	h := newHome(t)
	org := chattest.DefaultOrg(adminKey, testKey, time.Now())
	s, url := server(t, chattest.Options{Org: org})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	if code, _, errOut := parley(t, h, env, adminKey+"\n", "key", "set", "--admin"); code != 0 {
		t.Fatalf("key set --admin: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	before := s.AdminRequests()["GET /v1/organization/costs"]
	key(t, id, "ctrl+comma")
	eventually(t, 10*time.Second, func() error {
		if s.AdminRequests()["GET /v1/organization/costs"] == before {
			return fmt.Errorf("the window did not read the account's costs")
		}
		return nil
	})
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, id, "settings-account")

	code, out, errOut := parley(t, h, env, "", "key", "rotate")
	if code != 0 || !strings.Contains(out, "is revoked") {
		t.Fatalf("rotate: %d %s %s", code, out, errOut)
	}
	// The window asks with the new key at once.
	key(t, id, "Escape")
	s.Reply("With the rotated key.")
	typeText(t, id, "Still working?")
	key(t, id, "Return")
	eventually(t, 10*time.Second, func() error {
		for _, r := range s.ChatRequests() {
			if r.LastUser() == "Still working?" {
				return nil
			}
		}
		return fmt.Errorf("not asked yet")
	})
	last := s.Requests()[len(s.Requests())-1].Header.Get("Authorization")
	if last == "Bearer "+testKey || !s.KeyValid(strings.TrimPrefix(last, "Bearer ")) {
		t.Fatalf("the window asked with %q", last)
	}
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, secret := range []string{testKey, adminKey} {
		if leaks := filesContaining(t, h.Dir, secret); len(leaks) > 0 {
			t.Fatalf("a key is on disk in %v", leaks)
		}
	}
}
