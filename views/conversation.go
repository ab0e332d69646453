package views

import (
	"context"
	"image/color"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat/ask"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/widgets"
)

// conversationView is the conversation pane: the toolbar, the transcript, the composer with its
// live counts, and the status bar with the rate-limit meters.
type conversationView struct {
	m *Main

	conv  store.Conversation // ID 0 until the first message is saved
	items []*item

	list       *widgets.Transcript
	empty      fyne.CanvasObject
	stack      *fyne.Container
	composer   *composer
	sendButton *widget.Button
	counts     *widget.RichText
	warning    *widget.RichText
	profileBtn *widget.Button // the profile (and so the endpoint) in use; switches it
	modelBtn   *widget.Button
	effortBtn  *widget.Button // the reasoning effort, for models that reason
	tierBtn    *widget.Button // the service tier, for models that offer tiers
	systemBtn  *widget.Button // the system prompt, and the presets
	// backgroundBtn turns background mode on for the next question (backgroundOn).
	backgroundBtn *widget.Button
	backgroundOn  bool
	status        *statusBar
	content       fyne.CanvasObject

	busy     bool
	cancel   context.CancelFunc
	run      *ask.Run         // the answer being written
	counting *bridge.Debounce // the newest count asked for; older ones are dropped
	shownFor string           // the draft the counts shown describe
	ticker   chan struct{}    // closed to stop the countdown ticker
}

func newConversationView(m *Main) *conversationView {
	v := &conversationView{m: m, counting: bridge.NewDebounce(120*time.Millisecond, nil)}
	v.list = widgets.NewTranscript(
		func() int { return len(v.items) },
		func() fyne.CanvasObject { return newMessageRow(v) },
		func(i int, o fyne.CanvasObject) { o.(*messageRow).bind(v.items[i]) },
		func(i int, width float32) float32 { return estimateHeight(v.items[i], width) },
	)
	v.composer = newComposer(v.send, v.stop)
	v.composer.sendBackground = v.sendInBackground
	v.composer.detailMenu = v.pickDetail
	v.composer.relayout = func() {
		if v.content != nil {
			v.content.Refresh()
		}
	}
	v.composer.OnChanged = func(string) { v.updateSend(); v.countLater() }
	v.composer.change = func() { v.updateSend(); v.countLater() }
	v.composer.view = func(i int) { m.showPaste(v.composer, i, m.Window) }
	v.composer.window, v.composer.keys = m.windowKey, m.altShortcut
	v.sendButton = &widget.Button{Text: "Send", Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: v.sendOrStop}
	v.counts = widget.NewRichText()
	v.warning = widget.NewRichText()
	v.warning.Wrapping = fyne.TextWrapWord

	v.profileBtn = &widget.Button{Icon: widgets.ProfileIcon, Importance: widget.LowImportance}
	v.profileBtn.OnTapped = func() { m.pickProfile(v.profileBtn) }
	v.modelBtn = &widget.Button{Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.LowImportance, OnTapped: v.pickModel}
	v.effortBtn = &widget.Button{Icon: widgets.ThinkingIcon, Importance: widget.LowImportance, OnTapped: v.pickEffort}
	v.tierBtn = &widget.Button{Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.LowImportance, OnTapped: v.pickTier}
	v.systemBtn = &widget.Button{Text: "System prompt", Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.LowImportance, OnTapped: v.pickSystemPrompt}
	v.backgroundBtn = &widget.Button{Text: "Background", Icon: theme.HistoryIcon(), Importance: widget.LowImportance, OnTapped: v.toggleBackground}
	toolbar := container.NewHBox(
		// New chat is the sidebar's first button (and Ctrl+N): not repeated here, where the room
		// goes to how the question is asked.
		v.profileBtn, v.modelBtn, v.effortBtn, v.tierBtn, v.backgroundBtn, v.systemBtn, layout.NewSpacer(),
		&widget.Button{Icon: theme.SettingsIcon(), Importance: widget.LowImportance, OnTapped: m.ShowSettings},
	)
	v.empty, _ = v.emptyState()
	// At its smallest, the window keeps a readable piece of the conversation.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(420, 240))
	v.stack = container.NewStack(room, v.list, v.empty)
	v.status = newStatusBar(m)
	clip := &widget.Button{Icon: widgets.PaperclipIcon, Importance: widget.LowImportance, OnTapped: m.pickFiles}
	input := container.NewBorder(nil, nil, nil, container.NewVBox(layout.NewSpacer(), container.NewHBox(clip, v.sendButton)), v.composer.box)
	bottom := container.NewVBox(input, container.New(&widgets.Stack{}, v.counts, v.warning), v.status.box)
	v.content = container.NewBorder(container.NewVBox(toolbar, widget.NewSeparator()), container.NewPadded(bottom), nil, nil, v.stack)
	v.showEmpty()
	v.updateSend()
	v.refreshToolbar()
	return v
}

// --- state shown ------------------------------------------------------------------------

func (v *conversationView) showEmpty() {
	if len(v.items) == 0 {
		v.empty.Show()
		v.list.Hide()
	} else {
		v.empty.Hide()
		v.list.Show()
	}
}

