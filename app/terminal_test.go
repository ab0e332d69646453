package app

import (
	"strings"
	"testing"
)

func TestTerminalFilterDropsControlSequences(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"plain text, ünïcode 日本 👋\n\ttab"}, "plain text, ünïcode 日本 👋\n\ttab"},
		{[]string{"\x1b[31mred\x1b[0m"}, "red"},
		{[]string{"\x1b[", "2J", "cleared"}, "cleared"},          // a sequence cut between pieces
		{[]string{"\x1b]0;evil title\x07after"}, "after"},        // window title
		{[]string{"\x1b]52;c;ZXZpbA==\x1b\\copied?"}, "copied?"}, // OSC 52: the clipboard
		{[]string{"bell\x07 backspace\x08 cr\r del\x7f c1\u009b31mX"}, "bell backspace cr del c1X"},
		{[]string{"\xe6\x97", "\xa5"}, "日"}, // a character cut in two
	} {
		f := &terminalFilter{}
		var got strings.Builder
		for _, piece := range tc.in {
			got.WriteString(f.Write(piece))
		}
		if got.String() != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got.String(), tc.want)
		}
	}
}
