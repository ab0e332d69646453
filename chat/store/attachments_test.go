package store

import (
	"bytes"
	"strings"
	"testing"

	"parley/chat"
)

func photo(hash string, data []byte) Attachment {
	return Attachment{Name: "photo.png", Kind: chat.AttachImage, MIME: "image/png", Size: int64(len(data)), Hash: hash, Width: 800, Height: 600, Thumb: []byte("thumb"), Data: data}
}

// A file attached twice is kept once; it goes when the last message holding it does; the
// question reads back with its files, their bytes read when asked.
func TestAttachmentsAreKeptOnce(t *testing.T) {
	s := openTemp(t)
	data := bytes.Repeat([]byte("pixels"), 100_000)
	a, _ := s.CreateConversation(Conversation{Title: "a"})
	b, _ := s.CreateConversation(Conversation{Title: "b"})
	notes := Attachment{Name: "notes.md", Kind: chat.AttachText, MIME: "text/plain", Size: 21, Hash: "h-notes", Text: "the zanzibar protocol", Data: []byte("the zanzibar protocol")}
	if _, err := s.Append(Message{ConversationID: a.ID, Role: chat.User, Content: "Look", Attachments: []Attachment{photo("h-photo", data), notes}}); err != nil {
		t.Fatal(err)
	}
	again := photo("h-photo", nil) // the same file again: its bytes are in the history already
	if _, err := s.Append(Message{ConversationID: b.ID, Role: chat.User, Content: "Again", Attachments: []Attachment{again}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.AttachedBytes(); n != int64(len(data))+21 {
		t.Fatalf("kept %d bytes", n)
	}
	msgs, _ := s.Messages(a.ID)
	got := msgs[0].Attachments
	if len(got) != 2 || got[0].Name != "photo.png" || got[0].Width != 800 || got[0].Data != nil || string(got[0].Thumb) != "thumb" || got[1].Text != "the zanzibar protocol" {
		t.Fatalf("%+v", got)
	}
	if raw, err := got[0].Bytes(); err != nil || !bytes.Equal(raw, data) {
		t.Fatalf("bytes: %d %v", len(raw), err)
	}
	if hits, _ := s.Search("zanzibar", 10); len(hits) != 1 || hits[0].ConversationID != a.ID || !strings.Contains(hits[0].Snippet, "zanzibar") {
		t.Fatalf("search by a text file's text: %+v", hits)
	}
	if hits, _ := s.Search("photo", 10); len(hits) != 2 || !strings.Contains(hits[0].Snippet, "📎 "+MarkStart+"photo") {
		t.Fatalf("search by a file's name: %+v", hits)
	}
	s.Delete(a.ID)
	if n, _ := s.AttachedBytes(); n != int64(len(data)) {
		t.Fatalf("after deleting one: %d bytes", n)
	}
	s.Delete(b.ID)
	if n, _ := s.AttachedBytes(); n != 0 {
		t.Fatalf("after deleting both: %d bytes", n)
	}
	// A file whose bytes are nowhere is refused, and the question with it is not saved.
	c, _ := s.CreateConversation(Conversation{Title: "c"})
	_, err := s.Append(Message{ConversationID: c.ID, Role: chat.User, Content: "x", Attachments: []Attachment{photo("h-gone", nil)}})
	if msgs, _ := s.Messages(c.ID); err == nil || !strings.Contains(err.Error(), "no content") || len(msgs) != 0 {
		t.Fatalf("%v, %d messages", err, len(msgs))
	}
}
