package views

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// Background answers in the window: the toggle beside the effort (on for one question, or
// automatic from an effort the profile names), the "working in the background" line under an
// answer being made on OpenAI, answers left by an earlier Parley taken up at start, the tray's
// count, and a desktop notification when one is done while the window is hidden.

// backgroundNote says, once, what background mode does with the user's data.
const backgroundNote = "Background: made and kept on OpenAI (store: true) until Parley fetches it"

// autoBackground tells whether a profile asks in background mode at this model and effort: its
// BackgroundFrom effort, and every effort after it in the model's own order.
func autoBackground(p settings.Profile, model, effort string) bool {
	if p.BackgroundFrom == "" || effort == "" {
		return false
	}
	efforts := settings.LookupModel(model).Efforts
	from, at := slices.Index(efforts, p.BackgroundFrom), slices.Index(efforts, effort)
	return from >= 0 && at >= from
}

// background tells whether the next question goes in background mode, and whether by the
// profile's rule rather than the toggle.
func (v *conversationView) background() (on, auto bool) {
	client, _ := v.m.client()
	if !client.CanBackground() {
		return false, false
	}
	effort, _ := v.effort()
	auto = autoBackground(v.m.profile(), v.model(), effort)
	return v.backgroundOn || auto, auto && !v.backgroundOn
}

// refreshBackground shows the toggle where background mode exists, with its state.
func (v *conversationView) refreshBackground() {
	client, _ := v.m.client()
	if !client.CanBackground() {
		v.backgroundBtn.Hide()
		return
	}
	on, auto := v.background()
	v.backgroundBtn.Importance = widget.LowImportance
	if on {
		v.backgroundBtn.Importance = widget.MediumImportance
	}
	switch {
	case auto:
		v.backgroundBtn.SetText("Background (auto)")
	case on:
		v.backgroundBtn.SetText("Background ✓")
	default:
		v.backgroundBtn.SetText("Background")
	}
	v.backgroundBtn.Show()
}

// toggleBackground turns background mode on or off for the next question.
func (v *conversationView) toggleBackground() {
	v.backgroundOn = !v.backgroundOn
	if v.backgroundOn {
		v.m.notify(backgroundNote)
	}
	v.refreshBackground()
}

// sendInBackground sends the composer's question in background mode (Ctrl+Shift+Enter); with
// nothing typed, it turns background mode on for the next question.
func (v *conversationView) sendInBackground() {
	client, _ := v.m.client()
	if !client.CanBackground() {
		v.m.notify("Background mode needs the Responses API: Settings, API")
		return
	}
	if v.busy {
		v.m.notify("An answer is being written: Esc stops it, then send this")
		return
	}
	if !v.backgroundOn {
		v.toggleBackground()
	}
	v.send()
}

// backgroundLine is the line under an answer being made on OpenAI: for how long, and what
// Stop does.
func backgroundLine(it *item) fyne.CanvasObject {
	state := "Working in the background on OpenAI"
	if it.backgroundStatus == "queued" {
		state = "Queued on OpenAI"
	}
	text := fmt.Sprintf("%s · %s · it goes on if you close Parley; Stop cancels it", state, format.Duration(time.Since(it.backgroundSince)))
	return notice(theme.HistoryIcon(), text, widgets.ColorMuted)
}

// pendingNotice is shown under an answer still being made on OpenAI that this pane is not
// writing: one an earlier Parley left, being fetched. Cancel cancels it there.
func (r *messageRow) pendingNotice(it *item) fyne.CanvasObject {
	note := notice(theme.HistoryIcon(), "Being made in the background on OpenAI ("+it.msg.ResponseID+"): Parley saves it here when it is done.", widgets.ColorMuted)
	cancel := lowButton("Cancel", theme.CancelIcon(), func() { r.actions.cancelBackground(it) })
	return container.NewBorder(nil, nil, nil, cancel, note)
}

// pending tells an answer being made on OpenAI that no pane writes.
func pending(it *item) bool {
	return !it.streaming && it.msg.ResponseID != "" && (it.msg.Finish == chat.FinishBackground || it.msg.Finish == store.Streaming)
}

// cancelBackground cancels an answer being made on OpenAI: through the run that follows it
// here, or on OpenAI directly (whoever follows it then finds it cancelled).
func (v *conversationView) cancelBackground(it *item) {
	if v.m.backgrounds.cancel(it.msg.ID) {
		return
	}
	client, _ := v.m.client()
	id := it.msg.ResponseID
	bridge.Work(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return client.CancelBackground(ctx, id)
	}, func(err error) {
		if err != nil {
			v.m.showError("The answer could not be cancelled", err)
			return
		}
		v.m.notify("Cancelled on OpenAI")
		v.m.followPending()
	})
}

