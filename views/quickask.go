package views

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/attach"
	"parley/chat/store"
	"parley/views/widgets"
)

// quickAsk is the small window the tray (or `parley --quick`) opens: one question to the current
// profile's default model, its answer streamed below it. Quick asks are kept in the history,
// marked as such, and "Open in Parley" continues one in the main window.
type quickAsk struct {
	m        *Main
	win      fyne.Window
	entry    *composer
	answer   *fyne.Container
	scroll   *container.Scroll
	meta     *widget.RichText
	open     *widget.Button
	preset   *widget.Select // asks as a preset says, when one is chosen
	conv     store.Conversation
	question string
	cancel   context.CancelFunc
	md       widgets.MarkdownCache // the answer's rendered blocks, reused while it streams
	// OnClosed is told when the window goes away (the app may have nothing else on screen).
	onClosed func()
}

// ShowQuickAsk opens Quick Ask, or brings it forward when it is open already.
func (m *Main) ShowQuickAsk() {
	if m.quick == nil {
		m.quick = newQuickAsk(m)
	}
	q := m.quick
	if q.cancel == nil {
		q.fresh() // a new question each time, unless an answer is still being written
	}
	q.win.Show()
	q.win.RequestFocus()
	q.win.Canvas().Focus(q.entry)
}

// fresh clears the last exchange and says which model and profile a question goes to.
func (q *quickAsk) fresh() {
	q.conv, q.question = store.Conversation{}, ""
	q.md = widgets.MarkdownCache{}
	q.open.Disable()
	q.show("", nil)
	refreshQuickPresets(q.m, q.preset)
	q.describe()
}

// describe says which model and profile a question goes to, and with which preset.
func (q *quickAsk) describe() {
	p := q.m.profile()
	model, with := p.Model, ""
	if preset, ok := chosenPreset(q.m, q.preset); ok {
		model, with = withPreset(store.Conversation{Model: p.Model}, preset).Model, " · “"+preset.Name+"”"
	}
	q.setMeta("Asks " + model + with + " · " + profileLabel(p, q.m.svc.Keys))
}

// QuickAskClosed is called when the Quick Ask window closes.
func (m *Main) QuickAskClosed(f func()) {
	if m.quick == nil {
		m.quick = newQuickAsk(m)
	}
	m.quick.onClosed = f
}

func newQuickAsk(m *Main) *quickAsk {
	q := &quickAsk{m: m, win: m.app.NewWindow("Quick Ask")}
	q.entry = newComposer(q.ask, q.close)
	q.entry.view = func(i int) { m.showPaste(q.entry, i, q.win) }
	q.entry.SetPlaceHolder("Ask quickly… (Enter to ask, Esc to close)")
	q.entry.SetMinRowsVisible(2)
	q.answer = container.New(&widgets.Stack{Gap: theme.Padding()})
	q.scroll = container.NewVScroll(q.answer)
	q.meta = widget.NewRichText()
	q.open = &widget.Button{Text: "Open in Parley", Icon: theme.NavigateNextIcon(), OnTapped: q.openInParley}
	q.open.Disable()
	q.preset = quickPresets(m)
	q.preset.OnChanged = func(string) {
		if q.cancel == nil {
			q.describe()
		}
	}
	q.win.SetContent(container.NewBorder(q.entry.box, container.NewBorder(nil, nil, nil, container.NewHBox(q.preset, q.open), q.meta), nil, nil, q.scroll))
	q.win.Resize(fyne.NewSize(640, 440))
	q.win.CenterOnScreen()
	q.win.SetCloseIntercept(q.close)
	q.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { q.attach(uris) })
	q.entry.relayout = func() { q.win.Content().Refresh() }
	q.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			q.close()
		}
	})
	return q
}

// attach reads files dropped on Quick Ask into its box, saying there what could not be.
func (q *quickAsk) attach(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	q.entry.attach(paths, func(refused []string) {
		if len(refused) > 0 {
			q.show(strings.Join(refused, "\n"), nil)
		}
	}, func([]attach.File) {})
}

// close stops any answer and hides the window, keeping it for next time.
func (q *quickAsk) close() {
	q.stop()
	q.win.Hide()
	if q.onClosed != nil {
		q.onClosed()
	}
}

