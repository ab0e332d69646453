package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"parley/chat/markdown"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/widgets"
)

// menuActions are the main menu's items, made once: the menu and the window's shortcuts share
// them.
type menuActions struct {
	newChat, exportOne, exportAll, importFile, settings, quit *fyne.MenuItem
	exportBranches, backUp, restore                           *fyne.MenuItem
	copyLast, copyConversation, search                        *fyne.MenuItem
	stop, regenerate, rename, pin, remove                     *fyne.MenuItem
	top, bottom, sidebar, composer                            *fyne.MenuItem
	shortcuts, about, batches, sendBackground, attachFiles    *fyne.MenuItem
	prevVersion, nextVersion                                  *fyne.MenuItem
}

func (m *Main) actions() *menuActions {
	a := &menuActions{
		newChat:          &fyne.MenuItem{Label: "New Chat", Action: m.NewChat, Shortcut: shortcut(fyne.KeyN, false)},
		exportOne:        &fyne.MenuItem{Label: "Export Conversation…", Action: func() { m.exportCurrent(false) }, Shortcut: shortcut(fyne.KeyE, false)},
		exportBranches:   &fyne.MenuItem{Label: "Export Conversation with All Versions…", Action: func() { m.exportCurrent(true) }},
		exportAll:        &fyne.MenuItem{Label: "Export All Conversations…", Action: m.exportAll},
		backUp:           &fyne.MenuItem{Label: "Back Up History…", Action: m.backUp},
		restore:          &fyne.MenuItem{Label: "Restore from Backup…", Action: m.restore},
		importFile:       &fyne.MenuItem{Label: "Import (Parley, ChatGPT, Claude)…", Action: m.importFile},
		settings:         &fyne.MenuItem{Label: "Settings…", Action: m.ShowSettings, Shortcut: shortcut(fyne.KeyComma, false)},
		quit:             &fyne.MenuItem{Label: "Quit", Action: func() { bridge.Quit(m.app) }, Shortcut: shortcut(fyne.KeyQ, false), IsQuit: true},
		copyLast:         &fyne.MenuItem{Label: "Copy Last Answer", Action: m.conversation.copyLastAnswer, Shortcut: shortcut(fyne.KeyC, true)},
		copyConversation: &fyne.MenuItem{Label: "Copy Conversation as Markdown", Action: m.conversation.copyConversation},
		search:           &fyne.MenuItem{Label: "Search Conversations", Action: m.sidebar.focusSearch, Shortcut: shortcut(fyne.KeyF, false)},
		stop:             &fyne.MenuItem{Label: "Stop Answer (Esc)", Action: m.Stop},
		regenerate:       &fyne.MenuItem{Label: "Regenerate Last Answer", Action: m.conversation.regenerate, Shortcut: shortcut(fyne.KeyR, false)},
		rename:           &fyne.MenuItem{Label: "Rename Conversation… (F2)", Action: m.renameCurrent},
		pin:              &fyne.MenuItem{Label: "Pin or Unpin Conversation", Action: m.pinCurrent, Shortcut: shortcut(fyne.KeyP, true)},
		remove:           &fyne.MenuItem{Label: "Delete Conversation…", Action: m.deleteCurrent, Shortcut: shortcut(fyne.KeyDelete, true)},
		top:              &fyne.MenuItem{Label: "Go to the First Message", Action: func() { m.conversation.list.ScrollTo(0) }, Shortcut: shortcut(fyne.KeyHome, false)},
		bottom:           &fyne.MenuItem{Label: "Go to the Last Message", Action: func() { m.conversation.list.ScrollToEnd() }, Shortcut: shortcut(fyne.KeyEnd, false)},
		sidebar:          &fyne.MenuItem{Label: "Go to the Conversations List", Action: m.sidebar.focusList, Shortcut: shortcut(fyne.KeyL, false)},
		composer:         &fyne.MenuItem{Label: "Go to the Message Box", Action: m.conversation.focus, Shortcut: shortcut(fyne.KeyM, false)},
		shortcuts:        &fyne.MenuItem{Label: "Keyboard Shortcuts", Action: m.showShortcuts},
		batches:          &fyne.MenuItem{Label: "Batches…", Action: m.ShowBatches, Shortcut: shortcut(fyne.KeyB, true)},
		sendBackground:   &fyne.MenuItem{Label: "Send in the Background", Action: m.conversation.sendInBackground, Shortcut: shortcut(fyne.KeyReturn, true)},
		attachFiles:      &fyne.MenuItem{Label: "Attach Files…", Action: m.pickFiles, Shortcut: shortcut(fyne.KeyA, true)},
		about:            &fyne.MenuItem{Label: "About Parley", Action: m.showAbout},
		// Alt+arrows are handled with the Alt+letter menu keys (keyboard.go).
		prevVersion: &fyne.MenuItem{Label: "Previous Version (Alt+←)", Action: func() { m.conversation.switchNewestVersion(-1) }},
		nextVersion: &fyne.MenuItem{Label: "Next Version (Alt+→)", Action: func() { m.conversation.switchNewestVersion(+1) }},
	}
	return a
}

func (m *Main) menuItems() []*fyne.MenuItem {
	a := m.menus
	return []*fyne.MenuItem{a.newChat, a.exportOne, a.exportBranches, a.exportAll, a.backUp, a.restore, a.importFile, a.settings, a.quit,
		a.copyLast, a.copyConversation, a.search, a.stop, a.regenerate, a.rename, a.pin, a.remove,
		a.top, a.bottom, a.sidebar, a.composer, a.batches, a.sendBackground, a.attachFiles, a.shortcuts, a.about}
}

