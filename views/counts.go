package views

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// countLater recounts the request being typed, off the UI goroutine, once the keystrokes settle:
// a keystroke costs nothing, and typing never waits for the tokenizer, even in a conversation of
// 100,000 tokens (whose counts are cached). It counts the very request sending would build.
func (v *conversationView) countLater() {
	if len(v.items) == 0 && v.composer.empty() {
		// Nothing to count yet: the tokenizer (tens of megabytes) loads on the first keystroke.
		v.counting.Cancel()
		v.counts.Segments, v.warning.Segments = nil, nil
		v.counts.Refresh()
		v.warning.Refresh()
		return
	}
	v.counting.Call(func(latest func() bool) {
		bridge.Do(func() {
			if latest() {
				v.count(latest)
			}
		})
	})
}

// count takes the request as it stands (on the UI goroutine), counts it in the background and
// shows the counts, unless newer ones were asked for meanwhile.
func (v *conversationView) count(latest func() bool) {
	draft := v.composer.message()
	x := v.exchange(false)
	x.Messages = append(x.Messages, store.Message{Role: chat.User, Content: draft, Attachments: v.composer.files})
	req := ask.Request(x)
	client, _ := v.m.client()
	reading := v.m.svc.Meter.Reading(v.m.profile(), req.Model)
	bridge.Go(func() {
		fit, err := client.Fit(req)
		model := client.Model(req.Model)
		bridge.Do(func() {
			if latest() {
				v.showCounts(draft, model, fit, err, reading, false)
			}
		})
		if err != nil || client.API() != chat.APIResponses || !latest() || uploadBytes(req) > exactCountUpload {
			return // Parley's own count is all there is: an estimate
		}
		// The server's exact count of this very request, once; the local one stands meanwhile,
		// and stays when the server cannot be asked.
		exact, ok := v.m.exactCounts.get(req)
		if !ok {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			n, cerr := client.CountExact(ctx, req)
			cancel()
			if cerr != nil {
				return
			}
			exact = n
			v.m.exactCounts.put(req, n)
		}
		counted := fit // a copy: the estimate's repaint may still be reading fit
		counted.PromptTokens = exact
		bridge.Do(func() {
			if latest() {
				v.showCounts(draft, model, counted, nil, reading, true)
			}
		})
	})
}

// exactCountUpload is the most file bytes the composer sends to have a request counted exactly:
// larger files would be uploaded again at every pause in typing, so their count is Parley's.
const exactCountUpload = 4 << 20

// uploadBytes is how many bytes of files a request carries.
func uploadBytes(req chat.Request) int64 {
	var n int64
	for _, m := range req.Messages {
		for _, a := range m.Attachments {
			if a.Kind != chat.AttachText {
				n += a.Size
			}
		}
	}
	return n
}

// exactCounts remembers the server's counts of recent requests, by their shape: typing back
// and forth, or reopening a conversation, asks nothing again.
type exactCounts struct {
	mu   sync.Mutex
	keys []string
	n    map[string]int
}

func requestKey(req chat.Request) string {
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return string(sum[:])
}

func (c *exactCounts) get(req chat.Request) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.n[requestKey(req)]
	return n, ok
}

func (c *exactCounts) put(req chat.Request, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	k := requestKey(req)
	if _, ok := c.n[k]; !ok {
		c.keys = append(c.keys, k)
	}
	c.n[k] = n
	for len(c.keys) > 64 {
		delete(c.n, c.keys[0])
		c.keys = c.keys[1:]
	}
}

// forgetCounts drops the counts still being made: nothing is shown after Parley shuts down.
func (v *conversationView) forgetCounts() { v.counting.Cancel() }

// showCounts writes the counts under the composer: this message, the whole request against the
// context window, the cost of sending, and warnings.
func (v *conversationView) showCounts(draft string, model chat.ModelInfo, fit chat.Fit, err error, reading settings.Reading, exact bool) {
	v.shownFor = draft
	muted := smallStyle(widgets.ColorMuted, false)
	message := 0
	if strings.TrimSpace(draft) != "" || len(v.composer.files) > 0 {
		message = fit.LastTokens
	}
	window := "unknown context window"
	if fit.Window > 0 {
		window = format.Thousands(fit.Window)
	}
	how := "estimate"
	if exact {
		how = "exact, from the server"
	}
	parts := []string{
		fmt.Sprintf("This message: %s tokens", format.Thousands(message)),
		fmt.Sprintf("Request: %s / %s (%s)", format.Thousands(fit.PromptTokens), window, how),
	}
	if model.Price.Known {
		cost := chat.CostOf(chat.Usage{PromptTokens: fit.PromptTokens}, model.Price)
		if c := format.Dollars(cost.USD); strings.HasPrefix(c, "<") {
			parts = append(parts, c+" to send")
		} else {
			parts = append(parts, "≈"+c+" to send")
		}
	} else {
		parts = append(parts, "price unknown")
	}
	v.counts.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: strings.Join(parts, "  ·  "), Style: muted}}
	v.counts.Refresh()

	var warns []string
	var ce *chat.Error
	switch {
	case errors.As(err, &ce) && ce.Kind == chat.ContextTooLong:
		warns = append(warns, ce.Message)
	case errors.As(err, &ce): // a file the model or the server cannot take: said before sending
		warns = append(warns, ce.Message+" "+ce.Action)
	case err != nil:
		warns = append(warns, "Could not count tokens: "+err.Error())
	}
	if fit.Dropped > 0 {
		warns = append(warns, fmt.Sprintf("%d older messages will be left out to fit the context window.", fit.Dropped))
	}
	if limit := reading.TPM.Limit; limit > 0 && float64(fit.PromptTokens) > limit {
		// No wait makes it fit: said once, before sending, with what to do.
		e := chat.TooLargeForLimit(fit.PromptTokens, int(limit), model.ID)
		warns = append(warns, e.Message+" "+e.Action)
	} else if left := limit - reading.TPM.Used; limit > 0 && float64(fit.PromptTokens) > left {
		warns = append(warns, fmt.Sprintf("This request (%s tokens) is more than the %s tokens per minute you have left: Parley will wait for the limit to refill.",
			format.Thousands(fit.PromptTokens), format.Thousands(int(max(left, 0)))))
	}
	v.warning.Segments = nil
	if len(warns) > 0 {
		v.warning.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: strings.Join(warns, "\n"), Style: smallStyle(widgets.ColorMeterWarn, true)}}
	}
	v.warning.Refresh()
}
