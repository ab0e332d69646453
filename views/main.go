// Package views holds Parley's screens: the main window with its sidebar, conversation pane and
// settings, the first-run card, menus and Quick Ask. They turn events into pixels and gestures
// into calls on the use cases below them (chat/ask, settings); widgets they build from live in
// views/widgets, and every hand-off from a background goroutine goes through views/bridge.
package views

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"parley/account"
	"parley/chat"
	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/widgets"
)

// Main is Parley's main window: the sidebar of conversations beside the conversation pane, and
// the settings view in the pane's place when the user opens it.
type Main struct {
	Window fyne.Window
	app    fyne.App
	svc    *Services

	sidebar      *sidebar
	conversation *conversationView
	settings     *settingsView
	batches      *batchesView
	pages        *fyne.Container
	menus        *menuActions
	quick        *quickAsk
	hidden       bool // the window is hidden (in the tray), or was never shown

	// The current profile's client and endpoint. Resolving them reads the keychain, which may
	// wait, so reconnect does it off the UI goroutine; until then a client without a key counts
	// tokens.
	clientVal *chat.Client
	endpoint  settings.Endpoint
	connected bool
	connectID int

	// OnUsage is called after an answer is counted (the tray shows today's usage).
	OnUsage func()
	// dialogs are the dialogs open, newest last (Esc closes it, Enter confirms it).
	dialogs []*shown
	// openURL opens a link in the system's browser or mail program (a test's recorder).
	openURL func(*url.URL) error
	// exactCounts are the server's counts of recent requests.
	exactCounts exactCounts
	// accounts are the account figures fetched, with their time.
	accounts account.Cache
	// backgrounds are the background answers the window follows; OnBackground hears how many
	// are under way (the tray shows it).
	backgrounds  backgrounds
	OnBackground func(n int)
}

// NewWindow makes the main window at its remembered size.
func NewWindow(a fyne.App, prefs *settings.Store) fyne.Window {
	w := a.NewWindow("Parley")
	size := fyne.NewSize(1100, 760)
	if p := prefs.Prefs(); p.Window.Width >= 480 && p.Window.Height >= 360 {
		size = fyne.NewSize(p.Window.Width, p.Window.Height)
	}
	w.Resize(size)
	// Until NewMain fills it, the window shows only its background, which clearing it paints.
	// Fyne's own placeholder is a rectangle of that colour as large as the window: drawing it in
	// software delayed the content by a first frame three times as long (15–19 ms, not 5).
	w.SetContent(container.NewStack())
	return w
}

// NewMain builds the main window's content, on a new empty conversation with the cursor in the
// composer.
func NewMain(a fyne.App, w fyne.Window, svc *Services) *Main {
	m := &Main{app: a, svc: svc, Window: w, hidden: true, openURL: a.OpenURL, accounts: account.Cache{MaxAge: 5 * time.Minute}}
	m.sidebar = newSidebar(m)
	m.conversation = newConversationView(m)
	m.pages = container.NewStack(m.conversation.content)
	split := container.NewHSplit(m.sidebar.content, m.pages)
	split.Offset = 0.24
	m.Window.SetContent(container.NewBorder(m.demoBanner(), nil, nil, nil, split))
	m.menus = m.actions()
	m.Window.SetMainMenu(m.menu())
	m.shortcuts()
	m.Window.SetOnDropped(m.dropped)
	m.Window.SetMaster()
	m.conversation.newChat()
	m.reconnect()
	m.sidebar.reload()
	m.conversation.status.refresh()
	for _, w := range svc.Warnings {
		m.warnLater(w)
	}
	m.checkHistory()
	m.resumeRotation()
	// Answers an earlier Parley left being made in the background; one written to in the last
	// seconds may still be another Parley's (or a Parley's just killed): looked at again once it
	// would be stale.
	m.followPending()
	time.AfterFunc(store.ClaimStaleAfter+time.Second, func() { bridge.Do(m.followPending) })
	return m
}

// resumeRotation finishes, or undoes, a key rotation a crash cut short, and says what it did.
func (m *Main) resumeRotation() {
	if m.svc.Account == nil {
		return
	}
	deps := m.svc.Account()
	type resumed struct {
		msg string
		err error
	}
	bridge.Work(func() resumed {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		msg, err := account.Resume(ctx, deps)
		return resumed{msg, err}
	}, func(r resumed) {
		switch {
		case r.err != nil:
			m.showError("A key rotation was cut short", r.err)
		case r.msg != "":
			m.reconnect()
			m.inform("A key rotation was cut short", r.msg)
		}
	})
}

