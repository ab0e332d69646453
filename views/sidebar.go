package views

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat/markdown"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/widgets"
)

// sidebar lists the conversations, newest first in groups (pinned, today, yesterday, the week,
// older), and searches every message as the user types.
type sidebar struct {
	m       *Main
	search  *escEntry
	list    *sideList
	rows    []sideRow
	content fyne.CanvasObject
	typing  *bridge.Debounce // a search waits for the user to stop typing
	query   int              // the newest listing asked for; older ones are dropped
	limit   int
	current int64 // the conversation the pane shows, drawn in bold
}

// sideRow is one line of the sidebar: a group heading, a conversation, or a search hit.
type sideRow struct {
	heading string
	conv    store.Conversation
	hit     *store.Hit
	more    bool // "show older conversations"
}

const sidebarPage = 300

func newSidebar(m *Main) *sidebar {
	s := &sidebar{m: m, limit: sidebarPage, typing: bridge.NewDebounce(150*time.Millisecond, nil)}
	s.search = newEscEntry(false)
	s.search.onEscape = func() { s.search.SetText("") } // Esc clears the search
	s.search.onShortcut = m.altShortcut
	s.search.SetPlaceHolder("Search conversations (Ctrl+F)")
	s.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.search.OnChanged = func(string) { s.reload() }
	s.search.OnSubmitted = func(string) {
		for _, r := range s.rows {
			if r.hit != nil {
				s.activate(r)
				return
			}
		}
	}
	s.list = &sideList{m: m}
	s.list.Length = func() int { return len(s.rows) }
	s.list.CreateItem = func() fyne.CanvasObject { return newSideItem(s) }
	s.list.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) { o.(*sideItem).bind(s.rows[i]) }
	s.list.ExtendBaseWidget(s.list)
	s.list.OnSelected = func(i widget.ListItemID) { // Enter or Space on the keyboard
		s.list.UnselectAll()
		if i >= 0 && i < len(s.rows) {
			s.activate(s.rows[i])
		}
	}
	newChat := &widget.Button{Text: "New chat", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: m.NewChat}
	s.content = container.NewBorder(container.NewVBox(newChat, s.search), nil, nil, nil, s.list)
	return s
}

func (s *sidebar) focusSearch() {
	s.m.ShowConversation()
	s.m.Window.Canvas().Focus(s.search)
}

// reload lists the conversations (or the search's hits) again, off the UI goroutine.
func (s *sidebar) reload() {
	s.query++
	id := s.query
	q := strings.TrimSpace(s.search.Text)
	limit := s.limit
	list := func() {
		st, err := s.m.svc.History()
		var rows []sideRow
		if err == nil {
			rows, err = s.load(st, q, limit)
		}
		bridge.Do(func() {
			if id != s.query {
				return
			}
			if err != nil {
				rows = []sideRow{{heading: "History unavailable: " + plain(err)}}
			}
			s.rows = rows
			s.list.Refresh()
		})
	}
	if q == "" {
		s.typing.Cancel()
		bridge.Go(list)
		return
	}
	s.typing.Call(func(func() bool) { bridge.Go(list) })
}

// setCurrent marks the conversation the pane shows.
func (s *sidebar) setCurrent(id int64) {
	if s.current != id {
		s.current = id
		s.list.Refresh()
	}
}

func (s *sidebar) load(st *store.Store, q string, limit int) ([]sideRow, error) {
	var rows []sideRow
	if q != "" {
		hits, err := st.Search(q, 100)
		if err != nil {
			return nil, err
		}
		hits = store.ByConversation(hits) // a conversation once, at the message found
		if len(hits) == 0 {
			return []sideRow{{heading: "Nothing found"}}, nil
		}
		rows = append(rows, sideRow{heading: "Conversations matching “" + q + "”"})
		for i := range hits {
			rows = append(rows, sideRow{hit: &hits[i]})
		}
		return rows, nil
	}
	convs, err := st.Conversations(limit+1, 0)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	group := store.Group("")
	for i, c := range convs {
		if i == limit {
			rows = append(rows, sideRow{more: true})
			break
		}
		if g := store.GroupOf(c, now); g != group {
			group = g
			rows = append(rows, sideRow{heading: string(g)})
		}
		rows = append(rows, sideRow{conv: c})
	}
	return rows, nil
}

