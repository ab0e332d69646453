package views

import (
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
)

// emptyState is what an empty conversation shows: an invitation to ask, or, on the first run
// with no key anywhere, an invitation to paste one (or to point Parley at a local server).
func (m *Main) emptyState() fyne.CanvasObject {
	if !m.connected {
		return container.NewCenter(widget.NewRichText(&widget.TextSegment{Text: "Opening…", Style: widget.RichTextStyle{ColorName: colorMuted}}))
	}
	if m.ready() {
		title := widget.NewRichText(&widget.TextSegment{Text: "Ask anything", Style: widget.RichTextStyleHeading})
		hint := widget.NewRichText(&widget.TextSegment{
			Text:  "Type below and press Enter. Shift+Enter starts a new line, Esc stops an answer.\nPick the model and the system prompt above; Ctrl+N starts a new chat.",
			Style: widget.RichTextStyle{ColorName: colorMuted, Alignment: fyne.TextAlignCenter},
		})
		title.Segments[0].(*widget.TextSegment).Style.Alignment = fyne.TextAlignCenter
		return container.NewCenter(container.NewVBox(title, hint))
	}
	return container.NewCenter(m.firstRun())
}

// firstRun asks for a key, or a local server's address, right in the main window.
func (m *Main) firstRun() fyne.CanvasObject {
	title := widget.NewRichText(&widget.TextSegment{Text: "Welcome to Parley", Style: widget.RichTextStyleHeading})
	intro := widget.NewRichText(&widget.TextSegment{
		Text:  "Paste your OpenAI API key to start. It is kept in your system's keychain, never in a file.",
		Style: widget.RichTextStyleParagraph,
	})
	intro.Wrapping = fyne.TextWrapWord
	keyURL, _ := url.Parse("https://platform.openai.com/api-keys")
	key := widget.NewPasswordEntry()
	key.SetPlaceHolder("sk-…")
	m.firstRunKey = key
	status := widget.NewRichText()
	status.Wrapping = fyne.TextWrapWord
	sessionButton := &widget.Button{Text: "Use it for this session only", Importance: widget.MediumImportance}
	sessionButton.Hide()
	save := &widget.Button{Text: "Save key and start", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance}
	save.OnTapped = func() {
		p := m.profile()
		k := key.Text
		if _, err := settings.CleanKey(k); err != nil {
			setStatus(status, "The key "+strings.TrimPrefix(err.Error(), "the key "), true)
			return
		}
		save.Disable()
		setStatus(status, "Saving to the keychain…", false)
		go func() {
			err := m.svc.Keys.Set(p.Name, k)
			Do(func() {
				save.Enable()
				if err != nil {
					setStatus(status, plain(err), true)
					var ke *settings.KeychainError
					if errors.As(err, &ke) {
						sessionButton.Show()
					}
					return
				}
				m.keyChanged()
			})
		}()
	}
	key.OnSubmitted = func(string) { save.OnTapped() }
	sessionButton.OnTapped = func() {
		if err := m.svc.Keys.SetSession(m.profile().Name, key.Text); err != nil {
			setStatus(status, err.Error(), true)
			return
		}
		m.keyChanged()
	}
	server := widget.NewEntry()
	server.SetPlaceHolder("http://localhost:11434/v1")
	useServer := &widget.Button{Text: "Use this server", OnTapped: func() {
		u := strings.TrimSpace(server.Text)
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme == "" || parsed.Host == "" {
			setStatus(status, "That is not an address like http://localhost:11434/v1", true)
			return
		}
		p := m.profile()
		p.BaseURL = u
		if err := m.svc.Prefs.SaveProfile(p); err != nil {
			setStatus(status, plain(err), true)
			return
		}
		m.keyChanged()
	}}
	local := widget.NewRichText(&widget.TextSegment{
		Text:  "Or use a local, OpenAI-compatible server (Ollama, LM Studio, vLLM): its address",
		Style: widget.RichTextStyle{ColorName: colorMuted},
	})
	local.Wrapping = fyne.TextWrapWord
	card := container.NewVBox(
		title, intro,
		container.NewBorder(nil, nil, nil, save, key),
		container.NewHBox(widget.NewHyperlink("Get a key at platform.openai.com/api-keys", keyURL), sessionButton),
		status,
		widget.NewSeparator(),
		local,
		container.NewBorder(nil, nil, nil, useServer, server),
	)
	return container.NewGridWrap(fyne.NewSize(560, card.MinSize().Height), card)
}

// keyChanged follows a new key or server: new clients, a ready window.
func (m *Main) keyChanged() {
	m.reconnect()
	m.conversation.focus()
	if m.settings != nil && m.pages.Objects[0] == m.settings.content {
		m.settings.show()
	}
}

func setStatus(r *widget.RichText, text string, bad bool) {
	color := colorMuted
	if bad {
		color = theme.ColorNameError
	}
	r.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: color}}}
	r.Refresh()
}
