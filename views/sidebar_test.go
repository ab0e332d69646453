package views

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// A sidebar row bound again (a search's hits, then the conversations back) lays out its markers
// anew: a pinned or Quick Ask conversation's title sits after its marker, a hit's and a plain
// conversation's at the row's start.
func TestSidebarRowsRebindWithTheirMarkers(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	for i, title := range []string{"Pinned talk about kernel memory", "Quick question on memory", "Plain one"} {
		c, err := hist.CreateConversation(store.Conversation{Title: title, Model: "gpt-4o", Pinned: i == 0, Quick: i == 1})
		if err != nil {
			t.Fatal(err)
		}
		hist.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "Some words before, then kernel memory pressure and a long tail of words after it"})
	}
	m.Window.Resize(fyne.NewSize(1100, 700))
	titleAt := func() map[string]float32 {
		at := map[string]float32{}
		for _, o := range test.LaidOutObjects(m.sidebar.list) {
			if it, ok := o.(*sideItem); ok && it.Visible() && len(it.title.Segments) > 0 {
				at[it.title.String()] = it.title.Position().X
			}
		}
		return at
	}
	check := func(when string, indented map[string]bool) {
		t.Helper()
		at := titleAt()
		for title, in := range indented {
			x, ok := at[title]
			if !ok || (x > 0) != in {
				t.Fatalf("%s: %q at x=%v (shown: %v), indented: %v", when, title, x, ok, in)
			}
		}
	}
	m.sidebar.reload()
	settleUntil(t, 5*time.Second, func() bool { return len(titleAt()) == 3 })
	markers := map[string]bool{"Pinned talk about kernel memory": true, "Quick question on memory": true, "Plain one": false}
	check("listed", markers)
	m.sidebar.search.SetText("memory")
	settleUntil(t, 5*time.Second, func() bool { return len(m.sidebar.rows) > 1 && m.sidebar.rows[1].hit != nil })
	check("found", map[string]bool{"Pinned talk about kernel memory": false, "Quick question on memory": false, "Plain one": false})
	m.sidebar.search.SetText("")
	settleUntil(t, 5*time.Second, func() bool { return len(m.sidebar.rows) > 1 && m.sidebar.rows[1].hit == nil })
	check("listed again", markers)
}
