package views

import (
	"fyne.io/fyne/v2"

	"parley/settings"
	"parley/views/bridge"
)

// profileLabel names a profile and where it sends requests: "Work · api.openai.com".
func profileLabel(p settings.Profile, keys *settings.Keys) string {
	return p.Name + " · " + keys.Where(p).Host()
}

// pickProfile offers the profiles beside the model, to switch from the conversation itself.
func (m *Main) pickProfile(under fyne.CanvasObject) {
	prefs := m.svc.Prefs.Prefs()
	current := prefs.CurrentProfile()
	menu := fyne.NewMenu("")
	for _, p := range prefs.Profiles {
		item := fyne.NewMenuItem(profileLabel(p, m.svc.Keys), func() { m.switchProfile(p.ID) })
		item.Checked = p.ID == current.ID
		menu.Items = append(menu.Items, item)
	}
	menu.Items = append(menu.Items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Manage profiles…", m.ShowSettings))
	m.popUnder(menu, under)
}

// switchProfile makes a profile the current one: its key, its server, a new chat.
func (m *Main) switchProfile(id string) {
	if id == m.profile().ID {
		return
	}
	bridge.Work(func() error { return m.svc.Prefs.SwitchProfile(id) }, func(err error) {
		if err != nil {
			m.showError("The profile could not be switched", err)
			return
		}
		m.profileSwitched()
	})
}
