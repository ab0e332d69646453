package views

import (
	"errors"
	"fmt"
	"strings"

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
	x.Messages = append(x.Messages, store.Message{Role: chat.User, Content: draft})
	req := ask.Request(x)
	client, _ := v.m.client()
	reading := v.m.svc.Meter.Reading(v.m.profile(), req.Model)
	bridge.Go(func() {
		fit, err := client.Fit(req)
		model := client.Model(req.Model)
		bridge.Do(func() {
			if latest() {
				v.showCounts(draft, model, fit, err, reading)
			}
		})
	})
}

// forgetCounts drops the counts still being made: nothing is shown after Parley shuts down.
func (v *conversationView) forgetCounts() { v.counting.Cancel() }

// showCounts writes the counts under the composer: this message, the whole request against the
// context window, the cost of sending, and warnings.
func (v *conversationView) showCounts(draft string, model chat.ModelInfo, fit chat.Fit, err error, reading settings.Reading) {
	muted := smallStyle(widgets.ColorMuted, false)
	message := 0
	if strings.TrimSpace(draft) != "" {
		message = fit.LastTokens
	}
	window := "unknown context window"
	if fit.Window > 0 {
		window = format.Thousands(fit.Window)
	}
	parts := []string{
		fmt.Sprintf("This message: %s tokens", format.Thousands(message)),
		fmt.Sprintf("Request: %s / %s", format.Thousands(fit.PromptTokens), window),
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
