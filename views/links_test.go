package views

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
)

// Links open only to the web and mail, and one that names another place than it goes to asks
// first; pointing at a link shows where it goes.
func TestLinksOpenOnlyWhereTheySay(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	var opened []string
	m.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	parse := func(s string) *url.URL { u, _ := url.Parse(s); return u }

	m.openLink("the docs", parse("https://platform.openai.com/docs"))
	if len(opened) != 1 {
		t.Fatalf("a plain link did not open: %v", opened)
	}
	m.openLink("https://platform.openai.com/docs", parse("file:///etc/passwd"))
	if len(opened) != 1 || !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "file:///etc/passwd") {
		t.Fatalf("a file link: opened %v", opened)
	}
	m.openLink("https://platform.openai.com/docs", parse("http://evil.example/exfil?data=x"))
	if len(opened) != 1 {
		t.Fatalf("a disguised link opened without asking: %v", opened)
	}
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "evil.example") || !strings.Contains(markup, "Open it?") {
		t.Fatal("no question before a disguised link")
	}
	m.pointLink(parse("https://example.org/x"))
	if !strings.Contains(m.conversation.status.notice.Text, "Opens https://example.org/x") {
		t.Fatalf("status %q", m.conversation.status.notice.Text)
	}
}
