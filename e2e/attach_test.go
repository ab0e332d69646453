//go:build e2e

package e2e

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

	"parley/chat/chattest"
)

// Files dropped on the real window (by XDND, as a file manager drops them) become chips above
// the message box, go with the question, and show as cards in the transcript and the history.
func TestDropFilesOnTheWindow(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	dir := filepath.Join(h.Config, "parley")
	os.MkdirAll(dir, 0o700)
	settings := fmt.Sprintf(`{"version":2,"current_profile":"work","profiles":[{"id":"work","name":"Work","base_url":%q,"model":"gpt-5.6-sol","tier":"tier1","api":"responses"}]}`, url)
	os.WriteFile(filepath.Join(dir, "settings.json"), []byte(settings), 0o600)
	if code, _, errOut := parley(t, h, nil, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	for y := range 800 {
		for x := range 1280 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), 200, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	shot := filepath.Join(h.Dir, "Screenshot from 2026-12-02.png")
	os.WriteFile(shot, b.Bytes(), 0o600)
	notes := filepath.Join(h.Dir, "build.log")
	os.WriteFile(notes, []byte("go build ./...\n./main.go:12:2: undefined: frobnicate\n"), 0o600)

	a := launch(t, h, nil)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	dropFiles(t, id, shot, notes)
	typeText(t, id, "What went wrong?")
	time.Sleep(1500 * time.Millisecond) // read, thumbnailed, counted
	screenshot(t, id, "attach-dropped")
	s.Reply("The build log says `frobnicate` is undefined; the screenshot is a gradient.")
	key(t, id, "Return")
	eventually(t, 15*time.Second, func() error {
		if l := history(t, h, nil); len(l) != 1 || l[0].Messages != 2 {
			return fmt.Errorf("history %+v", l)
		}
		return nil
	})
	sent := s.Responses()
	if len(sent) != 1 || len(sent[0].Attachments()) != 1 || sent[0].Attachments()[0].Width != 1280 || !strings.Contains(sent[0].LastUser(), "File: build.log") {
		t.Fatalf("sent %d requests: %+v", len(sent), sent)
	}
	time.Sleep(500 * time.Millisecond)
	screenshot(t, id, "attach-sent")
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
