//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/chat/chattest"
	"parley/chat/store/storetest"
)

// Killing parley ask mid-stream (SIGKILL: no chance to clean up) loses at most a second of the
// answer: the history opens and holds the partial answer, marked interrupted.
func TestKilledMidStreamKeepsThePartialAnswer(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{TokensPerSecond: 30})
	env := []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey}
	s.Reply(strings.Repeat("partial words stream slowly ", 200))
	a := launch(t, h, env, "ask", "Tell me a very long story")
	eventually(t, 10*time.Second, func() error {
		if len(s.ChatRequests()) == 0 {
			return fmt.Errorf("not asked yet")
		}
		return nil
	})
	time.Sleep(2500 * time.Millisecond) // some text, and at least one checkpoint
	printed := a.stdout.Len()
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.wait(5 * time.Second)
	time.Sleep(3500 * time.Millisecond) // longer than a live writer goes without a checkpoint

	l := history(t, h, env)
	if len(l) != 1 || l[0].Messages != 2 {
		t.Fatalf("history %+v", l)
	}
	code, md, errOut := parley(t, h, env, "", "history", "export", fmt.Sprint(l[0].ID))
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	if !strings.Contains(md, "(interrupted)") || !strings.Contains(md, "partial words stream slowly") {
		t.Fatalf("no interrupted partial answer:\n%s", md)
	}
	saved := strings.Count(md, "partial words stream slowly")
	shown := strings.Count(a.stdout.String()[:printed], "partial words stream slowly")
	// At 30 tokens a second, a second of text is at most 30 tokens: about 8 repetitions.
	if saved < shown-8 {
		t.Fatalf("saved %d repetitions, %d were printed before the kill", saved, shown)
	}
}

// A damaged history is never overwritten: it is moved aside, the user is told where, and a
// fresh history starts.
func TestDamagedHistoryIsMovedAside(t *testing.T) {
	h := newHome(t)
	dir := filepath.Join(h.Data, "parley")
	os.MkdirAll(dir, 0o700)
	junk := []byte(strings.Repeat("definitely not sqlite ", 300))
	os.WriteFile(filepath.Join(dir, "history.db"), junk, 0o600)
	code, out, errOut := parley(t, h, nil, "", "history", "list")
	if code != 0 || !strings.Contains(errOut, "moved to") || !strings.Contains(out, "No conversations") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "history.db.unreadable-*"))
	if len(matches) != 1 {
		t.Fatalf("moved aside: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != string(junk) {
		t.Fatal("the damaged file was changed")
	}

	// The window says so too, where the file went and how to get it back: an empty sidebar
	// alone would hide it.
	os.WriteFile(filepath.Join(dir, "history.db"), junk, 0o600)
	normal := launch(t, newHome(t), nil)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(1200 * time.Millisecond)
	plainShot := screenshot(t, id, "history-normal")
	key(t, id, "ctrl+q")
	normal.wait(10 * time.Second)
	a := launch(t, h, nil)
	id = window(t, "Parley", 20*time.Second)
	time.Sleep(1200 * time.Millisecond)
	shot := screenshot(t, id, "history-moved-aside")
	// A dialog dims the window behind it: the sidebar's dark background is gone.
	const sidebarBackground = 0x171718
	if before, after := pixelsOf(t, plainShot, sidebarBackground), pixelsOf(t, shot, sidebarBackground); after > before/4 {
		t.Fatalf("no dialog over the window (%d of %d background pixels left)", after, before)
	}
	key(t, id, "Return")
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)
}

// A history damaged deep inside opens as it is (a start reads only its header and schema); the
// check a little after start reads it whole, finds the damage and says so in the window; the
// first start that has the file alone moves it aside.
func TestDamageFoundByTheDailyCheck(t *testing.T) {
	h := newHome(t)
	export, _ := filepath.Abs(filepath.Join("..", "chat", "importer", "testdata", "claude-conversations.json"))
	if code, _, errOut := parley(t, h, nil, "", "history", "import", export); code != 0 {
		t.Fatal(errOut)
	}
	history := filepath.Join(h.Data, "parley", "history.db")
	if err := storetest.DamageTable(history, "messages"); err != nil {
		t.Fatal(err)
	}
	a := launch(t, h, nil)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(1200 * time.Millisecond)
	const sidebarBackground = 0x171718
	before := pixelsOf(t, screenshot(t, id, "history-damaged-at-start"), sidebarBackground)
	eventually(t, 40*time.Second, func() error {
		if _, err := os.Stat(history + ".damaged"); err != nil {
			return fmt.Errorf("the check has not found the damage")
		}
		return nil
	})
	eventually(t, 10*time.Second, func() error {
		// A dialog dims the window behind it: the sidebar's dark background is gone.
		if after := pixelsOf(t, screenshot(t, id, "history-damaged"), sidebarBackground); after > before/4 {
			return fmt.Errorf("no dialog over the window (%d of %d background pixels left)", after, before)
		}
		return nil
	})
	// A command meanwhile leaves the file where it is: the window has it open.
	if _, _, errOut := parley(t, h, nil, "", "history", "list"); strings.Contains(errOut, "moved to") {
		t.Fatalf("moved from under the window: %q", errOut)
	}
	if matches, _ := filepath.Glob(history + ".unreadable-*"); len(matches) != 0 {
		t.Fatalf("moved from under the window: %v", matches)
	}
	key(t, id, "Return")
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)

	code, out, errOut := parley(t, h, nil, "", "history", "list")
	if code != 0 || !strings.Contains(errOut, "It was moved to "+history+".unreadable-") || !strings.Contains(out, "No conversations") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
}

