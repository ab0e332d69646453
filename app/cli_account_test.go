package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

const cliAdminKey = "sk-admin-cliTESTadmin0123456789abcdefMNOP"

// The account on the command line: the admin key in its own place, usage from the Admin API
// (or this app's, labelled), the project's keys, and a rotation in one step.
func TestAccountCommands(t *testing.T) {
	org := chattest.DefaultOrg(cliAdminKey, cliKey, time.Now())
	s, _ := cliEnv(t, chattest.Options{Org: org})
	if code, _, errOut := runParley(t, cliKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %s", errOut)
	}
	code, out, _ := runParley(t, "", "usage")
	if code != 0 || !strings.Contains(out, "this app only") {
		t.Fatalf("without an admin key: %d %q", code, out)
	}
	if code, _, errOut := runParley(t, cliKey+"\n", "key", "set", "--admin"); code != 2 || !strings.Contains(errOut, "API key, not an admin key") {
		t.Fatalf("an API key as the admin key: %d %q", code, errOut)
	}
	if code, _, errOut := runParley(t, cliAdminKey+"\n", "key", "set"); code != 2 || !strings.Contains(errOut, "admin key") {
		t.Fatalf("an admin key as the API key: %d %q", code, errOut)
	}
	if code, out, errOut := runParley(t, cliAdminKey+"\n", "key", "set", "--admin"); code != 0 || strings.Contains(out, cliAdminKey) {
		t.Fatalf("key set --admin: %d %q %q", code, out, errOut)
	}
	s.Reply("hi")
	runParley(t, "", "ask", "-m", "gpt-4o-mini", "hello")

	code, out, _ = runParley(t, "", "usage", "--json")
	var u usageReport
	if err := json.Unmarshal([]byte(out), &u); err != nil || code != 0 {
		t.Fatalf("%d %v %s", code, err, out)
	}
	if u.Source != "admin api" || u.Project != "Parley" || u.LimitUSD == nil || *u.LimitUSD != 500 || len(u.Rows) != 2 || u.OrgSpendUSD == nil {
		t.Fatalf("%+v", u)
	}
	code, out, _ = runParley(t, "", "usage", "--today", "--by", "key")
	if code != 0 || !strings.Contains(out, "laptop") || !strings.Contains(out, "nightly scripts") {
		t.Fatalf("%d %s", code, out)
	}
	code, out, _ = runParley(t, "", "key", "list")
	if code != 0 || !strings.Contains(out, "* laptop") || !strings.Contains(out, "service account nightly scripts") || strings.Contains(out, cliKey) {
		t.Fatalf("%d %s", code, out)
	}

	code, out, errOut := runParley(t, "", "key", "rotate")
	if code != 0 || !strings.Contains(out, "now uses a new key") || !strings.Contains(out, "is revoked") || !strings.Contains(errOut, "Testing the new key") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	if s.KeyValid(cliKey) {
		t.Fatal("the old key still works")
	}
	s.Reply("with the new key")
	if code, out, errOut := runParley(t, "", "ask", "-m", "gpt-4o-mini", "still there?"); code != 0 || out != "with the new key\n" {
		t.Fatalf("after the rotation: %d %q %q", code, out, errOut)
	}
}