func (m *Main) menu() *fyne.MainMenu {
	a := m.menus
	return fyne.NewMainMenu(
		fyne.NewMenu("File", a.newChat, fyne.NewMenuItemSeparator(), a.exportOne, a.exportBranches, a.exportAll, a.importFile,
			fyne.NewMenuItemSeparator(), a.backUp, a.restore,
			fyne.NewMenuItemSeparator(), a.settings, fyne.NewMenuItemSeparator(), a.quit),
		fyne.NewMenu("Edit", a.copyLast, a.copyConversation, fyne.NewMenuItemSeparator(), a.search),
		fyne.NewMenu("Conversation", a.attachFiles, a.sendBackground, a.stop, a.regenerate, a.prevVersion, a.nextVersion, fyne.NewMenuItemSeparator(), a.rename, a.pin, a.remove),
		fyne.NewMenu("View", a.top, a.bottom, fyne.NewMenuItemSeparator(), a.sidebar, a.composer, fyne.NewMenuItemSeparator(), a.batches),
		fyne.NewMenu("Help", a.shortcuts, a.about),
	)
}

// exportCurrent saves the open conversation as a Markdown file: the versions shown, or every
// version (each branch after the message it follows, readable back as the same tree).
func (m *Main) exportCurrent(allBranches bool) {
	c := m.conversation.current()
	if c.ID == 0 {
		m.notify("Nothing to export yet: ask something first")
		return
	}
	m.exportConversation(c, allBranches)
}

// exportConversation asks where to save a conversation, suggesting a name from its title.
func (m *Main) exportConversation(c store.Conversation, allBranches bool) {
	m.chooseNewFile("The export failed", markdown.FileName(c, map[string]bool{}), []string{".md"}, func(path string) {
		bridge.Work(func() error {
			st, err := m.svc.History()
			if err == nil {
				err = markdown.ExportTo(st, c.ID, path, allBranches)
			}
			return err
		}, func(err error) {
			if err != nil {
				m.showError("The export failed", err)
				return
			}
			m.notify("Exported to " + path)
		})
	})
}

// exportAll writes every conversation into a folder the user picks.
func (m *Main) exportAll() {
	m.chooseFolder("The export failed", func(path string) {
		type exported struct {
			n   int
			err error
		}
		bridge.Work(func() (e exported) {
			st, err := m.svc.History()
			if err == nil {
				e.n, err = markdown.ExportAll(st, path, false)
			}
			e.err = err
			return e
		}, func(e exported) {
			if e.err != nil {
				m.showError(fmt.Sprintf("The export stopped after %d conversations", e.n), e.err)
				return
			}
			m.inform("Export finished", fmt.Sprintf("%d conversations were exported to %s, one Markdown file each.", e.n, path))
		})
	})
}

// keys is every keyboard route in the window, for Help > Keyboard Shortcuts.
var keys = [][2]string{
	{"Enter / Shift+Enter", "Send the message / a new line in it"},
	{"Ctrl+Shift+Enter", "Send it in the background (made on OpenAI; survives closing Parley)"},
	{"Ctrl+Shift+A", "Attach files (images, PDFs, text and code); or drop them on the window"},
	{"Esc", "Stop the answer; close a dialog or the settings"},
	{"Tab / Shift+Tab", "The next / previous control"},
	{"F10, Alt+F, Alt+E, Alt+C, Alt+V, Alt+H", "The menus, by keyboard (arrows, Enter)"},
	{"Page Up / Page Down", "Scroll the conversation"},
	{"Ctrl+Home / Ctrl+End", "The first / last message"},
	{"Ctrl+N", "New chat"},
	{"Ctrl+L / Ctrl+M", "The conversations list / the message box"},
	{"↑ ↓, Enter (in the list)", "Choose a conversation, open it"},
	{"Ctrl+F", "Search conversations (Esc clears it)"},
	{"F2", "Rename the conversation"},
	{"Ctrl+Shift+P", "Pin or unpin it"},
	{"Ctrl+Shift+Delete", "Delete it"},
	{"Ctrl+E", "Export the conversation"},
	{"Ctrl+Shift+C", "Copy the last answer"},
	{"Ctrl+R", "Regenerate the last answer (the old one stays as a version)"},
	{"Alt+← / Alt+→", "The previous / next version of the newest message that has versions"},
	{"Ctrl+,", "Settings"},
	{"Ctrl+Shift+B", "Batches (many questions at half price; Esc goes back)"},
	{"Ctrl+Q", "Quit"},
}

func (m *Main) showShortcuts() {
	var b strings.Builder
	for _, r := range keys {
		fmt.Fprintf(&b, "| %s | %s |\n", r[0], r[1])
	}
	text := widget.NewRichTextFromMarkdown("On macOS, Cmd replaces Ctrl.")
	d := dialog.NewCustom("Keyboard shortcuts", "Close", container.NewVScroll(container.NewVBox(text,
		widgets.Markdown("| Keys | Does |\n|---|---|\n"+b.String(), widgets.Actions{}))), m.Window)
	d.Resize(fyne.NewSize(640, 600))
	m.present(d, nil, nil)
}

func (m *Main) showAbout() {
	d := dialog.NewCustom("About Parley", "Close", widgets.Markdown(fmt.Sprintf(
		"**Parley %s**\n\nA native desktop client for the OpenAI API and compatible servers. Your key stays in the OS keychain; tokens are counted exactly, offline; rate limits are watched live.\n\nSettings: `%s`", m.app.Metadata().Version, m.svc.Prefs.Path()), m.links()), m.Window)
	d.Resize(fyne.NewSize(560, 300))
	m.present(d, nil, nil)
}
