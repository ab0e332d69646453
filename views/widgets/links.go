package widgets

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
)

// SafeLink tells the links Parley opens without asking what they are: the web and mail.
func SafeLink(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// OpenSafe opens a web or mail link; any other kind (file:, a custom scheme) is not opened.
func OpenSafe(u *url.URL) {
	if SafeLink(u) {
		fyne.CurrentApp().OpenURL(u)
	}
}

// Disguised tells a link whose text names another place than it goes to: "https://platform.
// openai.com/docs" pointing elsewhere. A label of plain words names no place.
func Disguised(label string, u *url.URL) bool {
	l := strings.TrimSpace(strings.TrimPrefix(label, "🖼 "))
	if l == u.String() || l == strings.TrimPrefix(u.String(), u.Scheme+"://") || l == u.Opaque {
		return false
	}
	host := ""
	if lu, err := url.Parse(l); err == nil && lu.Host != "" {
		host = lu.Host
	} else if first := strings.Fields(l); len(first) == 1 && strings.Contains(l, ".") && !strings.ContainsAny(l, " /") {
		host = l // "openai.com", a bare domain
	} else if len(first) == 1 && strings.Contains(l, ".") {
		if lu, err := url.Parse("https://" + l); err == nil {
			host = lu.Host
		}
	}
	if host == "" {
		return false
	}
	return !strings.EqualFold(strings.TrimPrefix(host, "www."), strings.TrimPrefix(u.Host, "www."))
}