// checkHistory opens the history in the background and says, in the window, when it had to be
// moved aside or cannot be used at all: an empty sidebar alone would hide it.
func (m *Main) checkHistory() {
	type opened struct {
		warning string
		err     error
	}
	last := m.svc.Prefs.Prefs().LastConversation
	bridge.Work(func() opened {
		st, err := m.svc.History()
		if err != nil {
			return opened{err: err}
		}
		if _, err := st.Conversation(last); err != nil {
			last = 0 // deleted since, or the history is a new one
		}
		return opened{warning: st.Warning()}
	}, func(o opened) {
		switch {
		case o.err != nil:
			m.inform("Your history cannot be used", plain(o.err)+"\n\nConversations are not saved until this is fixed.")
		case o.warning != "":
			m.inform("Your history was moved aside", o.warning)
		}
		// Parley opens where it was left, unless the user has begun something new meanwhile.
		if v := m.conversation; last != 0 && v.conv.ID == 0 && len(v.items) == 0 && v.composer.empty() && !m.settingsShown() {
			m.Open(last)
		}
	})
}

// HistoryDamaged says that the daily check (store.Check) found damage in the history, and what
// happens next.
func (m *Main) HistoryDamaged(err error) {
	m.inform("Your history is damaged", "Parley reads your conversation history whole once a day, to find damage early, and found some. "+
		plain(err)+"\n\nWhat can be read is still shown, but a conversation may fail to open or to be saved. The next time Parley "+
		"starts, it moves the file aside, untouched, begins a fresh history, and tells you how to get back what can be read of it.")
}

// ShowWindow shows the main window and brings it to the front.
func (m *Main) ShowWindow() {
	m.hidden = false
	m.Window.Show()
	m.Window.RequestFocus()
}

// WindowShown tells Main that its window was shown already (at start, before the event loop
// runs) and gives it the focus. ShowWindow would show it again, and showing a shown window
// paints it once more.
func (m *Main) WindowShown() {
	m.hidden = false
	m.Window.RequestFocus()
}

// HideWindow hides the main window (Parley stays in the tray).
func (m *Main) HideWindow() {
	m.saveSizeLater()
	m.hidden = true
	m.Window.Hide()
}

// Hidden tells whether the main window is out of sight.
func (m *Main) Hidden() bool { return m.hidden }

// Shutdown stops the answers being written and waits (briefly) until they are saved, and until
// the background work under way has let go of the history.
func (m *Main) Shutdown() {
	m.conversation.forgetCounts()
	m.backgrounds.leaveAll() // they go on on OpenAI; the next start takes them up
	m.conversation.leave()
	if m.quick != nil {
		m.quick.stop()
	}
	if m.settings != nil && m.settings.live {
		m.settings.stopLive()
	}
	bridge.Wait(3 * time.Second)
}

// SaveSize remembers the window's size, and the conversation it shows, for the next start. It
// writes the preferences (a file lock the command line shares): call it once the UI has
// stopped, or use saveSizeLater.
func (m *Main) SaveSize() { saveSize(m.svc.Prefs, m.Window.Canvas().Size(), m.conversation.conv.ID) }

func (m *Main) saveSizeLater() {
	size, shown := m.Window.Canvas().Size(), m.conversation.conv.ID
	go saveSize(m.svc.Prefs, size, shown)
}

func saveSize(prefs *settings.Store, size fyne.Size, shown int64) {
	prefs.Update(func(p *settings.Prefs) error {
		if size.Width >= 100 && size.Height >= 100 {
			p.Window.Width, p.Window.Height = size.Width, size.Height
		}
		p.LastConversation = shown
		return nil
	})
}

// profile is the profile in use.
func (m *Main) profile() settings.Profile { return m.svc.Prefs.Prefs().CurrentProfile() }

// client returns the current profile's chat client and endpoint.
func (m *Main) client() (*chat.Client, settings.Endpoint) {
	if m.clientVal == nil {
		p := m.profile()
		m.clientVal = chat.New(chat.Config{BaseURL: p.BaseURL, Models: m.svc.Models}, nil)
		m.endpoint = m.svc.Keys.Where(p)
	}
	return m.clientVal, m.endpoint
}

// reconnect resolves the current profile's endpoint and key off the UI goroutine, then makes
// the window ready for it (a key was set or deleted, the profile or its server changed).
func (m *Main) reconnect() {
	p := m.profile()
	m.connectID++
	id := m.connectID
	type connection struct {
		client *chat.Client
		e      settings.Endpoint
	}
	bridge.Work(func() connection {
		c, e := m.svc.Client(p)
		return connection{c, e}
	}, func(c connection) {
		if id != m.connectID {
			return
		}
		m.clientVal, m.endpoint, m.connected = c.client, c.e, true
		m.conversation.refreshBackground() // it depends on the protocol the client speaks
		m.conversation.refreshEmpty()
		m.conversation.countLater()
		m.conversation.status.refresh()
	})
}

// ready tells whether a question can be sent: there is a key, or the endpoint is a server that
// needs none.
func (m *Main) ready() bool {
	_, e := m.client()
	return m.connected && (e.Key != "" || !e.IsOpenAI())
}

// keyChanged follows a new key or server: new clients, a ready window.
func (m *Main) keyChanged() {
	m.reconnect()
	m.conversation.focus()
	if m.settingsShown() {
		m.settings.show()
	}
}

