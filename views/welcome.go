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
		return container.NewCenter(container.NewVBox(title, hint)), nil
	}
	c := newFirstRunCard(m)
	return c.content, c.key
}

// firstRunCard asks for a key, or a local server's address, right in the main window.
type firstRunCard struct {
	content  fyne.CanvasObject
	m        *Main
	key      *widget.Entry
	server   *widget.Entry
	status   *widget.RichText
	save     *widget.Button
	untested *widget.Button // save a key that could not be tested
	session  *widget.Button // hold a key in memory when the keychain cannot be used
}

func newFirstRunCard(m *Main) *firstRunCard {
	c := &firstRunCard{m: m, key: widget.NewPasswordEntry(), server: widget.NewEntry(), status: widget.NewRichText()}
	title := widget.NewRichText(&widget.TextSegment{Text: "Welcome to Parley", Style: widget.RichTextStyleHeading})
	intro := widget.NewRichText(&widget.TextSegment{
		Text:  "Paste your OpenAI API key to start. It is tested, then kept in your system's keychain, never in a file.",
		Style: widget.RichTextStyleParagraph,
	})
	intro.Wrapping = fyne.TextWrapWord
	keyURL, _ := url.Parse("https://platform.openai.com/api-keys")
	c.key.SetPlaceHolder("sk-…")
	c.key.OnSubmitted = func(string) { c.saveKey(false) }
	c.status.Wrapping = fyne.TextWrapWord
	c.session = &widget.Button{Text: "Use it for this session only", OnTapped: c.sessionKey}
	c.session.Hide()
	c.untested = &widget.Button{Text: "Save it untested", OnTapped: func() { c.saveKey(true) }}
	c.untested.Hide()
	c.save = &widget.Button{Text: "Save key and start", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: func() { c.saveKey(false) }}
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
		container.NewBorder(nil, nil, nil, c.save, c.key),
		container.NewHBox(widget.NewHyperlink("Get a key at platform.openai.com/api-keys", keyURL), c.untested, c.session),
		c.status,
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

// saveKey tests the key against the server (OpenAI, or the address typed below) and keeps it
// in the keychain once it passes; untested saves it without asking the server.
func (c *firstRunCard) saveKey(untested bool) {
	key := c.key.Text
	if _, err := settings.CleanKey(key); err != nil {
		setStatus(c.status, "The key "+strings.TrimPrefix(err.Error(), "the key "), true)
		return
	}
	p, err := c.connection()
	if err != nil {
		setStatus(c.status, plain(err), true)
		return
	}
	c.save.Disable()
	c.untested.Hide()
	if untested {
		setStatus(c.status, "Saving to the keychain…", false)
	} else {
		setStatus(c.status, "Testing the key with "+c.m.svc.Keys.Where(p).URL()+"…", false)
	}
	svc := c.m.svc
	bridge.Work(func() error {
		if err := svc.Prefs.SaveProfile(p); err != nil {
			return err
		}
		if untested {
			return svc.Keys.Set(p.ID, key)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return svc.Keys.SaveTested(ctx, p, key, svc.TestKey)
	}, func(err error) {
		c.save.Enable()
		if err != nil {
			c.failed(err)
			return
		}
		c.m.keyChanged()
	})
}

// failed says why the key was not saved, and offers what can still be done.
func (c *firstRunCard) failed(err error) {
	setStatus(c.status, plain(err), true)
	var ke *settings.KeychainError
	var ue *settings.UntestedError
	switch {
	case errors.As(err, &ke):
		c.session.Show()
	case errors.As(err, &ue):
		c.untested.Show()
	}
}

func (c *firstRunCard) sessionKey() {
	if err := c.m.svc.Keys.SetSession(c.m.profile().ID, c.key.Text); err != nil {
		setStatus(c.status, plain(err), true)
		return
	}
	c.m.keyChanged()
}

// useServer points the profile at a local server, with the key typed above if there is one,
// and says at once when the server wants a key it was not given.
func (c *firstRunCard) useServer() {
	if strings.TrimSpace(c.server.Text) == "" {
		setStatus(c.status, "Type the server's address first, like http://localhost:11434/v1", true)
		return
	}
	p, err := c.connection()
	if err != nil {
		setStatus(c.status, "That is not an address like http://localhost:11434/v1: "+plain(err), true)
		return
	}
	key := strings.TrimSpace(c.key.Text)
	setStatus(c.status, "Asking "+p.BaseURL+"…", false)
	svc := c.m.svc
	bridge.Work(func() error {
		if err := svc.Prefs.SaveProfile(p); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if key != "" {
			return svc.Keys.SaveTested(ctx, p, key, svc.TestKey)
		}
		return svc.TestKey(ctx, p, "")
	}, func(err error) {
		switch {
		case err == nil:
		case errors.Is(err, settings.ErrKeyRefused) && key == "":
			setStatus(c.status, "The server at "+p.BaseURL+" is saved, but it needs an API key: paste it above and press Enter.", true)
			c.m.Window.Canvas().Focus(c.key)
			return
		case key == "" && p.BaseURL != "":
			// Saved, and asking it failed: it may simply not be running yet.
			c.m.keyChanged()
			c.m.showError("The server is saved, but it did not answer", err)
			return
		default:
			c.failed(err)
			return
		}
		c.m.keyChanged()
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
