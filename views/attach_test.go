package views

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
)

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func screenshotPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 180, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// Files dropped on the window become chips above the message box (what cannot be attached is
// said, and the typed text stays); they are counted with the question, sent with it, and shown in
// the transcript as cards.
func TestAttachingFilesInTheWindow(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{})
	v := m.conversation
	dir := t.TempDir()
	shot := writeFile(t, dir, "screenshot.png", screenshotPNG(1280, 800))
	notes := writeFile(t, dir, "notes.md", []byte("# Notes\n\nThe zanzibar bug is in the parser.\n"))
	fake := writeFile(t, dir, "chart.png", []byte("not,an,image\n"))
	test.Type(v.composer, "What do you see?")
	m.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(shot), storage.NewFileURI(notes), storage.NewFileURI(fake), storage.NewFileURI(dir)})
	settleUntil(t, 10*time.Second, func() bool { return v.composer.reading == 0 && len(v.composer.files) == 2 })
	markup := test.RenderToMarkup(m.Window.Canvas())
	for _, want := range []string{"screenshot.png · ", "1280×800", "notes.md", "chart.png", "its name says it is an image", "it is a folder"} {
		if !strings.Contains(markup, want) {
			t.Fatalf("the window lacks %q:\n%s", want, markup[strings.Index(markup, "Not attached"):min(len(markup), strings.Index(markup, "Not attached")+3000)])
		}
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // the dialog
	if v.composer.Text != "What do you see?" {
		t.Fatalf("the typed text is %q", v.composer.Text)
	}
	// The typed text may have been counted exactly (12 tokens) before the files were read; the
	// count with them follows. 1280×800 at auto on GPT-5.6: every patch, 40×25.
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(v.counts.String(), "exact, from the server") && v.countedPrompt() >= 1000
	})
	srv.Reply("A gradient, and notes about a parser bug.")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	files := srv.Responses()[0].Attachments()
	if len(files) != 1 || files[0].Width != 1280 || !strings.Contains(srv.Responses()[0].LastUser(), "The zanzibar bug") {
		t.Fatalf("sent %+v / %q", files, srv.Responses()[0].LastUser())
	}
	if len(v.composer.files) != 0 || len(v.items[0].msg.Attachments) != 2 {
		t.Fatal("the files did not move from the box to the question")
	}
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "screenshot.png") || !strings.Contains(markup, "1280×800") {
		t.Fatal("no file card in the transcript")
	}
	// Reopened from the history, the question still has its files.
	m.Open(v.conv.ID)
	settle(t, 2*time.Second)
	if len(v.items[0].msg.Attachments) != 2 || v.items[0].msg.Attachments[0].Data != nil {
		t.Fatalf("reopened: %+v", v.items[0].msg.Attachments)
	}
}

// Two hundred files dropped at once: the first fifty are attached, the rest said.
func TestTooManyFiles(t *testing.T) {
	m, _ := reasoningMain(t, chattest.Options{})
	dir := t.TempDir()
	var uris []fyne.URI
	for i := range 200 {
		uris = append(uris, storage.NewFileURI(writeFile(t, dir, fmt.Sprintf("f%03d.txt", i), []byte("text"))))
	}
	m.dropped(fyne.NewPos(0, 0), uris)
	settleUntil(t, 20*time.Second, func() bool { return m.conversation.composer.reading == 0 && len(m.conversation.composer.files) == 50 })
	if !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "150 files were left out: a question takes 50 at most") {
		t.Fatal("the files left out are not said")
	}
}

// countedPrompt is the request's count the composer shows.
func (v *conversationView) countedPrompt() int {
	var n int
	fmt.Sscanf(strings.ReplaceAll(strings.SplitN(strings.SplitN(v.counts.String(), "Request: ", 2)[1], " /", 2)[0], ",", ""), "%d", &n)
	return n
}

// A file dropped on Quick Ask goes with its question.
func TestFilesInQuickAsk(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{})
	m.ShowQuickAsk()
	q := m.quick
	q.attach([]fyne.URI{storage.NewFileURI(writeFile(t, t.TempDir(), "log.txt", []byte("panic: runtime error at main.go:12\n")))})
	settleUntil(t, 10*time.Second, func() bool { return q.entry.reading == 0 && len(q.entry.files) == 1 })
	srv.Reply("Index out of range.")
	test.Type(q.entry, "Why?")
	q.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return q.cancel == nil && len(srv.Responses()) == 1 })
	if sent := srv.Responses()[0].LastUser(); !strings.Contains(sent, "File: log.txt") || !strings.Contains(sent, "panic: runtime error") {
		t.Fatalf("sent %q", sent)
	}
}
