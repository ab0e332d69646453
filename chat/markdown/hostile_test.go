package markdown

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat/store"
)

// crafted is a valid export with one message header replaced.
func crafted(header string) []byte {
	c, msgs := golden()
	data := string(Render(c, msgs[:2]))
	i := strings.Index(data, messageMarker)
	j := strings.Index(data[i:], " -->\n")
	return []byte(data[:i] + messageMarker + header + data[i+j:])
}

// Every field of every header is checked: a crafted file is refused with a precise message,
// never a panic, and nothing of it is imported.
func TestCraftedHeadersAreRefused(t *testing.T) {
	for _, tc := range []struct {
		header, says string
	}{
		{`{"role":"user","length":-1,"closers":0,"created":"2026-12-01T10:00:00.250Z"}`, "length"},
		{`{"role":"","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z"}`, "role"},
		{`{"role":"wizard","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z"}`, "role"},
		{`{"role":"user","length":21,"closers":-3,"created":"2026-12-01T10:00:00.250Z"}`, "closers"},
		{`{"role":"assistant","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z","finish":"exploded"}`, "finish"},
		{`{"role":"assistant","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z","prompt_tokens":-5}`, "tokens"},
		{`{"role":"assistant","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z","completion_tokens":9000000000000000000}`, "tokens"},
		{`{"role":"assistant","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z","cost_usd":-1}`, "cost"},
		{`{"role":"assistant","length":21,"closers":0,"created":"2026-12-01T10:00:00.250Z","cost_usd":1e308}`, "cost"},
		{`{"role":"user","length":21,"closers":0,"created":"yesterday"}`, "time"},
	} {
		_, _, err := Parse(crafted(tc.header))
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "message 1") {
			t.Errorf("%s: err %v, want it to name message 1 and %q", tc.header, err, tc.says)
		}
	}
}

// An import succeeds whole or changes nothing.
func TestAFailedImportChangesNothing(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, msgs := golden()
	data := Render(c, msgs)
	// The last message's header is damaged: the ones before it must not come in alone.
	last := bytes.LastIndex(data, []byte(`"role":"assistant"`))
	bad := append(append(append([]byte{}, data[:last]...), []byte(`"role":"robot"`)...), data[last+len(`"role":"assistant"`):]...)
	path := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(path, bad, 0o600)
	if _, _, err := ImportFile(st, path); err == nil || !strings.Contains(err.Error(), "message 8") {
		t.Fatalf("err %v", err)
	}
	if n, _ := st.CountConversations(); n != 0 {
		t.Fatalf("%d conversations came in from a file that was refused", n)
	}
}

// A message whose role a damaged history holds empty still exports (it used to panic every
// export of its conversation).
func TestExportOfAnEmptyRoleDoesNotPanic(t *testing.T) {
	c, msgs := golden()
	msgs[0].Role = ""
	if out := Render(c, msgs); !bytes.Contains(out, []byte("## Message")) {
		t.Fatalf("%s", out)
	}
}

// Long titles in four-byte characters make file names that file systems take (255 bytes).
func TestFileNamesFitTheFileSystem(t *testing.T) {
	taken := map[string]bool{}
	for _, title := range []string{strings.Repeat("😀", 200), strings.Repeat("𝔸𝔹ℂ ", 90), strings.Repeat("x", 400)} {
		name := FileName(store.Conversation{Title: title, Created: time.Now()}, taken)
		if len(name) > 255 || !strings.HasSuffix(name, ".md") || strings.Contains(name, "\uFFFD") {
			t.Errorf("%d bytes: %q", len(name), name)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Errorf("the file system refuses it: %v", err)
		}
	}
}
