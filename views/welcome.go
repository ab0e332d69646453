package views

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/bridge"
	"parley/views/widgets"
)

// emptyState is what an empty conversation shows: an invitation to ask, or, on the first run
// with no key anywhere, an invitation to paste one (or to point Parley at a local server), and
// the field that should have the focus, if any.
func (v *conversationView) emptyState() (fyne.CanvasObject, fyne.Focusable) {
	m := v.m
	if !m.connected {
		return container.NewCenter(widget.NewRichText(&widget.TextSegment{Text: "Opening…", Style: widget.RichTextStyle{ColorName: widgets.ColorMuted}})), nil
	}
	if m.ready() {
		title := widget.NewRichText(&widget.TextSegment{Text: "Ask anything", Style: widget.RichTextStyleHeading})
		hint := widget.NewRichText(&widget.TextSegment{
			Text:  "Type below and press Enter. Shift+Enter starts a new line, Esc stops an answer.\nPick the model and the system prompt above; Ctrl+N starts a new chat.",
			Style: widget.RichTextStyle{ColorName: widgets.ColorMuted, Alignment: fyne.TextAlignCenter},
		})
		title.Segments[0].(*widget.TextSegment).Style.Alignment = fyne.TextAlignCenter
		return container.NewCenter(container.NewVBox(title, hint, v.presetButtons())), nil
	}
	c := newFirstRunCard(m)
	return c.content, c.key.entry
}

// firstRunCard asks for a key, or a local server's address, right in the main window.
type firstRunCard struct {
	content fyne.CanvasObject
	m       *Main
	key     *keyField
	server  *widget.Entry
	save    *widget.Button
}

func newFirstRunCard(m *Main) *firstRunCard {
	c := &firstRunCard{m: m, key: newKeyField(m, "sk-…"), server: widget.NewEntry()}
	title := widget.NewRichText(&widget.TextSegment{Text: "Welcome to Parley", Style: widget.RichTextStyleHeading})
	intro := widget.NewRichText(&widget.TextSegment{
		Text:  "Paste your OpenAI API key to start. It is tested, then kept in your system's keychain, never in a file.",
		Style: widget.RichTextStyleParagraph,
	})
	intro.Wrapping = fyne.TextWrapWord
	keyURL, _ := url.Parse("https://platform.openai.com/api-keys")
	// The key goes to the server typed below, when one is: it is tested there and saved with it.
	c.key.target = c.connection
	c.key.prepare = m.svc.Prefs.SaveProfile
	c.key.saved = func(settings.Profile, string, string) { m.keyChanged() }
	c.save = &widget.Button{Text: "Save key and start", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: func() { c.key.save(false) }}
	c.server.SetPlaceHolder("http://localhost:11434/v1")
	c.server.OnSubmitted = func(string) { c.useServer() }
	useServer := &widget.Button{Text: "Use this server", OnTapped: c.useServer}
	local := widget.NewRichText(&widget.TextSegment{
		Text:  "Or use a local, OpenAI-compatible server (Ollama, LM Studio, vLLM): its address",
		Style: widget.RichTextStyle{ColorName: widgets.ColorMuted},
	})
	local.Wrapping = fyne.TextWrapWord
	card := container.NewVBox(
		title, intro,
		container.NewBorder(nil, nil, nil, c.save, c.key.entry),
		container.NewHBox(widget.NewHyperlink("Get a key at platform.openai.com/api-keys", keyURL), c.key.untested, c.key.session),
		c.key.status,
		widget.NewSeparator(),
		local,
		container.NewBorder(nil, nil, nil, useServer, c.server),
	)
	c.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(560, card.MinSize().Height), card))
	return c
}

// connection is the profile with the card's server address, when one was typed.
func (c *firstRunCard) connection() (settings.Profile, error) {
	p := c.m.profile()
	if strings.TrimSpace(c.server.Text) == "" {
		return p, nil
	}
	err := p.SetConnection(c.server.Text, p.Organization, p.Project)
	return p, err
}

// useServer points the profile at a local server, with the key typed above if there is one
// (tested there first), and says at once when the server wants a key it was not given.
func (c *firstRunCard) useServer() {
	status := c.key.status
	if strings.TrimSpace(c.server.Text) == "" {
		setStatus(status, "Type the server's address first, like http://localhost:11434/v1", true)
		return
	}
	p, err := c.connection()
	if err != nil {
		setStatus(status, "That is not an address like http://localhost:11434/v1: "+plain(err), true)
		return
	}
	if strings.TrimSpace(c.key.entry.Text) != "" {
		c.key.save(false)
		return
	}
	setStatus(status, "Asking "+p.BaseURL+"…", false)
	svc := c.m.svc
	bridge.Work(func() error {
		if err := svc.Prefs.SaveProfile(p); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return svc.TestKey(ctx, p, "")
	}, func(err error) {
		switch {
		case err == nil:
			c.m.keyChanged()
		case errors.Is(err, settings.ErrKeyRefused):
			setStatus(status, "The server at "+p.BaseURL+" is saved, but it needs an API key: paste it above and press Enter.", true)
			c.m.Window.Canvas().Focus(c.key.entry)
		default:
			// Saved, and asking it failed: it may simply not be running yet.
			c.m.keyChanged()
			c.m.showError("The server is saved, but it did not answer", err)
		}
	})
}

func setStatus(r *widget.RichText, text string, bad bool) {
	color := widgets.ColorMuted
	if bad {
		color = theme.ColorNameError
	}
	r.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: color}}}
	r.Refresh()
}
