package main

import (
	"fmt"
	"io"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// idleCPU measures Parley doing nothing, as it spends most of a day: its window shown and
// focused (the caret in the message box), shown behind another window, and hidden to the tray;
// each beside the bare Fyne window idle, over the same span.
func idleCPU() {
	const span = 30 * time.Second
	url, stop := startServer()
	defer stop()
	bareCmd, _, _ := launch(*bare, home("idle-bare"), "Bare")
	time.Sleep(3 * time.Second)
	bareShare := cpuShare(bareCmd.Process.Pid, span)
	quit(bareCmd)
	base := fmt.Sprintf("%.2f%% (bare Fyne window, idle)", bareShare)

	stopTray := fakeTrayHost()
	defer stopTray()
	cmd, win, _ := launch(*bin, parleyEnv("idle", url), "Parley")
	defer quit(cmd)
	time.Sleep(3 * time.Second)
	xdotool("windowfocus", "--sync", fmt.Sprint(win))
	xdotool("type", "--delay", "5", "Hello") // the caret blinks for 10 s after the last key
	blinking := cpuShare(cmd.Process.Pid, 10*time.Second)
	time.Sleep(2 * time.Second)
	focused := cpuShare(cmd.Process.Pid, span)
	other, otherWin, _ := launch(*bare, home("idle-other"), "Bare")
	defer quit(other)
	xdotool("windowfocus", "--sync", fmt.Sprint(otherWin))
	time.Sleep(time.Second)
	behind := cpuShare(cmd.Process.Pid, span)
	closeWindow(win)
	time.Sleep(2 * time.Second)
	hidden := cpuShare(cmd.Process.Pid, span)
	for _, r := range []struct {
		name  string
		share float64
	}{{"window shown and focused, the caret at rest (from 10 s after the last key)", focused}, {"window shown, another window focused", behind}, {"window hidden to the tray", hidden}} {
		add(row{measure: fmt.Sprintf("CPU while idle, %s, over %.0f s (of one core)", r.name, span.Seconds()), parley: fmt.Sprintf("%.2f%%", r.share),
			baseline: base, target: "≤ 0.5%", verdict: verdict(r.share, 0.5)})
	}
	add(row{measure: "CPU in the 10 s after a key, the caret blinking in the focused message box (of one core)", parley: fmt.Sprintf("%.2f%%", blinking), baseline: base})
}

// cpuShare is a process's share of one core over a span, in percent.
func cpuShare(pid int, span time.Duration) float64 {
	before, begin := cpuTime(pid), time.Now()
	time.Sleep(span)
	return 100 * (cpuTime(pid) - before).Seconds() / time.Since(begin).Seconds()
}

// closeWindow asks a window to close as a window manager's close button does (WM_DELETE_WINDOW).
func closeWindow(win xproto.Window) {
	xgb.Logger.SetOutput(io.Discard)
	c, err := xgb.NewConn()
	check(err)
	defer c.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		check(err)
		return r.Atom
	}
	ev := xproto.ClientMessageEvent{Format: 32, Window: win, Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), 0, 0, 0, 0})}
	check(xproto.SendEventChecked(c, false, win, xproto.EventMaskNoEvent, string(ev.Bytes())).Check())
}

// fakeTrayHost stands in for a desktop's tray (org.kde.StatusNotifierWatcher with a host
// registered), so that closing Parley's window hides it to the tray rather than quitting.
func fakeTrayHost() func() {
	conn, err := dbus.ConnectSessionBus()
	check(err)
	conn.Export(trayWatcher{}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher")
	_, err = prop.Export(conn, "/StatusNotifierWatcher", prop.Map{"org.kde.StatusNotifierWatcher": {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	check(err)
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	check(err)
	if reply != dbus.RequestNameReplyPrimaryOwner {
		check(fmt.Errorf("the tray watcher's name is taken"))
	}
	return func() { conn.Close() }
}

type trayWatcher struct{}

func (trayWatcher) RegisterStatusNotifierItem(string) *dbus.Error { return nil }
func (trayWatcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }
