package markdown

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"parley/chat/store"
)

// FileName makes a safe, unique file name for a conversation's export: its date and title,
// without characters any file system refuses, and numbered when taken already. taken records
// the names handed out (compare case-insensitively: macOS and Windows do).
func FileName(c store.Conversation, taken map[string]bool) string {
	var b strings.Builder
	for _, r := range c.Title {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_' || r == '\'':
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	// At most 80 characters and 150 bytes: the date, a number and ".md" come on top, and file
	// systems count bytes (255), which titles in four-byte characters reach quickly.
	const maxChars, maxBytes = 80, 150
	name := ""
	for _, w := range strings.Fields(b.String()) {
		next := strings.TrimSpace(name + " " + w)
		if utf8.RuneCountInString(next) > maxChars || len(next) > maxBytes {
			if name == "" { // one word longer than a name: its start
				name = cut(next, maxChars, maxBytes)
			}
			break
		}
		name = next
	}
	if name == "" {
		name = "Conversation"
	}
	if reserved(name) {
		name += "_"
	}
	base := c.Created.Local().Format("2006-01-02") + " " + name
	candidate := base + ".md"
	for n := 2; taken[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d).md", base, n)
	}
	taken[strings.ToLower(candidate)] = true
	return candidate
}

// reserved tells the names Windows will not give a file.
func reserved(name string) bool {
	switch strings.ToUpper(name) {
	case "CON", "PRN", "AUX", "NUL",
		"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return true
	}
	return false
}

// cut shortens s to at most chars characters and bytes bytes, on a character boundary.
func cut(s string, chars, bytes int) string {
	n := 0
	for i, r := range s {
		if n == chars || i+utf8.RuneLen(r) > bytes {
			return s[:i]
		}
		n++
	}
	return s
}