// refreshEmpty rebuilds the empty conversation's invitation: it depends on whether a key is set.
func (v *conversationView) refreshEmpty() {
	empty, focus := v.emptyState()
	for i, o := range v.stack.Objects {
		if o == v.empty {
			v.stack.Objects[i] = empty
		}
	}
	v.empty = empty
	v.showEmpty()
	v.stack.Refresh()
	if focus != nil && len(v.items) == 0 {
		v.m.Window.Canvas().Focus(focus) // the first thing to do is paste a key
	}
}

func (v *conversationView) refreshToolbar() {
	v.profileBtn.SetText(profileLabel(v.m.profile(), v.m.svc.Keys))
	v.modelBtn.SetText(v.model())
	v.refreshReasoning()
	v.refreshBackground()
	if v.system() != "" {
		v.systemBtn.SetText("System prompt ✓")
	} else {
		v.systemBtn.SetText("System prompt")
	}
}

func (v *conversationView) updateSend() {
	if v.busy {
		v.sendButton.SetText("Stop")
		v.sendButton.SetIcon(theme.MediaStopIcon())
		v.sendButton.Importance = widget.DangerImportance
		v.sendButton.Enable()
		v.sendButton.Refresh()
		return
	}
	v.sendButton.SetText("Send")
	v.sendButton.SetIcon(theme.MailSendIcon())
	v.sendButton.Importance = widget.HighImportance
	if v.composer.empty() {
		v.sendButton.Disable()
	} else {
		v.sendButton.Enable()
	}
	v.sendButton.Refresh()
}

// model is the conversation's model, or the profile's for a new chat.
func (v *conversationView) model() string {
	if v.conv.Model != "" {
		return v.conv.Model
	}
	return v.m.profile().Model
}

func (v *conversationView) system() string {
	if v.conv.ID != 0 || v.conv.SystemPrompt != "" {
		return v.conv.SystemPrompt
	}
	return v.m.profile().SystemPrompt
}

func (v *conversationView) focus() {
	v.m.Window.Canvas().Focus(v.composer)
}

// current is the conversation shown.
func (v *conversationView) current() store.Conversation { return v.conv }

// shown tells the rest of the window which conversation this is.
func (v *conversationView) shown() {
	v.m.setTitle(v.conv.Title)
	v.m.sidebar.setCurrent(v.conv.ID)
}

// --- opening conversations ----------------------------------------------------------------

// newChat starts an empty conversation with the current profile's defaults.
func (v *conversationView) newChat() {
	v.leave()
	p := v.m.profile()
	v.conv = store.Conversation{Profile: p.ID, Model: p.Model, SystemPrompt: p.SystemPrompt}
	v.items = nil
	v.list.Reset()
	v.showEmpty()
	v.refreshToolbar()
	v.shown()
	v.countLater()
	v.focus()
}

// open shows a stored conversation, at one of its messages (0: at its end, on the branch shown
// last; another branch's message switches to its branch), with marks highlighted in that
// message (a search's words).
func (v *conversationView) open(id, at int64, marks []string) {
	v.leave()
	type opened struct {
		conv store.Conversation
		msgs []store.Message
		err  error
	}
	bridge.Work(func() (o opened) {
		widgets.Prepare() // its answers may show code and links
		st, err := v.m.svc.History()
		if err == nil && at != 0 {
			err = st.ShowMessage(id, at)
		}
		if err == nil {
			o.conv, err = st.Conversation(id)
		}
		if err == nil {
			o.msgs, err = st.Messages(id)
		}
		o.err = err
		return o
	}, func(o opened) {
		if o.err != nil {
			v.m.showError("The conversation could not be opened", o.err)
			return
		}
		v.conv = o.conv
		v.items = make([]*item, len(o.msgs))
		for i, msg := range o.msgs {
			v.items[i] = &item{msg: msg}
		}
		v.showEmpty()
		v.list.Reset()
		if i := v.indexOf(at); i >= 0 {
			v.items[i].marks = marks
			v.list.ScrollTo(i)
		}
		v.refreshToolbar()
		v.shown()
		v.countLater()
		v.focus()
		// Loading it needed memory for a moment (rows read, text parsed, the tokenizer's
		// tables built): give it back once it is open and counted.
		time.AfterFunc(1500*time.Millisecond, debug.FreeOSMemory)
	})
}

// indexOf is where the message with that id is shown, or -1.
func (v *conversationView) indexOf(id int64) int {
	for i, it := range v.items {
		if id != 0 && it.msg.ID == id {
			return i
		}
	}
	return -1
}

// changed follows a change made elsewhere (the sidebar renamed or pinned it).
func (v *conversationView) changed(c store.Conversation) {
	if c.ID == 0 || c.ID != v.conv.ID {
		return
	}
	v.conv.Title, v.conv.Pinned = c.Title, c.Pinned
	v.shown()
}

// deleted follows a conversation deleted elsewhere: if it is this one, a new chat takes its place.
func (v *conversationView) deleted(id int64) {
	if id != 0 && id == v.conv.ID {
		v.m.NewChat()
	}
}
