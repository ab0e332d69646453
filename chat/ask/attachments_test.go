package ask

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"parley/chat"
	"parley/chat/attach"
	"parley/chat/chattest"
	"parley/chat/store"
)

// A question with a file: sent, kept with the question, and sent again from the history when the
// answer is regenerated (the file's bytes read back from it).
func TestQuestionsWithFiles(t *testing.T) {
	r := newRig(t, chattest.Options{Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	r.client = chat.New(chat.Config{BaseURL: r.client.BaseURL(), APIKey: testKey, API: chat.APIResponses,
		Models: func(string) chat.ModelInfo {
			return chat.ModelInfo{Known: true, Vision: true, Files: true, ContextWindow: 1_050_000}
		}}, nil)
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 48)))
	f, err := attach.FromBytes("shot.png", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r.server.Reply("A blank screenshot.", "Still blank.")
	x := Exchange{Conversation: store.Conversation{Profile: "work", Model: "gpt-5.6-sol"},
		Messages: []store.Message{{Role: chat.User, Content: "What is this?", Attachments: []store.Attachment{f.Stored("low")}}}}
	_, done := r.ask(t, context.Background(), x)
	if done.Answer.Err != nil {
		t.Fatal(done.Answer.Err)
	}
	msgs, _ := r.hist.Messages(done.Conversation.ID)
	if len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Detail != "low" || msgs[0].Attachments[0].Data != nil {
		t.Fatalf("kept %+v", msgs[0].Attachments)
	}
	// Regenerate: the stored question, its file read from the history.
	_, again := r.ask(t, context.Background(), Exchange{Conversation: done.Conversation, Messages: msgs[:1]})
	if again.Answer.Err != nil {
		t.Fatal(again.Answer.Err)
	}
	for i, req := range r.server.Responses() {
		files := req.Attachments()
		if len(files) != 1 || !bytes.Equal(files[0].Data, b.Bytes()) || files[0].Detail != "low" {
			t.Fatalf("request %d sent %+v", i, files)
		}
	}
}
