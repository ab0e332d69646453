package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
	"parley/settings"
)

// A new chat offers the presets; one chosen sets the system prompt, model and temperature the
// question is asked with, and they are kept with the conversation. The chat's own settings
// become a preset, which Settings then lists; Quick Ask asks with one.
func TestPresetsInTheWindow(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	v := m.conversation
	m.NewChat()
	settle(t, 200*time.Millisecond)
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "Or start from a preset:") || !strings.Contains(markup, "Explain code") {
		t.Fatal("an empty chat does not offer the presets")
	}
	// The toolbar's System prompt menu: edit it, or take a preset.
	v.pickSystemPrompt()
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "Edit the System Prompt…") || !strings.Contains(markup, "Translate to English") ||
		!strings.Contains(markup, "Save This Chat as a Preset…") {
		t.Fatal("the System prompt menu does not offer the presets")
	}
	m.Window.Canvas().Overlays().Top().Hide()
	warm := float32(0.3)
	p, err := m.svc.Presets.Save(settings.Preset{Name: "Terse reviewer", SystemPrompt: "Review code in three bullets.", Model: "gpt-4o", Temperature: &warm})
	if err != nil {
		t.Fatal(err)
	}
	v.usePreset(p)
	if v.system() != "Review code in three bullets." || v.model() != "gpt-4o" {
		t.Fatalf("system %q, model %q", v.system(), v.model())
	}
	srv.Reply("• fine\n• fine\n• fine")
	sendText(v, "func f() {}")
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	sent := srv.ChatRequests()[0]
	if sent.Messages[0].Role != "system" || sent.Temperature == nil || *sent.Temperature < 0.29 || *sent.Temperature > 0.31 || sent.Model != "gpt-4o" {
		t.Fatalf("sent %+v", sent)
	}
	c, _ := hist.Conversation(v.conv.ID)
	if c.SystemPrompt != "Review code in three bullets." || c.Temperature == nil || *c.Temperature != warm {
		t.Fatalf("kept %+v", c)
	}
	// This chat's settings, saved as a preset from the form.
	v.saveAsPreset()
	name := m.Window.Canvas().Focused().(*escEntry)
	name.SetText("From a chat")
	name.onConfirm()
	settleUntil(t, 5*time.Second, func() bool { _, ok := findPreset(m, "From a chat"); return ok })
	if got, _ := findPreset(m, "From a chat"); got.Model != "gpt-4o" || got.SystemPrompt != "Review code in three bullets." || got.Temperature == nil {
		t.Fatalf("%+v", got)
	}
	m.ShowSettings()
	settle(t, 300*time.Millisecond)
	found := false
	for _, o := range m.settings.presets.Options {
		found = found || o == "From a chat"
	}
	if !found {
		t.Fatalf("Settings lists %v", m.settings.presets.Options)
	}
	// Quick Ask with a preset.
	m.ShowQuickAsk()
	q := m.quick
	q.preset.SetSelected("Terse reviewer")
	srv.Reply("• ok")
	test.Type(q.entry, "x := 1")
	q.ask()
	settleUntil(t, 10*time.Second, func() bool { return q.cancel == nil && len(srv.ChatRequests()) == 2 })
	if sent := srv.ChatRequests()[1]; string(sent.Messages[0].Content) != "Review code in three bullets." {
		t.Fatalf("Quick Ask sent %+v", sent.Messages)
	}
}

func findPreset(m *Main, name string) (settings.Preset, bool) {
	for _, p := range m.svc.Presets.List() {
		if p.Name == name {
			return p, true
		}
	}
	return settings.Preset{}, false
}
