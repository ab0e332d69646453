package main

import (
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// clickTrayItem clicks an item of a parley process's tray menu over D-Bus (com.canonical.dbusmenu).
func clickTrayItem(pid int, label string) {
	conn, err := dbus.ConnectSessionBus()
	check(err)
	defer conn.Close()
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", pid)
	v, err := conn.Object(name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	check(err)
	menu := conn.Object(name, v.Value().(dbus.ObjectPath))
	type node struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	var revision uint32
	var layout node
	check(menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &layout))
	for _, c := range layout.Children {
		var n node
		check(dbus.Store([]any{c.Value()}, &n))
		if l, ok := n.Props["label"]; ok && l.Value() == label {
			check(menu.Call("com.canonical.dbusmenu.Event", 0, n.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err)
			return
		}
	}
	check(fmt.Errorf("no tray item %q", label))
}
