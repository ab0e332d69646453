package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
	"parley/settings"
)

// firstRun empties the profile (no key, OpenAI's address) so the first-run card shows, and
// returns the test server's address.
func firstRun(t *testing.T, opts chattest.Options) (*Main, string) {
	t.Helper()
	m, _, _ := newTestMain(t, opts)
	p := m.profile()
	server := p.BaseURL
	p.BaseURL = ""
	p.SetModels([]string{"a-model-of-another-server"}, time.Now())
	m.svc.Prefs.SaveProfile(p)
	m.svc.Keys.Delete(p.ID)
	m.keyChanged()
	settle(t, 2*time.Second)
	return m, server
}

// Both a key and an address typed: the address is kept, written as Settings writes it, and the
// key is tested against that server before it is stored.
func TestFirstRunCardKeepsTheServerAddress(t *testing.T) {
	m, server := firstRun(t, chattest.Options{})
	c := newFirstRunCard(m)
	c.key.entry.SetText(testKey)
	c.server.SetText("  " + server + "/ ")
	c.key.save(false)
	settleUntil(t, 10*time.Second, func() bool { return m.ready() })
	p := m.profile()
	// The models are the new server's, as the key test found them, not the old server's.
	if p.BaseURL != server || !slices.Contains(p.Models, "gpt-4o") || time.Since(p.ModelsFetched) > time.Minute {
		t.Fatalf("profile %q models %v (%v), want %q and the models the key test found there", p.BaseURL, p.Models, p.ModelsFetched, server)
	}
	if got, _, _ := m.svc.Keys.Get(p.ID); got != testKey {
		t.Fatalf("key %q", got)
	}

	// Settings' rules: only http(s) addresses.
	c.server.SetText("ftp://example.com/v1")
	c.useServer()
	if st := c.key.status.String(); !strings.Contains(st, "not an address") {
		t.Fatalf("status %q", st)
	}
	if m.profile().BaseURL != server {
		t.Fatal("a bad address was saved")
	}
}

// "Use this server" with a server that wants a key says so at once, not later as a wrong key.
func TestUseThisServerSaysItNeedsAKey(t *testing.T) {
	m, server := firstRun(t, chattest.Options{})
	c := newFirstRunCard(m)
	c.server.SetText(server)
	c.useServer()
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(c.key.status.String(), "needs an API key") })
	if m.profile().BaseURL != server {
		t.Fatal("the server was not saved")
	}
	if st := c.key.status.String(); strings.Contains(st, "wrong or revoked") {
		t.Fatalf("status %q", st)
	}
	// A wrong key typed with it is refused and not stored.
	c.key.entry.SetText("sk-proj-wrongWRONGwrong00000000000000")
	c.useServer()
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(c.key.status.String(), "refused") })
	if got, src, _ := m.svc.Keys.Get(m.profile().ID); got != "" || src != settings.FromNone {
		t.Fatalf("a refused key was stored: %q", got)
	}
}