// menu offers what can be done to a conversation.
func (s *sidebar) menu(c store.Conversation, at fyne.Position) {
	pin := "Pin"
	if c.Pinned {
		pin = "Unpin"
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Open", func() { s.m.Open(c.ID) }),
		fyne.NewMenuItem("Rename…", func() { s.rename(c) }),
		fyne.NewMenuItem(pin, func() { s.setPinned(c, !c.Pinned) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Export as Markdown…", func() { s.m.exportConversation(c, false) }),
		fyne.NewMenuItem("Export with All Versions…", func() { s.m.exportConversation(c, true) }),
		fyne.NewMenuItem("Copy as Markdown", func() { s.copy(c) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Delete…", func() { s.delete(c) }),
	)
	widget.ShowPopUpMenuAtPosition(menu, s.m.Window.Canvas(), at)
}

func (s *sidebar) rename(c store.Conversation) {
	s.m.askText("Rename conversation", "Title", c.Title, "", "Rename", func(text string) {
		title := strings.TrimSpace(text)
		if title == "" || title == c.Title {
			return
		}
		c.Title = title
		s.change(func(st *store.Store) error { return st.Rename(c.ID, title) }, func() { s.m.conversation.changed(c) })
	})
}

func (s *sidebar) setPinned(c store.Conversation, pinned bool) {
	c.Pinned = pinned
	s.change(func(st *store.Store) error { return st.SetPinned(c.ID, pinned) }, func() { s.m.conversation.changed(c) })
}

func (s *sidebar) copy(c store.Conversation) {
	type read struct {
		text string
		err  error
	}
	bridge.Work(func() read {
		st, err := s.m.svc.History()
		var msgs []store.Message
		if err == nil {
			msgs, err = st.Messages(c.ID)
		}
		return read{markdown.Clipboard(c, msgs), err}
	}, func(r read) {
		if r.err != nil {
			s.m.showError("The conversation could not be copied", r.err)
			return
		}
		s.m.copyText(r.text)
		s.m.notify("Conversation copied as Markdown")
	})
}

func (s *sidebar) delete(c store.Conversation) {
	s.m.confirm("Delete conversation", "Delete “"+c.Title+"” and all its messages? This cannot be undone.", "Delete conversation", true, func() {
		s.change(func(st *store.Store) error { return st.Delete(c.ID) }, func() {
			s.m.conversation.deleted(c.ID)
			s.m.notify("Deleted “" + c.Title + "”")
		})
	})
}

// change runs a change to the history off the UI goroutine, then after() and a reload.
func (s *sidebar) change(do func(*store.Store) error, after func()) {
	bridge.Work(func() error {
		st, err := s.m.svc.History()
		if err == nil {
			err = do(st)
		}
		return err
	}, func(err error) {
		if err != nil {
			s.m.showError("The history could not be changed", err)
			return
		}
		after()
		s.reload()
	})
}

// sideItem is one sidebar line. A tap opens it; a right-click (or long press) offers its menu.
type sideItem struct {
	widget.BaseWidget
	s          *sidebar
	row        sideRow
	title      *widget.RichText
	sub        *widget.RichText
	pin, quick *widget.Icon // markers before the title: pinned, asked in Quick Ask
	markers    *fyne.Container
	line       *fyne.Container // the markers and the title
	box        *fyne.Container // that line over the second
}

func newSideItem(s *sidebar) *sideItem {
	it := &sideItem{s: s, title: widget.NewRichText(), sub: widget.NewRichText(),
		pin: widget.NewIcon(widgets.PinIcon), quick: widget.NewIcon(widgets.QuickIcon)}
	it.title.Truncation = fyne.TextTruncateEllipsis
	it.sub.Truncation = fyne.TextTruncateEllipsis
	it.markers = container.NewHBox(it.pin, it.quick)
	it.line = container.NewBorder(nil, nil, it.markers, nil, it.title)
	it.box = container.New(&widgets.Stack{Gap: -8}, it.line, it.sub)
	it.ExtendBaseWidget(it)
	return it
}

func (it *sideItem) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(it.box) }

// bind shows a row. Every row has two lines, so the list needs no per-row heights: a group
// heading sits on the lower one, with space above it.
func (it *sideItem) bind(r sideRow) {
	it.row = r
	it.sub.Segments = nil
	it.pin.Hidden, it.quick.Hidden = true, true
	switch {
	case r.heading != "":
		it.title.Segments = nil
		it.sub.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: strings.ToUpper(r.heading), Style: smallStyle(widgets.ColorMuted, true)}}
	case r.more:
		it.title.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "Show older conversations…", Style: widget.RichTextStyle{ColorName: theme.ColorNamePrimary}}}
	case r.hit != nil:
		it.title.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: r.hit.Title, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}}}
		it.sub.Segments = snippetSegments(r.hit.Snippet)
	default:
		title := r.conv.Title
		it.pin.Hidden, it.quick.Hidden = !r.conv.Pinned, !r.conv.Quick
		style := widget.RichTextStyleInline
		if r.conv.ID == it.s.current {
			style.TextStyle.Bold = true
		}
		it.title.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: title, Style: style}}
		sub := when(r.conv.Updated)
		if r.conv.Model != "" { // an imported conversation may not say
			sub = r.conv.Model + " · " + sub
		}
		it.sub.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: sub, Style: smallStyle(widgets.ColorMuted, false)}}
	}
	it.markers.Hidden = it.pin.Hidden && it.quick.Hidden
	it.title.Refresh()
	it.sub.Refresh()
	it.markers.Refresh()
	// Laid out again for the markers shown and the lines' heights, without the box's Refresh:
	// that refreshes every child, and a text's refresh shapes it again (it doubled the time a
	// search's hits took to show, on the UI goroutine).
	for _, c := range []*fyne.Container{it.line, it.box} {
		c.Layout.Layout(c.Objects, c.Size())
	}
}

