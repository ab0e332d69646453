package app

import (
	"strings"
	"unicode/utf8"
)

// terminalFilter removes what would drive a terminal instead of showing as text: escape
// sequences (colours, cursor moves, window titles, OSC 52 clipboard writes) and other control
// characters but newlines and tabs. An answer streams in pieces, so a sequence may be cut
// between two of them: the filter keeps its state from one to the next.
type terminalFilter struct {
	state   int // what the bytes so far are in
	pending []byte
}

const (
	inText = iota
	afterEsc
	inCSI    // ESC [ ... final byte
	inString // ESC ] (OSC), ESC P (DCS), ESC _ , ESC ^ ... ended by BEL or ESC \
	inStringEsc
)

// Write returns what of s a terminal may show.
func (f *terminalFilter) Write(s string) string {
	var b strings.Builder
	data := append(f.pending, s...)
	f.pending = nil
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 && !utf8.FullRune(data[i:]) {
			f.pending = append(f.pending, data[i:]...) // a character cut in two: wait for its rest
			break
		}
		i += size
		switch f.state {
		case inText:
			switch {
			case r == 0x1b:
				f.state = afterEsc
			case r == 0x9b: // CSI in one character
				f.state = inCSI
			case r == 0x9d || r == 0x90: // OSC, DCS
				f.state = inString
			case r == '\n' || r == '\t':
				b.WriteRune(r)
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
				// another control character: dropped
			default:
				b.WriteRune(r)
			}
		case afterEsc:
			switch r {
			case '[':
				f.state = inCSI
			case ']', 'P', '_', '^', 'X':
				f.state = inString
			default:
				f.state = inText // a two-character sequence
			}
		case inCSI:
			if r >= 0x40 && r <= 0x7e {
				f.state = inText
			}
		case inString:
			switch r {
			case 0x07, 0x9c:
				f.state = inText
			case 0x1b:
				f.state = inStringEsc
			}
		case inStringEsc:
			if r == '\\' {
				f.state = inText
			} else {
				f.state = inString
			}
		}
	}
	return b.String()
}
