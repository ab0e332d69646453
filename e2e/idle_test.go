//go:build e2e

package e2e

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	"parley/chat/chattest"
)

// A window left alone stops painting: the caret blinks after a key and, 10 s after the last one,
// stays shown without blinking (so Fyne's loop can sleep); the next key makes it blink again.
func TestAnIdleWindowRests(t *testing.T) {
	h := newHome(t)
	_, url := server(t, chattest.Options{})
	launch(t, h, []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey})
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	typeText(t, id, "Hello")
	if n := distinctComposers(t, id, 8); n < 2 {
		t.Fatalf("the caret does not blink after a key: %d distinct frames of the message box", n)
	}
	time.Sleep(11 * time.Second)
	if n := distinctComposers(t, id, 6); n != 1 {
		t.Fatalf("10 s after the last key the message box still changes: %d distinct frames", n)
	}
	typeText(t, id, "!")
	if n := distinctComposers(t, id, 8); n < 2 {
		t.Fatalf("the caret does not blink again after the next key: %d distinct frames", n)
	}
}

// distinctComposers captures the window n times, about 150 ms apart, and counts the different
// pictures of the band that holds the message box (above the counts line, which may change as
// the count arrives).
func distinctComposers(t *testing.T, id string, n int) int {
	t.Helper()
	seen := map[string]bool{}
	for i := range n {
		path := screenshot(t, id, "idle-"+string(rune('a'+i)))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		band := image.Rect(b.Min.X, b.Max.Y-190, b.Max.X, b.Max.Y-112)
		var key bytes.Buffer
		for y := band.Min.Y; y < band.Max.Y; y++ {
			for x := band.Min.X; x < band.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				key.Write([]byte{byte(r >> 8), byte(g >> 8), byte(bl >> 8)})
			}
		}
		seen[key.String()] = true
		time.Sleep(150 * time.Millisecond) // screenshot waits 300 ms too: about 2 captures a second
	}
	return len(seen)
}