// snippetSegments shows a search snippet with its matches highlighted.
func snippetSegments(snippet string) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	plainStyle := smallStyle(widgets.ColorMuted, false)
	markStyle := smallStyle(widgets.ColorSearchMark, true)
	for snippet != "" {
		start := strings.Index(snippet, store.MarkStart)
		if start < 0 {
			segs = append(segs, &widget.TextSegment{Text: snippet, Style: plainStyle})
			break
		}
		if start > 0 {
			segs = append(segs, &widget.TextSegment{Text: snippet[:start], Style: plainStyle})
		}
		rest := snippet[start+len(store.MarkStart):]
		end := strings.Index(rest, store.MarkEnd)
		if end < 0 {
			end = len(rest)
		}
		segs = append(segs, &widget.TextSegment{Text: rest[:end], Style: markStyle})
		snippet = strings.TrimPrefix(rest[end:], store.MarkEnd)
	}
	for _, s := range segs {
		s.(*widget.TextSegment).Style.Inline = true
	}
	return segs
}

func (it *sideItem) Tapped(*fyne.PointEvent) { it.s.activate(it.row) }

// activate opens what a row stands for.
func (s *sidebar) activate(r sideRow) {
	switch {
	case r.more:
		s.limit += sidebarPage
		s.reload()
	case r.hit != nil:
		s.m.openFound(r.hit.ConversationID, r.hit.MessageID, store.QueryWords(s.search.Text))
	case r.heading == "":
		s.m.Open(r.conv.ID)
	}
}

// sideList is the conversations list: arrows move, Enter (or Space) opens, Esc goes back to the
// message box. Fyne's list takes only Space.
type sideList struct {
	widget.List
	m *Main
}

func (l *sideList) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	case fyne.KeyEscape:
		l.m.conversation.focus()
	default:
		if !l.m.windowKey(k) {
			l.List.TypedKey(k)
		}
	}
}

// focusList puts the keyboard in the list: arrows move, Enter opens.
func (s *sidebar) focusList() {
	s.m.ShowConversation()
	s.m.Window.Canvas().Focus(s.list)
}

func (it *sideItem) TappedSecondary(e *fyne.PointEvent) {
	if r := it.row; r.heading == "" && !r.more && r.hit == nil {
		it.s.menu(r.conv, e.AbsolutePosition)
	}
}

// when writes a time the way a sidebar does: the hour today, the weekday this week, else the date.
func when(t time.Time) string {
	now := time.Now()
	t = t.Local()
	switch {
	case now.Sub(t) < 20*time.Hour && t.Day() == now.Day():
		return t.Format("15:04")
	case now.Sub(t) < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}
