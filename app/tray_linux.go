//go:build linux

package app

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"parley/assets"
	"parley/views/bridge"
)

// showTray publishes Parley's tray item on the session bus (a StatusNotifierItem with its menu)
// through fyne.io/systray directly, from a goroutine. Fyne's own tray would first create a
// hidden window with its own GL context: 8 MB and tens of milliseconds at every start, for a
// tray that needs only the bus. The item registers again whenever a tray host appears, so a
// panel that starts after Parley still shows it. refresh updates the item's labels.
func showTray(_ fyne.App, menu *fyne.Menu) (refresh func()) {
	var mu sync.Mutex
	var items []*systray.MenuItem // beside menu.Items; nil for a separator
	start, _ := systray.RunWithExternalLoop(func() {
		systray.SetIcon(assets.TrayIcon.Content())
		systray.SetTitle(Name)
		systray.SetTooltip(Name)
		mu.Lock()
		defer mu.Unlock()
		for _, it := range menu.Items {
			if it.IsSeparator {
				systray.AddSeparator()
				items = append(items, nil)
				continue
			}
			item := systray.AddMenuItem(it.Label, "")
			if it.Disabled {
				item.Disable()
			}
			items = append(items, item)
			go func(action func()) {
				for range item.ClickedCh {
					if action != nil {
						bridge.Do(action)
					}
				}
			}(it.Action)
		}
	}, nil)
	go start()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		for i, item := range items {
			if item != nil {
				item.SetTitle(menu.Items[i].Label)
			}
		}
	}
}

// trayHostAvailable tells whether something shows tray icons: on Linux, a StatusNotifierWatcher
// on the session bus with a host registered (a panel that draws the icons). A bus that does not
// answer within a second has no tray either.
func trayHostAvailable() bool {
	answer := make(chan bool, 1)
	go func() { answer <- askTrayHost() }()
	select {
	case ok := <-answer:
		return ok
	case <-time.After(time.Second):
		return false
	}
}

func askTrayHost() bool {
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false
	}
	if err := conn.Hello(); err != nil {
		return false
	}
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&owned); err != nil || !owned {
		return false
	}
	v, err := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").GetProperty("org.kde.StatusNotifierWatcher.IsStatusNotifierHostRegistered")
	if err != nil {
		return false
	}
	registered, _ := v.Value().(bool)
	return registered
}
