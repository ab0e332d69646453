package markdown

import (
	"fmt"
	"strings"
	"unicode"

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
	words := strings.Fields(b.String())
	name := ""
	for _, w := range words {
		if len([]rune(name))+len([]rune(w))+1 > 80 {
			break
		}
		name = strings.TrimSpace(name + " " + w)
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
