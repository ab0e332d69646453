package views

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/markdown"
	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/widgets"
)

// What a message's buttons do (rowActions), and the conversation's own actions.

func (v *conversationView) isBusy() bool { return v.busy }

func (v *conversationView) isLastAnswer(it *item) bool {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Role == chat.Assistant {
			return v.items[i] == it
		}
	}
	return false
}

func (v *conversationView) copyText(text string) { v.m.copyText(text) }

// links is what an answer's controls do; a code block passes the vertical wheel to the page.
func (v *conversationView) links() widgets.Actions {
	a := v.m.links()
	a.Scroll = v.list.Wheel
	return a
}

func (v *conversationView) copyMessage(it *item, asMarkdown bool) {
	if asMarkdown {
		v.copyText(it.msg.Content)
	} else {
		v.copyText(widgets.PlainText(it.msg.Content))
	}
	v.m.notify("Copied to the clipboard")
}

// copyLastAnswer copies the newest answer as Markdown (Ctrl+Shift+C).
func (v *conversationView) copyLastAnswer() {
	for i := len(v.items) - 1; i >= 0; i-- {
		if it := v.items[i]; it.msg.Role == chat.Assistant && it.msg.Content != "" {
			v.copyMessage(it, true)
			return
		}
	}
	v.m.notify("There is no answer to copy yet")
}

// copyConversation copies the whole conversation as Markdown.
func (v *conversationView) copyConversation() {
	var msgs []store.Message
	for _, it := range v.items {
		if it.msg.Content != "" {
			msgs = append(msgs, it.msg)
		}
	}
	if len(msgs) == 0 {
		v.m.notify("There is nothing to copy yet")
		return
	}
	title := v.conv.Title
	if title == "" {
		title = "Conversation"
	}
	v.copyText(markdown.Clipboard(store.Conversation{Title: title}, msgs))
	v.m.notify("Conversation copied as Markdown")
}

// regenerate asks the last question again: the new answer is a version beside the last one,
// which stays (‹ › switch between them).
func (v *conversationView) regenerate() {
	if v.busy {
		return
	}
	for i := len(v.items) - 1; i >= 0; i-- {
		if old := v.items[i]; old.msg.Role == chat.Assistant {
			v.items = v.items[:i]
			v.list.Reload()
			v.ask(false)
			v.newVersionOf(old)
			return
		}
	}
}

// retry asks again after a failure: the failed answer goes, the question stays.
func (v *conversationView) retry() {
	if v.busy {
		return
	}
	if n := len(v.items); n > 0 && v.items[n-1].failure != nil {
		v.items = v.items[:n-1]
	}
	if n := len(v.items); n > 0 && v.items[n-1].msg.Role == chat.User {
		v.ask(false)
	}
}

func (v *conversationView) lastQuestion() *item {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Role == chat.User {
			return v.items[i]
		}
	}
	return nil
}

// continueAnswer asks the model to finish the last answer, stopped or interrupted.
func (v *conversationView) continueAnswer(it *item) {
	if v.busy || it.msg.ID == 0 || len(v.items) == 0 || v.items[len(v.items)-1] != it {
		return
	}
	v.ask(true)
}

// editMessage lets the user change an earlier question and send it again, as a new version of
// it: the old one and what followed it stay a click away.
func (v *conversationView) editMessage(it *item) {
	if v.busy {
		return
	}
	index := slices.Index(v.items, it)
	if index < 0 {
		return
	}
	entry := newEscEntry(true)
	entry.SetText(it.msg.Content)
	entry.SetMinRowsVisible(6)
	note := "Sent as a new version of this question; this one and what followed it stay (‹ › under the question). Ctrl+Enter resends, Esc cancels."
	d := dialog.NewCustomConfirm("Edit and resend", "Resend", "Cancel",
		container.NewBorder(nil, widget.NewLabel(note), nil, nil, entry), func(ok bool) {
			text := strings.TrimSpace(entry.Text)
			if !ok || text == "" {
				return
			}
			old := it.msg.Content
			v.withBytes(it.msg.Attachments, func(files []store.Attachment) {
				v.resend(index, old, text, files)
			})
		}, v.m.Window)
	d.Resize(fyne.NewSize(560, 360))
	entry.onEscape, entry.onConfirm = d.Hide, d.Confirm
	v.m.present(d, entry, d.Confirm)
}

