package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// colours maps each piece of highlighted code to the colour it is shown in.
func colours(segs []widget.RichTextSegment) map[string]fyne.ThemeColorName {
	out := map[string]fyne.ThemeColorName{}
	for _, s := range segs {
		t := s.(*widget.TextSegment)
		out[strings.TrimSpace(t.Text)] = t.Style.ColorName
	}
	return out
}

func syntax(kind string) fyne.ThemeColorName { return fyne.ThemeColorName(ColorSyntaxPrefix + kind) }

// The highlighter's languages are read at the first code block (chroma's registry in
// third_party is lazy): languages written in Go (Go, PHP), in chroma's XML files (Python,
// SQL), found by a file name, and guessed from the text by the analysers Go code adds to
// XML lexers (DNS zones, MySQL, Zed) must all still be there.
func TestHighlightKnowsItsLanguages(t *testing.T) {
	cases := []struct {
		lang, code string
		want       map[string]string
	}{
		{"go", "package main\n// Says hello.\nfunc main() { fmt.Println(\"hi\", 42) }\n",
			map[string]string{"package": "keyword", "// Says hello.": "comment", "func": "keyword", "main": "function", `"hi"`: "string", "42": "number"}},
		{"python", "def greet(name):\n    return f'hi {name}'  # polite\n",
			map[string]string{"def": "keyword", "greet": "function", "# polite": "comment"}},
		{"php", "<?php echo 'hi'; ?>", map[string]string{"echo": "keyword", "'hi'": "string"}},
		{"Dockerfile", "FROM debian:bookworm\nRUN apt-get update\n", map[string]string{"FROM": "keyword", "RUN": "keyword"}},
		{"", "$ORIGIN example.com.\n@ IN SOA ns1 admin 1 2 3 4 5\n", map[string]string{"IN": "keyword"}},
		{"", "SELECT `name` FROM `users` WHERE `id` = 1;", map[string]string{"SELECT": "keyword", "FROM": "keyword", "1": "number"}},
	}
	for _, c := range cases {
		got := colours(highlight(c.lang, c.code))
		for piece, kind := range c.want {
			if got[piece] != syntax(kind) {
				t.Errorf("%s code %q: %q is coloured %q, want %s (all: %v)", c.lang, c.code, piece, got[piece], kind, got)
			}
		}
	}
}

func TestHighlightShowsUnknownLanguagesPlain(t *testing.T) {
	segs := highlight("no-such-language", "just some words")
	if len(segs) != 1 {
		t.Fatalf("unknown language: %d segments, want the code as one", len(segs))
	}
	s := segs[0].(*widget.TextSegment)
	if s.Text != "just some words" || s.Style.ColorName != theme.ColorNameForeground || !s.Style.TextStyle.Monospace || s.Style.Inline {
		t.Errorf("unknown language shown as %+v", s)
	}
}
