package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat/chattest"
)

// parley history import takes a ChatGPT or Claude export, says what it did in plain words,
// adds nothing twice, and refuses another maker's export when told which to expect.
func TestHistoryImportFromChatGPTAndClaude(t *testing.T) {
	_, home := cliEnv(t, chattest.Options{})
	gpt := filepath.Join(home, "conversations.json")
	data, err := os.ReadFile(filepath.Join("..", "chat", "importer", "testdata", "chatgpt-conversations.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gpt, data, 0o600)
	code, out, errOut := runParley(t, "", "history", "import", gpt)
	if code != 0 || !strings.HasPrefix(out, "Imported 3 conversations (11 messages) from ChatGPT.\n") ||
		!strings.Contains(out, "Left out: ") || !strings.Contains(out, "2 files the export refers to but does not hold") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	code, out, _ = runParley(t, "", "history", "import", gpt)
	if code != 0 || !strings.Contains(out, "3 conversations were imported before, not added again.") {
		t.Fatalf("%d %q", code, out)
	}
	claude := filepath.Join(home, "claude", "conversations.json")
	os.MkdirAll(filepath.Dir(claude), 0o700)
	data, _ = os.ReadFile(filepath.Join("..", "chat", "importer", "testdata", "claude-conversations.json"))
	os.WriteFile(claude, data, 0o600)
	if code, _, errOut := runParley(t, "", "history", "import", "--from", "chatgpt", claude); code != 1 || !strings.Contains(errOut, "this is a Claude export, not a ChatGPT one") {
		t.Fatalf("%d %q", code, errOut)
	}
	if code, out, _ := runParley(t, "", "history", "import", claude, "--from", "claude"); code != 0 || !strings.HasPrefix(out, "Imported 2 conversations (6 messages) from Claude.") {
		t.Fatalf("%d %q", code, out)
	}
	if _, list, _ := runParley(t, "", "history", "list"); strings.Count(list, "\n") != 5 || !strings.Contains(list, "Café names ☕") {
		t.Fatalf("%q", list)
	}
	random := filepath.Join(home, "settings.json")
	os.WriteFile(random, []byte(`{"theme":"dark"}`), 0o600)
	if code, _, errOut := runParley(t, "", "history", "import", random); code != 1 || !strings.Contains(errOut, "not a ChatGPT or Claude export") {
		t.Fatalf("%d %q", code, errOut)
	}
}

// parley history backup and restore: everything but keys, into another Parley, twice adds
// nothing; an existing file is replaced only with --force.
// importClaudeExport imports the Claude export of the importer's tests (two conversations) into
// the history of the test's home, and returns where the export was put.
func importClaudeExport(t *testing.T, home string) string {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join("..", "chat", "importer", "testdata", "claude-conversations.json"))
	export := filepath.Join(home, "conversations.json")
	os.WriteFile(export, data, 0o600)
	if code, _, errOut := runParley(t, "", "history", "import", export); code != 0 {
		t.Fatal(errOut)
	}
	return export
}

func TestHistoryBackupAndRestore(t *testing.T) {
	_, home := cliEnv(t, chattest.Options{})
	export := importClaudeExport(t, home)
	file := filepath.Join(t.TempDir(), "parley.backup")
	code, out, errOut := runParley(t, "", "history", "backup", file)
	if code != 0 || !strings.Contains(out, "Backed up 2 conversations") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	if code, _, errOut := runParley(t, "", "history", "backup", file); code != 2 || !strings.Contains(errOut, "--force") {
		t.Fatalf("%d %q", code, errOut)
	}
	_, before, _ := runParley(t, "", "history", "export", "1", "--all-branches")

	cliEnv(t, chattest.Options{}) // another machine
	code, out, errOut = runParley(t, "", "history", "restore", file)
	if code != 0 || !strings.HasPrefix(out, "Restored 2 conversations") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	if _, after, _ := runParley(t, "", "history", "export", "1", "--all-branches"); after != before {
		t.Fatalf("restored:\n%s\nwas:\n%s", after, before)
	}
	if _, out, _ := runParley(t, "", "history", "restore", file); !strings.Contains(out, "Restored 0 conversations (2 were here already)") {
		t.Fatalf("%q", out)
	}
	if code, _, errOut := runParley(t, "", "history", "restore", export); code != 1 || !strings.Contains(errOut, "not a Parley backup") {
		t.Fatalf("%d %q", code, errOut)
	}
}

// parley ask --preset asks with the preset's prompt; -s still wins; an unknown preset is named.
func TestAskWithAPreset(t *testing.T) {
	s, _ := cliEnv(t, chattest.Options{})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("Hello.", "Hi.")
	if code, _, errOut := runParley(t, "", "ask", "--preset", "translate to english", "Bonjour"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := runParley(t, "", "ask", "--preset", "translate-en", "-s", "Be a pirate.", "Salut"); code != 0 {
		t.Fatal(errOut)
	}
	reqs := s.ChatRequests()
	if len(reqs) != 2 || !strings.HasPrefix(string(reqs[0].Messages[0].Content), "Translate what I send into natural, idiomatic English.") ||
		string(reqs[1].Messages[0].Content) != "Be a pirate." {
		t.Fatalf("%+v", reqs)
	}
	if code, _, errOut := runParley(t, "", "ask", "--preset", "Nonexistent", "x"); code != 2 || !strings.Contains(errOut, `there is no preset "Nonexistent"`) {
		t.Fatalf("%d %q", code, errOut)
	}
}
