package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Main is Parley's main window: the conversation pane, and the settings view in its place when
// the user opens it.
type Main struct {
	Window fyne.Window

	pages        *fyne.Container
	conversation fyne.CanvasObject
	settings     fyne.CanvasObject
}

// NewMain builds the main window.
func NewMain(a fyne.App) *Main {
	m := &Main{Window: a.NewWindow("Parley")}
	m.conversation = m.newConversationPage()
	m.settings = m.newSettingsPage()
	m.pages = container.NewStack(m.conversation)
	m.Window.SetContent(m.pages)
	m.Window.Resize(fyne.NewSize(1000, 700))
	m.Window.SetMaster()
	m.Window.SetMainMenu(m.menu(a))
	return m
}

func (m *Main) menu(a fyne.App) *fyne.MainMenu {
	settings := fyne.NewMenuItem("Settings…", m.ShowSettings)
	settings.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
	quit := fyne.NewMenuItem("Quit", a.Quit)
	quit.IsQuit = true
	quit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	for _, item := range []*fyne.MenuItem{settings, quit} {
		item := item
		m.Window.Canvas().AddShortcut(item.Shortcut, func(fyne.Shortcut) { item.Action() })
	}
	return fyne.NewMainMenu(fyne.NewMenu("File", settings, fyne.NewMenuItemSeparator(), quit))
}

// ShowSettings puts the settings view in place of the conversation.
func (m *Main) ShowSettings() {
	m.pages.Objects = []fyne.CanvasObject{m.settings}
	m.pages.Refresh()
}

// ShowConversation returns from settings to the conversation.
func (m *Main) ShowConversation() {
	m.pages.Objects = []fyne.CanvasObject{m.conversation}
	m.pages.Refresh()
}

func (m *Main) newConversationPage() fyne.CanvasObject {
	toolbar := widget.NewToolbar(
		widget.NewToolbarSpacer(),
		widget.NewToolbarAction(theme.SettingsIcon(), m.ShowSettings),
	)
	empty := widget.NewLabelWithStyle("Ask anything.", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	composer := widget.NewMultiLineEntry()
	composer.SetPlaceHolder("Message Parley…")
	return container.NewBorder(toolbar, composer, nil, nil, container.NewCenter(empty))
}

func (m *Main) newSettingsPage() fyne.CanvasObject {
	back := widget.NewButtonWithIcon("Back to chat", theme.NavigateBackIcon(), m.ShowConversation)
	title := widget.NewLabelWithStyle("Settings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(container.NewHBox(back, title), nil, nil, nil, widget.NewLabel(""))
}
