package views

import (
	"net/url"

	"parley/views/widgets"
)

// links is what rendered answers' controls do: Copy puts code on the clipboard, a link opens
// only after it says where it goes when that is not what it shows, and pointing at one says it.
func (m *Main) links() widgets.Actions {
	return widgets.Actions{Copy: m.copyText, Open: m.openLink, Hover: m.pointLink}
}

// openLink opens web and mail links. Any other kind (file:, a custom scheme) is named and not
// opened; a link whose text names another place than it goes to asks first.
func (m *Main) openLink(label string, u *url.URL) {
	switch {
	case !widgets.SafeLink(u):
		m.inform("Link not opened", "Parley opens only web and mail links. This one goes to:\n\n"+u.String()+
			"\n\nCopy it from the answer (Copy as Markdown) if you trust it.")
	case widgets.Disguised(label, u):
		m.confirm("Open a link that goes elsewhere?", "The link reads\n\n"+label+"\n\nbut goes to\n\n"+u.String()+"\n\nOpen it?", "Open the link", false,
			func() { m.openURL(u) })
	default:
		m.openURL(u)
	}
}

// pointLink shows where the link under the pointer goes, in the status bar.
func (m *Main) pointLink(u *url.URL) {
	if u != nil {
		m.notify("Opens " + u.String())
	}
}