// KeysChanged reads the keychain again: the command line set or deleted a key.
func (m *Main) KeysChanged() {
	m.reconnect()
	if m.settingsShown() {
		m.settings.show()
	}
}

// HistoryChanged lists the conversations again: the command line added some (an import, a
// question asked with parley ask).
func (m *Main) HistoryChanged() { m.sidebar.reload() }

// profileSwitched follows a change of the current profile: its key and server, a new chat with
// its defaults (behind the settings screen when that is where the switch happened).
func (m *Main) profileSwitched() {
	m.reconnect()
	m.conversation.newChat()
	m.conversation.refreshEmpty()
	if m.settingsShown() {
		m.settings.show()
	}
}

// setTitle names the window after the conversation.
func (m *Main) setTitle(conversation string) {
	if conversation == "" {
		m.Window.SetTitle("Parley")
		return
	}
	m.Window.SetTitle("Parley — " + conversation)
}

// ShowSettings puts the settings view in place of the conversation.
func (m *Main) ShowSettings() {
	if m.settings == nil {
		m.settings = newSettingsView(m) // built the first time it is needed, not at start
	}
	m.settings.show()
	m.pages.Objects = []fyne.CanvasObject{m.settings.content}
	m.pages.Refresh()
}

// conversationShown tells whether the pane shows the conversation (not settings, not batches).
func (m *Main) conversationShown() bool { return m.pages.Objects[0] == m.conversation.content }

func (m *Main) settingsShown() bool {
	return m.settings != nil && m.pages.Objects[0] == m.settings.content
}

// ShowConversation returns from settings to the conversation.
func (m *Main) ShowConversation() {
	m.pages.Objects = []fyne.CanvasObject{m.conversation.content}
	m.pages.Refresh()
	m.conversation.refreshToolbar()
	m.conversation.status.refresh()
	m.conversation.countLater()
	m.conversation.refreshEmpty()
	m.conversation.focus()
}

// NewChat starts a new conversation.
func (m *Main) NewChat() {
	m.ShowConversation()
	m.conversation.newChat()
}

// Open shows a stored conversation, at its end.
func (m *Main) Open(id int64) {
	m.ShowConversation()
	m.conversation.open(id, 0, nil)
}

// openFound shows a conversation a search found, at the message found (on its branch), its
// words highlighted; message 0 is a title found.
func (m *Main) openFound(id, message int64, words []string) {
	m.ShowConversation()
	m.conversation.open(id, message, words)
}

// Stop stops the answer being written.
func (m *Main) Stop() { m.conversation.stop() }

// notify shows a short notice in the status bar.
func (m *Main) notify(text string) { m.conversation.status.say(text) }

// copyText puts text on the clipboard.
func (m *Main) copyText(text string) { m.app.Clipboard().SetContent(text) }

// usageChanged tells whoever shows usage elsewhere (the tray) that it changed.
func (m *Main) usageChanged() {
	if m.OnUsage != nil {
		m.OnUsage()
	}
}

// warnLater shows a start-up warning once the window is up.
func (m *Main) warnLater(text string) {
	go bridge.Do(func() { m.inform("Parley moved a file aside", text) })
}

// demoBanner says clearly that Parley is talking to the local demo server (make demo).
func (m *Main) demoBanner() fyne.CanvasObject {
	if m.svc.Demo == "" {
		return container.NewStack()
	}
	text := widget.NewRichText(&widget.TextSegment{
		Text:  "Demo mode: Parley is talking to its local demo server at " + m.svc.Demo + ", not to OpenAI. Answers are canned; nothing leaves this machine.",
		Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}},
	})
	text.Wrapping = fyne.TextWrapWord
	return container.NewStack(widgets.NewThemedRect(widgets.ColorDemoBanner, 0), text)
}

// shortcuts registers each menu shortcut on the window too, so it works wherever the focus is.
func (m *Main) shortcuts() {
	c := m.Window.Canvas()
	c.SetOnTypedKey(m.typedKey)
	if dc, ok := c.(desktop.Canvas); ok { // Shift turns the wheel sideways over code
		shift := func(down bool) func(*fyne.KeyEvent) {
			return func(k *fyne.KeyEvent) {
				if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
					widgets.SetShift(down)
				}
			}
		}
		dc.SetOnKeyDown(shift(true))
		dc.SetOnKeyUp(shift(false))
	}
	for _, key := range append(slices.Collect(maps.Keys(menuKeys)), fyne.KeyLeft, fyne.KeyRight) {
		alt := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierAlt}
		c.AddShortcut(alt, func(s fyne.Shortcut) { m.altShortcut(s) })
	}
	for _, item := range m.menuItems() {
		if item.Shortcut != nil && item.Action != nil {
			action := item.Action
			c.AddShortcut(item.Shortcut, func(fyne.Shortcut) { action() })
		}
	}
}

func shortcut(key fyne.KeyName, shift bool) fyne.Shortcut {
	mod := fyne.KeyModifierShortcutDefault
	if shift {
		mod |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: key, Modifier: mod}
}
