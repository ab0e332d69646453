package markdown

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the importer whatever a file could hold. It never panics; whatever it accepts
// exports and reads back as the same conversation. The corpus it found is kept in
// testdata/fuzz/FuzzParse and runs with every go test.
func FuzzParse(f *testing.F) {
	c, msgs := golden()
	f.Add(Render(c, msgs))
	f.Add(Render(sample()))
	for _, name := range []string{"golden.md", "export-v0.1.md"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add(crafted(`{"role":"user","length":-1,"closers":0,"created":"2026-12-01T10:00:00.250Z"}`))
	f.Add([]byte("---\nparley_export: 1\n---\n<!-- parley:message {\"role\":\"user\",\"length\":3} -->\n### User\n\nabc\n<!-- parley:end -->\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, msgs, err := Parse(data)
		if err != nil {
			return
		}
		again := Render(c, msgs)
		c2, msgs2, err := Parse(again)
		if err != nil {
			t.Fatalf("Parley's own export of an accepted file does not read back: %v\n%s", err, again)
		}
		if len(msgs2) != len(msgs) || c2.Title != c.Title {
			t.Fatalf("read back %d messages, %q; want %d, %q", len(msgs2), c2.Title, len(msgs), c.Title)
		}
		for i := range msgs {
			if msgs[i].Content != msgs2[i].Content || msgs[i].Role != msgs2[i].Role {
				t.Fatalf("message %d changed: %q → %q", i, msgs[i].Content, msgs2[i].Content)
			}
		}
		if !bytes.Equal(Render(c2, msgs2), again) {
			t.Fatal("the second export differs from the first")
		}
	})
}
