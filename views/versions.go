package views

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/widgets"
)

// Versions: a question edited and sent again, or an answer regenerated, is a new version beside
// the old one. "‹ 2 / 3 ›" under a message switches between them, and what follows switches
// with it; the conversation pane shows (and sends) one path through them.

// versionSwitch is the "‹ 2 / 3 ›" under a message with versions, and its delete button. A row
// keeps one for questions and one for answers.
type versionSwitch struct {
	box             *fyne.Container
	prev, next, del *widget.Button
	label           *widget.RichText
}

func newVersionSwitch(r *messageRow) *versionSwitch {
	s := &versionSwitch{label: widget.NewRichText(&widget.TextSegment{Style: smallStyle(widgets.ColorMuted, false)})}
	s.prev = lowButton("", theme.NavigateBackIcon(), func() { r.actions.switchVersion(r.it, -1) })
	s.next = lowButton("", theme.NavigateNextIcon(), func() { r.actions.switchVersion(r.it, +1) })
	s.del = lowButton("", theme.DeleteIcon(), func() { r.actions.deleteVersion(r.it) })
	s.box = container.NewHBox(s.prev, s.label, s.next, s.del)
	return s
}

// show fits the switch to a message; it hides when the message has one version.
func (s *versionSwitch) show(it *item, busy bool) fyne.CanvasObject {
	m := it.msg
	if m.Versions <= 1 || m.ID == 0 && !it.streaming {
		s.box.Hide()
		return s.box
	}
	s.box.Show()
	setText(s.label, fmt.Sprintf("%d / %d", m.Version, m.Versions))
	enable(s.prev, !busy && m.Version > 1)
	enable(s.next, !busy && m.Version < m.Versions)
	enable(s.del, !busy && m.ID != 0)
	return s.box
}

// newVersionOf numbers the answer just asked as the newest version beside old.
func (v *conversationView) newVersionOf(old *item) {
	if n := len(v.items); n > 0 && v.items[n-1].streaming {
		t := v.items[n-1]
		t.msg.Versions = max(old.msg.Versions, 1) + 1
		t.msg.Version = t.msg.Versions
	}
}

// switchVersion shows the version before (-1) or after (+1) a message's, and what follows it.
func (v *conversationView) switchVersion(it *item, delta int) {
	if v.busy || it == nil || it.msg.ID == 0 {
		return
	}
	id, conv := it.msg.ID, v.conv.ID
	v.reloadPath(func(st *store.Store) (int64, error) { return st.SwitchVersion(conv, id, delta) }, "The other version could not be shown")
}

// switchNewestVersion switches the last message on the path that has versions (Alt+← / Alt+→).
func (v *conversationView) switchNewestVersion(delta int) {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Versions > 1 {
			v.switchVersion(v.items[i], delta)
			return
		}
	}
	v.m.notify("No message here has another version: Edit a question or Regenerate an answer to make one")
}

// deleteVersion deletes a message's version and everything after it, after asking.
func (v *conversationView) deleteVersion(it *item) {
	if v.busy || it == nil || it.msg.ID == 0 {
		return
	}
	what := "answer"
	if it.msg.Role == "user" {
		what = "question"
	}
	text := fmt.Sprintf("Version %d of this %s, and every message that follows it on its branches, will be deleted for good. "+
		"The other %d versions stay.", it.msg.Version, what, it.msg.Versions-1)
	if it.msg.Versions == 2 {
		text = fmt.Sprintf("Version %d of this %s, and every message that follows it on its branches, will be deleted for good. "+
			"The other version stays.", it.msg.Version, what)
	}
	id, conv := it.msg.ID, v.conv.ID
	v.m.confirm("Delete this version?", text, "Delete", true, func() {
		v.reloadPath(func(st *store.Store) (int64, error) { return 0, st.DeleteVersion(conv, id) }, "The version could not be deleted")
	})
}

// reloadPath changes which branch the history shows (change returns the message to keep in
// view, 0 for none), then shows the path as it now is, keeping what each message still shown
// had unfolded.
func (v *conversationView) reloadPath(change func(*store.Store) (int64, error), failure string) {
	conv := v.conv.ID
	type reloaded struct {
		at   int64
		msgs []store.Message
		err  error
	}
	bridge.Work(func() (r reloaded) {
		st, err := v.m.svc.History()
		if err == nil {
			r.at, err = change(st)
		}
		if err == nil {
			r.msgs, err = st.PathFrom(conv, r.at) // what precedes it is unchanged
		}
		r.err = err
		return r
	}, func(r reloaded) {
		if r.err != nil {
			v.m.showError(failure, r.err)
			return
		}
		if v.conv.ID != conv || v.busy {
			return // the user moved on meanwhile
		}
		if r.at != 0 && len(r.msgs) > 0 && r.msgs[0].ID == r.at {
			if i := v.indexOf(r.msgs[0].Parent); i >= 0 || r.msgs[0].Parent == 0 {
				r.msgs = append(v.messagesTo(i), r.msgs...)
			}
		}
		// The version shown in place of the one clicked stays where it was on screen.
		if first := v.showPath(r.msgs); first != v.indexOf(r.at) {
			if i := v.indexOf(r.at); i >= 0 {
				v.list.ScrollTo(i)
			}
		}
		v.m.sidebar.reload()
	})
}

// messagesTo is the messages shown up to index i (none for -1).
func (v *conversationView) messagesTo(i int) []store.Message {
	out := make([]store.Message, 0, i+1)
	for _, it := range v.items[:i+1] {
		out = append(out, it.msg)
	}
	return out
}

// showPath shows msgs in place of the items, reusing the items of messages still shown, and
// returns the first item that changed.
func (v *conversationView) showPath(msgs []store.Message) int {
	old := make(map[int64]*item, len(v.items))
	for _, it := range v.items {
		old[it.msg.ID] = it
	}
	items := make([]*item, len(msgs))
	same := 0 // the items before this one are the same messages as before
	for i, m := range msgs {
		if it, ok := old[m.ID]; ok && m.ID != 0 {
			it.msg = m
			items[i] = it
		} else {
			items[i] = &item{msg: m}
		}
		if same == i && i < len(v.items) && v.items[i] == items[i] {
			same++
		}
	}
	v.items = items
	v.showEmpty()
	v.list.ReloadFrom(same)
	v.countLater()
	return same
}

// refreshVersions counts the versions again once an answer is saved (a regenerated answer, or
// an edited question, added one).
func (v *conversationView) refreshVersions() {
	conv := v.conv.ID
	if conv == 0 {
		return
	}
	bridge.Work(func() []store.Message {
		st, err := v.m.svc.History()
		if err != nil {
			return nil
		}
		msgs, _ := st.Messages(conv)
		return msgs
	}, func(msgs []store.Message) {
		if v.conv.ID != conv || v.busy || len(msgs) == 0 {
			return
		}
		byID := make(map[int64]store.Message, len(msgs))
		for _, m := range msgs {
			byID[m.ID] = m
		}
		changed := false
		for _, it := range v.items {
			if m, ok := byID[it.msg.ID]; ok && (m.Version != it.msg.Version || m.Versions != it.msg.Versions) {
				it.msg.Version, it.msg.Versions, changed = m.Version, m.Versions, true
			}
		}
		if changed {
			v.list.Reload()
		}
	})
}
