// Command barestream is the floor for Parley's CPU while an answer streams: a bare Fyne window
// that, when Return is pressed, streams an answer from the server at OPENAI_BASE_URL with
// go-openai and appends each piece of text to one label as it arrives. The label does not wrap
// (wrapping in Fyne measures the whole text again on every change) and sits in a scroll that
// follows its end, as a chat would; it is the least a Fyne program can do to show the stream.
package main

import (
	"context"
	"errors"
	"io"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	openai "github.com/sashabaranov/go-openai"
)

func main() {
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
		go stream(func(text string) {
			fyne.Do(func() {
				label.SetText(label.Text + text)
				scroll.ScrollToBottom()
			})
		})
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
