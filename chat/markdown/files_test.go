package markdown

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat"
	"parley/chat/attach"
	"parley/chat/store"
)

// A conversation with files exports them beside it (a folder named after it, linked from the
// export, each file once) and imports back byte for byte, with how each was sent.
func TestFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, _ := store.Open(filepath.Join(dir, "a.db"))
	defer src.Close()
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 300, 200)))
	shot, _ := attach.FromBytes("shot.png", b.Bytes())
	notes, _ := attach.FromBytes("notes.md", []byte("# Notes\nsee the chart\n"))
	c, _ := src.CreateConversation(store.Conversation{Title: "Charts / review"})
	src.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "Look at these", Attachments: []store.Attachment{shot.Stored("high"), notes.Stored("")}})
	src.Append(store.Message{ConversationID: c.ID, Role: chat.Assistant, Content: "A blank chart.", Finish: chat.FinishStop})
	src.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "The same one again", Attachments: []store.Attachment{shot.Stored("")}})

	out := filepath.Join(dir, "export", "Charts review.md")
	os.MkdirAll(filepath.Dir(out), 0o700)
	if err := ExportTo(src, c.ID, out, false); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(out)
	if !strings.Contains(string(md), `![shot\.png](<Charts review.files/shot.png>)`) || !strings.Contains(string(md), `📎 [notes\.md](<Charts review.files/notes.md>)`) {
		t.Fatalf("no links:\n%s", md)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "export", "Charts review.files"))
	if len(entries) != 2 {
		t.Fatalf("%d files written", len(entries))
	}

	dst, _ := store.Open(filepath.Join(dir, "b.db"))
	defer dst.Close()
	got, n, err := ImportFile(dst, out)
	if err != nil || n != 3 {
		t.Fatalf("%d %v", n, err)
	}
	msgs, _ := dst.Messages(got.ID)
	first, last := msgs[0].Attachments, msgs[2].Attachments
	if len(first) != 2 || first[0].Detail != "high" || first[0].Hash != shot.Hash || first[0].Width != 300 || first[1].Text != "# Notes\nsee the chart\n" || len(last) != 1 || last[0].Detail != "" {
		t.Fatalf("imported %+v / %+v", first, last)
	}
	data, _ := first[0].Bytes()
	if !bytes.Equal(data, b.Bytes()) || msgs[0].Content != "Look at these" {
		t.Fatal("the image did not come back byte for byte")
	}
	if n, _ := dst.AttachedBytes(); n != int64(len(b.Bytes()))+notes.Size {
		t.Fatalf("kept %d bytes: a file twice?", n)
	}

	// A missing file stops the import, naming it; nothing is imported.
	os.Remove(filepath.Join(dir, "export", "Charts review.files", "notes.md"))
	before, _ := dst.CountConversations()
	if _, _, err := ImportFile(dst, out); err == nil || !strings.Contains(err.Error(), "notes.md") {
		t.Fatalf("%v", err)
	}
	if after, _ := dst.CountConversations(); after != before {
		t.Fatal("half an import")
	}
	// A file pointing out of its folder is refused.
	evil := strings.Replace(string(md), `"path":"Charts review.files/notes.md"`, `"path":"../../../../etc/passwd"`, 1)
	os.WriteFile(out, []byte(evil), 0o600)
	if _, _, err := ImportFile(dst, out); err == nil || !strings.Contains(err.Error(), "outside the export's folder") {
		t.Fatalf("%v", err)
	}
}
