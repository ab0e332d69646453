package widgets

import (
	"net/url"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestSafeAndDisguisedLinks(t *testing.T) {
	parse := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	for link, safe := range map[string]bool{"https://x.org": true, "http://x.org": true, "mailto:a@b.c": true,
		"file:///etc/passwd": false, "javascript:alert(1)": false, "ssh://host": false, "vscode://open?x": false} {
		if SafeLink(parse(link)) != safe {
			t.Errorf("SafeLink(%s) = %v", link, !safe)
		}
	}
	for _, tc := range []struct {
		label, target string
		disguised     bool
	}{
		{"https://platform.openai.com/docs", "https://platform.openai.com/docs", false},
		{"platform.openai.com/docs", "https://platform.openai.com/docs", false},
		{"the docs", "https://platform.openai.com/docs", false},
		{"https://platform.openai.com/docs", "http://evil.example/exfil?data=secret", true},
		{"openai.com", "https://evil.example", true},
		{"www.openai.com", "https://openai.com/x", false},
		{"a@b.c", "mailto:a@b.c", false},
	} {
		if got := Disguised(tc.label, parse(tc.target)); got != tc.disguised {
			t.Errorf("Disguised(%q, %q) = %v", tc.label, tc.target, got)
		}
	}
}

// A tapped link goes through the screens' Open, with the text it shows; pointing at it says
// where it goes.
func TestLinksGoThroughTheScreens(t *testing.T) {
	newTestApp(t)
	var opened, label string
	var pointed []string
	act := Actions{
		Open: func(l string, u *url.URL) { opened, label = u.String(), l },
		Hover: func(u *url.URL) {
			s := ""
			if u != nil {
				s = u.String()
			}
			pointed = append(pointed, s)
		},
	}
	md := Markdown("Read [https://platform.openai.com/docs](file:///etc/passwd) first.", act)
	w := test.NewTempWindow(t, md)
	w.Resize(fyne.NewSize(600, 200))
	var p *Prose
	for _, o := range test.LaidOutObjects(md) {
		if q, ok := o.(*Prose); ok {
			p = q
		}
	}
	if p == nil {
		t.Fatal("no prose")
	}
	test.TempWidgetRenderer(t, p).Layout(fyne.NewSize(500, 100))
	var at fyne.Position
	for _, run := range p.r.runs {
		if run.link != nil {
			at = run.text.Position().AddXY(2, 2)
		}
	}
	p.MouseIn(&desktopMouse(at).MouseEvent)
	p.Tapped(&fyne.PointEvent{Position: at})
	if opened != "file:///etc/passwd" || label != "https://platform.openai.com/docs" {
		t.Fatalf("opened %q as %q", opened, label)
	}
	p.MouseOut()
	if len(pointed) != 2 || pointed[0] != "file:///etc/passwd" || pointed[1] != "" {
		t.Fatalf("pointed %q", pointed)
	}
}
