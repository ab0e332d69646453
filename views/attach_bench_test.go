package views

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/attach"
	"parley/chat/chattest"
	"parley/chat/store"
)

// noisePNG is an image that does not compress: about bytes large as a PNG.
func noisePNG(tb testing.TB, bytesWanted int) []byte {
	side := 1
	for side*side*4 < bytesWanted {
		side += 16
	}
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// BenchmarkKeystrokeWhileAttaching20MB types into the message box while a 20 MB image is read,
// hashed, decoded and thumbnailed: all of it off the UI goroutine.
func BenchmarkKeystrokeWhileAttaching20MB(b *testing.B) {
	m, _, _ := newTestMain(b, chattest.Options{})
	v := m.conversation
	path := writeFile(b, b.TempDir(), "photo.png", noisePNG(b, 20<<20))
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		v.composer.clear()
		v.attachPaths([]string{path})
		for i := 0; v.composer.reading > 0; i++ {
			times = append(times, timedKeystroke(v, i, 5*time.Millisecond))
		}
	}
	b.StopTimer()
	if len(v.composer.files) != 1 {
		b.Fatalf("attached %d files", len(v.composer.files))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(len(times))/float64(b.N), "keystrokes")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkScrollFiftyThumbnails scrolls a conversation of 50 questions, each with an image's
// thumbnail, top to bottom a screen a frame.
func BenchmarkScrollFiftyThumbnails(b *testing.B) {
	m, _, hist := newTestMain(b, chattest.Options{})
	v := m.conversation
	var msgs []store.Message
	for i := range 50 {
		f, err := attach.FromBytes(fmt.Sprintf("shot-%02d.png", i), noisePNG(b, 200<<10+i))
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, store.Message{Role: chat.User, Content: fmt.Sprintf("What is in screenshot %d?", i), Attachments: []store.Attachment{f.Stored("")}},
			store.Message{Role: chat.Assistant, Model: "gpt-4o", Finish: chat.FinishStop, Content: "A screenshot of noise, mostly.\n\nNothing else in it."})
	}
	c, err := hist.Import(store.Conversation{Title: "Fifty screenshots", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, msgs)
	if err != nil {
		b.Fatal(err)
	}
	m.Open(c.ID)
	settleUntil(b, 10*time.Second, func() bool { return len(v.items) == 100 })
	tr := v.list
	var frames []time.Duration
	b.ResetTimer()
	for range b.N {
		tr.ScrollTo(0)
		for !tr.AtBottom() {
			begin := time.Now()
			tr.ScrollBy(tr.PageHeight())
			frames = append(frames, time.Since(begin))
		}
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	b.ReportMetric(float64(frames[len(frames)/2].Microseconds())/1000, "p50-ms/frame")
	b.ReportMetric(float64(frames[len(frames)*99/100].Microseconds())/1000, "p99-ms/frame")
	b.ReportMetric(float64(len(frames))/float64(b.N), "frames")
}