// ask sends the question to the current profile's default model, as a new quick conversation.
func (q *quickAsk) ask() {
	text, files := q.entry.message(), q.entry.files
	if q.cancel != nil || text == "" && len(files) == 0 || q.entry.reading > 0 {
		return
	}
	if !q.m.ready() {
		q.show("Parley needs an API key first: open Parley and paste one.", nil)
		return
	}
	p := q.m.profile()
	client, _ := q.m.client()
	x := ask.Exchange{
		Conversation: store.Conversation{Profile: p.ID, Model: p.Model, SystemPrompt: p.SystemPrompt, Quick: true},
		Messages:     []store.Message{{Role: chat.User, Content: text, Attachments: files}},
		Temperature:  p.Temperature, MaxOutput: p.MaxOutput,
	}
	if preset, ok := chosenPreset(q.m, q.preset); ok {
		x.Conversation = withPreset(x.Conversation, preset)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run, err := q.m.svc.Asker.Start(ctx, client, x)
	if err != nil {
		cancel()
		q.show(plain(err), nil)
		return
	}
	q.entry.clear()
	q.conv, q.question = store.Conversation{}, text
	q.md = widgets.MarkdownCache{}
	q.open.Disable()
	q.show("", nil)
	q.setMeta(x.Conversation.Model + " is writing…  (Esc to close)")
	q.cancel = cancel
	q.m.follow(run, q)
}

// stop stops the answer being written.
func (q *quickAsk) stop() {
	if q.cancel != nil {
		q.cancel()
	}
}

// links is what the answer's controls do; a code block passes the vertical wheel to the window.
func (q *quickAsk) links() widgets.Actions {
	a := q.m.links()
	a.Scroll = q.scroll.Scrolled
	return a
}

// Quick Ask shows its answer as it is written (answerView).

func (q *quickAsk) saved(s ask.Saved) {
	q.conv = s.Conversation
	q.m.sidebar.reload()
}

func (q *quickAsk) text(s, thinking string) {
	if s == "" && thinking != "" {
		q.show("", nil, notice(widgets.ThinkingIcon, "Thinking…", widgets.ColorMuted))
		return
	}
	q.show(s, nil)
}
func (q *quickAsk) wait(w chat.Wait) { q.show("", nil, waitNotice(&w)) }
func (q *quickAsk) limits()          {}

func (q *quickAsk) finished(f ask.Finished) {
	q.cancel = nil
	msg := f.Message
	switch {
	case f.Answer.Err != nil && msg.Content == "":
		q.show("", f.Answer.Err)
	case msg.Finish == chat.FinishInterrupted:
		q.show(msg.Content, nil, notice(theme.WarningIcon(), "Interrupted: "+msg.Error, widgets.ColorMuted))
	default:
		q.show(msg.Content, nil)
	}
	q.setMeta(answerMeta(msg))
	if q.conv.ID != 0 {
		q.open.Enable()
	}
	q.m.sidebar.reload()
}

// show puts the answer so far (or an error, or a notice) below the question.
func (q *quickAsk) show(text string, err *chat.Error, extra ...fyne.CanvasObject) {
	var objs []fyne.CanvasObject
	if q.question != "" {
		question := q.question
		if r := []rune(question); len(r) > 600 { // a large paste: its start is enough to recognise it
			question = string(r[:600]) + "… (" + size(len(q.question)) + ")"
		}
		asked := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Text: question, Style: widget.RichTextStyle{ColorName: widgets.ColorMuted, TextStyle: fyne.TextStyle{Italic: true}}}})
		objs = append(objs, asked)
	}
	objs = append(objs, extra...)
	if text != "" {
		shown := (&item{msg: store.Message{Content: text}})
		part, folded := shown.shown()
		if q.cancel != nil { // still being written
			objs = append(objs, q.md.RenderGrowing(part, q.links()))
		} else {
			objs = append(objs, q.md.Render(part, q.links()))
		}
		if folded {
			objs = append(objs, notice(theme.InfoIcon(), "A long answer: "+size(len(text))+". Open it in Parley to read it all.", widgets.ColorMuted))
		}
	}
	if err != nil {
		box := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Text: err.Message + " " + err.Action, Style: widget.RichTextStyle{ColorName: theme.ColorNameError}}})
		objs = append(objs, box)
	}
	q.answer.Objects = objs
	q.answer.Refresh()
	q.scroll.ScrollToBottom()
}

func (q *quickAsk) setMeta(s string) {
	q.meta.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: s, Style: smallStyle(widgets.ColorMuted, false)}}
	q.meta.Refresh()
}

// openInParley continues the exchange as a full conversation in the main window.
func (q *quickAsk) openInParley() {
	if q.conv.ID == 0 {
		return
	}
	id := q.conv.ID
	q.close()
	q.m.Window.Show()
	q.m.Window.RequestFocus()
	q.m.Open(id)
}
