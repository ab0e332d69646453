package app

import (
	"path/filepath"
	"strings"
	"testing"

	"parley/chat/chattest"
	"parley/chat/store/storetest"
)

// parley history check reads the history whole: it says so when it is whole, and when it is
// damaged says what was found and what happens next; the next start moves the file aside.
func TestHistoryCheck(t *testing.T) {
	_, home := cliEnv(t, chattest.Options{})
	importClaudeExport(t, home)
	code, out, errOut := runParley(t, "", "history", "check")
	if code != 0 || !strings.HasPrefix(out, "Your history is whole: ") || errOut != "" {
		t.Fatalf("%d %q %q", code, out, errOut)
	}

	history := filepath.Join(home, ".local", "share", "parley", "history.db")
	if err := storetest.DamageTable(history, "messages"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runParley(t, "", "history", "check")
	if code != 1 || out != "" || !strings.Contains(errOut, "your history is damaged. SQLite says: ") ||
		!strings.Contains(errOut, "The next time Parley opens it, it is moved aside") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	code, out, errOut = runParley(t, "", "history", "list")
	if code != 0 || !strings.Contains(errOut, "It was moved to "+history+".unreadable-") || !strings.Contains(out, "No conversations") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
}