// resend asks text and its files as a new version of the question at index.
func (v *conversationView) resend(index int, old, text string, files []store.Attachment) {
	if v.busy || index >= len(v.items) {
		return
	}
	was := v.items[index]
	if index == 0 { // the first question: a title made from it follows it
		if title := store.Retitled(v.conv.Title, old, text); title != v.conv.Title {
			v.conv.Title = title
			v.shown()
			v.save()
		}
	}
	v.items = append(v.items[:index], &item{msg: store.Message{Role: chat.User, Content: text, Attachments: files, Created: time.Now(),
		Version: max(was.msg.Versions, 1) + 1, Versions: max(was.msg.Versions, 1) + 1}})
	v.list.Reload()
	v.ask(false)
}

// withBytes reads the bytes of files kept in the history, off the UI goroutine, so that a
// question sent again keeps them even when the history lets the old copy go.
func (v *conversationView) withBytes(files []store.Attachment, then func([]store.Attachment)) {
	if len(files) == 0 {
		then(nil)
		return
	}
	type read struct {
		files []store.Attachment
		err   error
	}
	bridge.Work(func() (r read) {
		for _, f := range files {
			data, err := f.Bytes()
			if err != nil {
				r.err = err
				return
			}
			f.Data = data
			r.files = append(r.files, f)
		}
		return r
	}, func(r read) {
		if r.err != nil {
			v.m.showError("The question's files could not be read", r.err)
			return
		}
		then(r.files)
	})
}

func (v *conversationView) openSettings() { v.m.ShowSettings() }

// toggleThinking shows or folds an answer's thinking.
func (v *conversationView) toggleThinking(it *item) {
	it.thinkingOpen = !it.thinkingOpen
	v.repaint(it)
}

// lowerEffort asks the last question again one effort lower: for an answer that spent its
// whole budget thinking.
func (v *conversationView) lowerEffort() {
	m := settings.LookupModel(v.model())
	current, _ := v.effort()
	i := slices.Index(m.Efforts, current)
	if i <= 0 {
		v.m.notify("This is the model's lowest effort: raise the output limit in Settings instead")
		return
	}
	v.setReasoning(m.Efforts[i-1], false)
	v.m.notify("Effort lowered to " + m.Efforts[i-1])
	v.regenerate()
}

// --- toolbar ------------------------------------------------------------------------------

func (v *conversationView) pickModel() {
	v.m.pickModel(v.model(), func(id string) {
		v.conv.Model = id
		v.modelChanged()
		v.refreshToolbar()
		v.countLater()
		v.save()
	})
}

func (v *conversationView) editSystemPrompt() {
	entry := newEscEntry(true)
	entry.SetText(v.system())
	entry.SetPlaceHolder("How the assistant should behave in this conversation, e.g. “Answer briefly, in British English.”")
	entry.SetMinRowsVisible(8)
	d := dialog.NewCustomConfirm("System prompt for this conversation", "Save", "Cancel", entry, func(ok bool) {
		if !ok {
			return
		}
		v.conv.SystemPrompt = strings.TrimSpace(entry.Text)
		v.refreshToolbar()
		v.countLater()
		v.save()
	}, v.m.Window)
	d.Resize(fyne.NewSize(600, 380))
	entry.onEscape, entry.onConfirm = d.Hide, d.Confirm
	v.m.present(d, entry, d.Confirm)
}

// save stores the conversation's model and system prompt, once it is in the history.
func (v *conversationView) save() {
	if v.conv.ID == 0 {
		return
	}
	c := v.conv
	bridge.Work(func() error {
		st, err := v.m.svc.History()
		if err == nil {
			err = st.UpdateConversation(c)
		}
		return err
	}, func(err error) {
		if err != nil {
			v.m.showError("The conversation could not be saved", err)
			return
		}
		v.m.sidebar.reload()
	})
}
