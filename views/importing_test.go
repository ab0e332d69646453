package views

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/backup"
	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// A ChatGPT export dropped into File > Import: a progress dialog, then a summary; the sidebar
// lists the conversations, the one opened shows its branch, Esc closes the summary.
func TestImportingAChatGPTExport(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	data, err := os.ReadFile(filepath.Join("..", "chat", "importer", "testdata", "chatgpt-conversations.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chatgpt-export.zip")
	f, _ := os.Create(path)
	z := zip.NewWriter(f)
	w, _ := z.Create("conversations.json")
	w.Write(data)
	z.Close()
	f.Close()

	m.importPath(path)
	if len(m.dialogs) != 1 {
		t.Fatal("no progress dialog")
	}
	settleUntil(t, 20*time.Second, func() bool {
		return len(m.dialogs) == 1 && strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Import finished")
	})
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "Imported 3 conversations (11 messages) from ChatGPT.") || !strings.Contains(markup, "Left out:") {
		t.Fatalf("the summary:\n%s", markup)
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(m.dialogs) != 0 {
		t.Fatal("Esc did not close the summary")
	}
	if n, _ := hist.CountConversations(); n != 3 {
		t.Fatalf("%d conversations", n)
	}
	settle(t, time.Second)
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "Rust lifetimes ⏳") {
		t.Fatal("the sidebar does not list the imported conversations")
	}
	c, _ := hist.Conversations(10, 0)
	for _, conv := range c {
		if conv.Title == "Rust lifetimes ⏳" {
			m.Open(conv.ID)
		}
	}
	v := m.conversation
	settleUntil(t, 5*time.Second, func() bool { return len(v.items) == 2 })
	if got := v.items[1].msg; !strings.HasPrefix(got.Content, "The returned reference") || got.Version != 1 || got.Versions != 2 {
		t.Fatalf("the branch shown: %+v", got)
	}
}

// A file that is not an export says so, and nothing is imported.
func TestImportingTheWrongFile(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	path := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(path, []byte(`{"theme": "dark"}`), 0o600)
	m.importPath(path)
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Nothing was imported: settings.json: this is not a")
	})
	if n, _ := hist.CountConversations(); n != 0 {
		t.Fatalf("%d conversations", n)
	}
}

// File > Restore from Backup: a progress bar, then what came back; the sidebar lists it.
func TestRestoringABackupInTheWindow(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	m.restoreFrom(oldBackup(t, "From the old laptop"))
	settleUntil(t, 20*time.Second, func() bool {
		return strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Restore finished")
	})
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "Restored 1 conversation,") {
		t.Fatalf("%s", markup)
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	settle(t, time.Second)
	if n, _ := hist.CountConversations(); n != 1 || !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "From the old laptop") {
		t.Fatalf("%d conversations; the sidebar does not list it", n)
	}
}

// Esc (or Stop) while a restore runs stops it between two conversations, and says how far it
// came and how to finish.
func TestStoppingARestore(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	const many = 300
	titles := make([]string, many)
	for i := range titles {
		titles[i] = fmt.Sprintf("Old conversation %d", i)
	}
	m.restoreFrom(oldBackup(t, titles...))
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // at once: the restore has barely begun
	settleUntil(t, 20*time.Second, func() bool {
		return strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Restore stopped")
	})
	n, _ := hist.CountConversations()
	if markup := test.RenderToMarkup(m.Window.Canvas()); n >= many || !strings.Contains(markup, fmt.Sprintf("Stopped after restoring %d", n)) {
		t.Fatalf("%d of %d restored; the window says:\n%s", n, many, markup)
	}
}

// oldBackup writes a backup of another history holding a conversation of one question for each
// title, and returns its path.
func oldBackup(t *testing.T, titles ...string) string {
	t.Helper()
	other, err := store.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, title := range titles {
		c, _ := other.CreateConversation(store.Conversation{Title: title})
		other.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "Hello from before"})
	}
	path := filepath.Join(t.TempDir(), "old.backup")
	if _, err := backup.Write(backup.Sources{History: other}, path); err != nil {
		t.Fatal(err)
	}
	return path
}