// backgrounds are the background answers this window follows that no pane shows as they are
// written: taken up at start, or left when the user moved to another conversation.
type backgrounds struct {
	runs map[int64]backgroundRun // by message; read and written on the UI goroutine
	// writing counts the pane's own background answers, being written.
	writing int
}

type backgroundRun struct {
	run    *ask.Run
	cancel context.CancelFunc
}

// BackgroundCount is how many background answers the window follows or writes.
func (m *Main) BackgroundCount() int { return m.backgrounds.count() }

// count is how many background answers are under way.
func (b *backgrounds) count() int { return len(b.runs) + b.writing }

// cancel stops a followed answer (and so cancels it on OpenAI); false when none is followed.
func (b *backgrounds) cancel(message int64) bool {
	r, ok := b.runs[message]
	if ok {
		r.cancel()
	}
	return ok
}

// leaveAll stops following every answer, leaving them running on OpenAI (Parley quits).
func (b *backgrounds) leaveAll() {
	for _, r := range b.runs {
		r.run.Leave()
		r.cancel()
	}
}

// followPending takes up, off the UI goroutine, the background answers no Parley follows, and
// follows each until it is done.
func (m *Main) followPending() {
	if m.svc.FollowPending == nil {
		return
	}
	follow := m.svc.FollowPending
	go follow(context.Background(), func(msg store.Message, run *ask.Run, cancel context.CancelFunc) {
		bridge.Do(func() {
			if m.backgrounds.runs == nil {
				m.backgrounds.runs = map[int64]backgroundRun{}
			}
			m.backgrounds.runs[msg.ID] = backgroundRun{run, cancel}
			m.backgroundsChanged()
		})
		go func() {
			var f ask.Finished
			for e := range run.Events() {
				if e, ok := e.(ask.Finished); ok {
					f = e
				}
			}
			cancel()
			bridge.Do(func() {
				delete(m.backgrounds.runs, msg.ID)
				m.backgroundsChanged()
				m.backgroundDone(f)
			})
		}()
	})
}

// backgroundsChanged tells the tray how many background answers are under way.
func (m *Main) backgroundsChanged() {
	if m.OnBackground != nil {
		m.OnBackground(m.backgrounds.count())
	}
}

// backgroundDone follows an answer fetched in the background: the conversation shows it if it
// is open, the sidebar lists it, and a notification says so when the window is hidden.
func (m *Main) backgroundDone(f ask.Finished) {
	if !f.Saved || f.Answer.Finish == chat.FinishBackground {
		return // another Parley saved it, or it runs on
	}
	v := m.conversation
	if v.conv.ID == f.Conversation.ID && !v.busy {
		v.open(v.conv.ID, -1, nil)
	}
	m.sidebar.reload()
	m.usageChanged()
	m.conversation.status.refresh()
	m.tellDone(f)
}

// tellDone says, when the window is hidden, that a background answer is done.
func (m *Main) tellDone(f ask.Finished) {
	if !m.hidden {
		return
	}
	title := "An answer is ready"
	if f.Answer.Err != nil {
		title = "A background answer ended"
	}
	m.app.SendNotification(fyne.NewNotification(title, f.Conversation.Title))
}

// backgroundChoices are the profile's background rule, as the settings picker offers it.
func backgroundChoices() []struct{ from, label string } {
	return []struct{ from, label string }{
		{"", "Only when I turn it on"},
		{"high", "Automatically from high effort"},
		{"xhigh", "Automatically from xhigh effort"},
		{"max", "Automatically at max effort"},
	}
}

// backgroundSection is the settings field for the profile's background rule.
func (s *settingsView) backgroundSection() *widget.FormItem {
	var labels []string
	for _, c := range backgroundChoices() {
		labels = append(labels, c.label)
	}
	s.backgroundFrom = widget.NewSelect(labels, nil)
	note := widget.NewRichText()
	note.Wrapping = fyne.TextWrapWord
	setStatus(note, "A background answer is made on OpenAI and kept there until Parley fetches it (store: true): closing Parley, "+
		"a sleeping laptop or a lost network does not lose it. The Background button beside the effort turns it on for one question.", false)
	return widget.NewFormItem("Background mode", container.NewVBox(s.backgroundFrom, note))
}

func (s *settingsView) showBackground(p settings.Profile) {
	for _, c := range backgroundChoices() {
		if c.from == p.BackgroundFrom {
			s.backgroundFrom.SetSelected(c.label)
		}
	}
}

func (s *settingsView) chosenBackground() string {
	for _, c := range backgroundChoices() {
		if c.label == s.backgroundFrom.Selected {
			return c.from
		}
	}
	return ""
}
