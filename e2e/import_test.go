//go:build e2e

package e2e

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

// A ChatGPT export imported from the command line while the window is open: the window lists
// its conversations at once, and one opened shows the branch ChatGPT showed, with "1 / 2"
// under the answer that had a sibling; the summary says what was left out.
func TestChatGPTImportReachesTheWindow(t *testing.T) {
	h := newHome(t)
	_, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join("..", "chat", "importer", "testdata", "chatgpt-conversations.json"))
	if err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(h.Dir, "chatgpt-export.zip")
	f, _ := os.Create(export)
	z := zip.NewWriter(f)
	w, _ := z.Create("conversations.json")
	w.Write(data)
	z.Close()
	f.Close()

	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	code, out, errOut := parley(t, h, env, "", "history", "import", export)
	if code != 0 || !strings.HasPrefix(out, "Imported 3 conversations (11 messages) from ChatGPT.") || !strings.Contains(out, "Left out:") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	// Newest first under "Older": the untitled one, the plot, then the Rust one.
	eventually(t, 10*time.Second, func() error {
		key(t, id, "ctrl+l", "Down", "Down", "Down", "Return")
		if got := title(t, id); got != "Parley — Rust lifetimes ⏳" {
			return fmt.Errorf("title %q: the window did not list the imported conversations", got)
		}
		return nil
	})
	time.Sleep(700 * time.Millisecond)
	screenshot(t, id, "import-chatgpt")
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)
}
