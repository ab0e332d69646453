package widgets

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
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

// Linkify's expressions are compiled the first time a text that starts like a link is parsed
// (third_party/goldmark); Prepare does that off the UI goroutine, so that the first answer with a
// link parses it as cheaply as any later one. Allocations are counted, not bytes: matching takes
// a backtracker's state of some 80 KB from regexp's pool, and a GC (or the race detector) may
// have emptied the pool, while compiling is some 1,800 allocations that nothing else comes near.
// They are counted process-wide, so each measurement runs in a process of its own where nothing
// else allocates meanwhile (here, goroutines left by other tests' windows sometimes do).
func TestPrepareLeavesTheFirstLinkLittleToDo(t *testing.T) {
	if os.Getenv(firstLinksChild) != "" {
		return
	}
	measure := func(prepare string) uint64 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFirstLinksChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), firstLinksChild+"="+prepare)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("measuring in a child process: %v\n%s", err, out)
		}
		var grew uint64
		for _, line := range strings.Split(string(out), "\n") {
			if n, ok := strings.CutPrefix(line, "allocations "); ok {
				grew, err = strconv.ParseUint(strings.TrimSpace(n), 10, 64)
				if err != nil {
					t.Fatalf("child printed %q", line)
				}
				return grew
			}
		}
		t.Fatalf("the child printed no figure:\n%s", out)
		return 0
	}
	// Compiling the two expressions and parsing the line: about 1,820 allocations; parsing the
	// line alone: 26 to 80.
	cold, prepared := measure("no"), measure("yes")
	t.Logf("first links: %d allocations without Prepare, %d after it", cold, prepared)
	if cold < 1000 {
		t.Fatalf("the first links without Prepare took only %d allocations: the measurement no longer sees the compiling", cold)
	}
	if prepared > 300 {
		t.Fatalf("parsing the first links after Prepare took %d allocations (without it, %d): the expressions were compiled then", prepared, cold)
	}
}

const firstLinksChild = "PARLEY_FIRST_LINKS_CHILD"

// TestFirstLinksChild is the child process of TestPrepareLeavesTheFirstLinkLittleToDo: it parses
// a line with two links, after Prepare or not, and prints how many allocations the parse made.
func TestFirstLinksChild(t *testing.T) {
	mode := os.Getenv(firstLinksChild)
	if mode == "" {
		t.Skip("run by TestPrepareLeavesTheFirstLinkLittleToDo")
	}
	if mode == "yes" {
		Prepare()
	}
	source := []byte("See https://go.dev/doc and www.example.org for more.")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	doc := gfm.Parser().Parse(text.NewReader(source))
	runtime.ReadMemStats(&after)
	links := 0
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if _, ok := n.(*ast.AutoLink); ok && entering {
			links++
		}
		return ast.WalkContinue, nil
	})
	if links != 2 {
		t.Fatalf("%d links found in %q, want 2", links, source)
	}
	fmt.Printf("allocations %d\n", after.Mallocs-before.Mallocs)
}
