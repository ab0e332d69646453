// Command barestream is the floor for Parley's CPU while an answer streams: a bare Fyne window
// that, when Return is pressed, streams an answer from the server at OPENAI_BASE_URL with
// go-openai and appends its text to one label, at most 30 times a second as Parley repaints
// (setting the label on each of 1,000 pieces a second costs more than a core in Fyne: that
// would be no floor). The label does not wrap (wrapping in Fyne measures the whole text again on
// every change) and sits in a scroll that follows its end, as a chat would: it is the least a
// Fyne program can do to show the stream.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	openai "github.com/sashabaranov/go-openai"
)

func main() {
	// Its own metadata, as Parley has: without it, Fyne (built without the release tag) looks for a
	// FyneApp.toml in the working folder when the binary is under /tmp, and would load Parley's
	// and its 512-pixel icon (1.8 MB more memory) when the repository is checked out there.
	app.SetMetadata(fyne.AppMetadata{ID: "app.parley.bench.barestream", Name: "Bare stream"})
	a := app.NewWithID("app.parley.bench.barestream")
	w := a.NewWindow("Bare stream")
	label := widget.NewLabel("")
	scroll := container.NewVScroll(label)
	w.SetContent(scroll)
	w.Resize(fyne.NewSize(1100, 760))
	started := false
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name != fyne.KeyReturn && k.Name != fyne.KeyEnter || started {
			return
		}
		started = true
		var mu sync.Mutex
		var pending strings.Builder
		done := make(chan struct{})
		go func() {
			stream(func(text string) {
				mu.Lock()
				pending.WriteString(text)
				mu.Unlock()
			})
			close(done)
		}()
		go func() {
			tick := time.NewTicker(time.Second / 30)
			defer tick.Stop()
			for finished := false; !finished; {
				select {
				case <-done:
					finished = true // show what came last, then stop
				case <-tick.C:
				}
				mu.Lock()
				text := pending.String()
				pending.Reset()
				mu.Unlock()
				if text != "" {
					fyne.Do(func() {
						label.SetText(label.Text + text)
						scroll.ScrollToBottom()
					})
				}
			}
		}()
	})
	w.ShowAndRun()
}

// stream asks for an answer and hands each piece of its text to show.
func stream(show func(string)) {
	cfg := openai.DefaultConfig(os.Getenv("OPENAI_API_KEY"))
	cfg.BaseURL = os.Getenv("OPENAI_BASE_URL")
	s, err := openai.NewClientWithConfig(cfg).CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Stream a long answer"}},
	})
	if err != nil {
		show("\n" + err.Error())
		return
	}
	defer s.Close()
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			show("\n" + err.Error())
			return
		}
		if len(chunk.Choices) > 0 {
			show(chunk.Choices[0].Delta.Content)
		}
	}
}