// parley ask and parley models work against an OpenAI-compatible server this project did not
// write (openai-mock-api from npm, installed by make test): no usage, no rate-limit headers.
func TestThirdPartyServer(t *testing.T) {
	cli := os.Getenv("PARLEY_THIRDPARTY")
	if cli == "" {
		t.Fatal("PARLEY_THIRDPARTY is not set: make test installs openai-mock-api from npm and sets it")
	}
	h := newHome(t)
	config := filepath.Join(h.Dir, "mock.yaml")
	os.WriteFile(config, []byte(`apiKey: 'sk-thirdparty-0123456789abcdef'
responses:
  - id: 'capital'
    messages:
      - role: 'user'
        content: 'What is the capital of France?'
      - role: 'assistant'
        content: 'The capital of France is Paris.'
`), 0o600)
	port := freePort(t)
	server := exec.Command("node", cli, "--config", config, "--port", fmt.Sprint(port))
	server.Dir = h.Dir
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Process.Kill(); server.Wait() })
	env := []string{fmt.Sprintf("OPENAI_BASE_URL=http://127.0.0.1:%d/v1", port), "OPENAI_API_KEY=sk-thirdparty-0123456789abcdef"}
	eventually(t, 20*time.Second, func() error {
		if code, _, errOut := parley(t, h, env, "", "models"); code != 0 {
			return fmt.Errorf("models: %s", errOut)
		}
		return nil
	})
	code, out, errOut := parley(t, h, env, "", "models")
	if code != 0 || !strings.Contains(out, "gpt-3.5-turbo") {
		t.Fatalf("models: %d %q %q", code, out, errOut)
	}
	code, out, errOut = parley(t, h, env, "", "ask", "-m", "gpt-3.5-turbo", "What is the capital of France?")
	if code != 0 || out != "The capital of France is Paris.\n" {
		t.Fatalf("ask: %d %q %q", code, out, errOut)
	}
	code, out, _ = parley(t, h, env, "", "ask", "--json", "-m", "gpt-3.5-turbo", "What is the capital of France?")
	if code != 0 || !strings.Contains(out, `"estimated": true`) || !strings.Contains(out, `"prompt_tokens": 14`) {
		t.Fatalf("ask --json: %d %s", code, out)
	}
	env[1] = "OPENAI_API_KEY=sk-wrong-000000000000"
	if code, _, errOut := parley(t, h, env, "", "ask", "-m", "gpt-3.5-turbo", "What is the capital of France?"); code != 1 || !strings.Contains(errOut, "refused") {
		t.Fatalf("wrong key: %d %q", code, errOut)
	}
}

// A full disk: Parley says so in those words, still answers, and the history stays readable;
// once space is freed, everything goes on. (Needs a small file system of its own: a tmpfs,
// which root may mount.)
func TestFullDiskKeepsTheHistoryReadable(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small")
	os.MkdirAll(small, 0o700)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here (%v: %s): the full-disk case needs one", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	h := newHome(t)
	h.Data = small
	_, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey}
	if code, _, errOut := parley(t, h, env, "", "ask", "Before the disk fills"); code != 0 {
		t.Fatalf("%d %s", code, errOut)
	}
	filler := filepath.Join(small, "filler")
	exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=1k", "count=100000").Run() // until the disk is full
	code, out, errOut := parley(t, h, env, "", "ask", "While the disk is full")
	if code != 0 || out == "" || !strings.Contains(errOut, "full") || strings.Contains(errOut, "disk I/O error") {
		t.Fatalf("ask on a full disk: %d %q %q", code, out, errOut)
	}
	code, out, errOut = parley(t, h, env, "", "history", "list")
	if code != 0 || !strings.Contains(out, "Before the disk fills") || !strings.Contains(errOut, "is full") {
		t.Fatalf("history on a full disk: %d %q %q", code, out, errOut)
	}
	os.Remove(filler)
	if code, _, errOut := parley(t, h, env, "", "ask", "After freeing space"); code != 0 || errOut != "" {
		t.Fatalf("after freeing: %d %q", code, errOut)
	}
	if l := history(t, h, env); len(l) != 2 {
		t.Fatalf("history after freeing: %+v", l)
	}
}
