//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"parley/chat/chattest"
)

// closeWindow asks a window to close, as a window manager's close button does (WM_DELETE_WINDOW).
func closeWindow(t *testing.T, id string) {
	t.Helper()
	xgb.Logger.SetOutput(io.Discard) // it reports a missing ~/.Xauthority, which Xvfb does not need
	c, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			t.Fatal(err)
		}
		return r.Atom
	}
	n, _ := strconv.ParseUint(id, 10, 32)
	win := xproto.Window(n)
	ev := xproto.ClientMessageEvent{Format: 32, Window: win, Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), 0, 0, 0, 0})}
	if err := xproto.SendEventChecked(c, false, win, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		t.Fatal(err)
	}
}

type menuNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// trayMenu reads the tray menu a parley process published on the session bus (dbusmenu).
func trayMenu(t *testing.T, pid int) (*dbus.Conn, dbus.BusObject, []menuNode) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", pid)
	var menuPath dbus.ObjectPath
	eventually(t, 10*time.Second, func() error {
		v, err := conn.Object(name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
		if err != nil {
			return fmt.Errorf("no tray item %s on the session bus: %v", name, err)
		}
		menuPath = v.Value().(dbus.ObjectPath)
		return nil
	})
	menu := conn.Object(name, menuPath)
	var revision uint32
	var layout menuNode
	if err := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &layout); err != nil {
		t.Fatal(err)
	}
	var items []menuNode
	for _, c := range layout.Children {
		var n menuNode
		if err := dbus.Store([]any{c.Value()}, &n); err != nil {
			t.Fatal(err)
		}
		items = append(items, n)
	}
	return conn, menu, items
}

func label(n menuNode) string {
	if v, ok := n.Props["label"]; ok {
		s, _ := v.Value().(string)
		return s
	}
	if v, ok := n.Props["type"]; ok && v.Value() == "separator" {
		return "---"
	}
	return ""
}

func click(t *testing.T, menu dbus.BusObject, id int32) {
	t.Helper()
	if err := menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err; err != nil {
		t.Fatal(err)
	}
}

// The tray item is on the session bus with its menu; its Quick Ask opens a window that asks the
// test server; `parley --quick` hands over to the running Parley; a killed Parley's lock does not
// block the next start.
func TestTrayQuickAskAndOneInstance(t *testing.T) {
	h := newHome(t)
	s, url := server(t, chattest.Options{TokensPerSecond: 80})
	env := []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey}
	a := launch(t, h, env)
	main := window(t, "Parley", 20*time.Second)

	_, menu, items := trayMenu(t, a.cmd.Process.Pid)
	var labels []string
	for _, n := range items {
		labels = append(labels, label(n))
	}
	if len(items) != 7 || labels[0] != "Quick Ask…" || labels[1] != "New Chat" || labels[2] != "Show Parley" ||
		labels[3] != "---" || !strings.HasPrefix(labels[4], "Today: 0 tokens") || labels[5] != "No answers in the background" || labels[6] != "Quit" {
		t.Fatalf("tray menu %q", labels)
	}
	if enabled, ok := items[4].Props["enabled"]; !ok || enabled.Value() != false {
		t.Fatalf("the usage line is not disabled: %v", items[4].Props)
	}

	// Quick Ask from the tray.
	begin := time.Now()
	click(t, menu, items[0].ID)
	quick := window(t, "Quick Ask", 10*time.Second)
	t.Logf("tray click to Quick Ask mapped: %v", time.Since(begin))
	screenshot(t, quick, "quick-ask")
	s.Reply("Quick answer: **42**.\n\n```python\nprint(42)\n```")
	typeText(t, quick, "What is the answer?")
	key(t, quick, "Return")
	eventually(t, 10*time.Second, func() error {
		for _, c := range history(t, h, env) {
			if c.Title == "What is the answer?" && c.Tokens > 0 {
				return nil
			}
		}
		return fmt.Errorf("the quick ask is not in the history yet")
	})
	time.Sleep(400 * time.Millisecond)
	screenshot(t, quick, "quick-ask-answer")
	code, out, _ := parley(t, h, env, "", "history", "list", "--json")
	if code != 0 || !strings.Contains(out, `"quick_ask": true`) {
		t.Fatalf("the quick ask is not marked: %s", out)
	}
	_, _, items = trayMenu(t, a.cmd.Process.Pid)
	if l := label(items[4]); strings.HasPrefix(l, "Today: 0 tokens") {
		t.Fatalf("the tray's usage line did not follow: %q", l)
	}
	key(t, quick, "Escape")
	eventually(t, 5*time.Second, func() error {
		if _, err := findWindow("Quick Ask", 100*time.Millisecond); err == nil {
			return fmt.Errorf("Quick Ask still shown")
		}
		return nil
	})

	// A second start hands over and exits at once: parley --quick opens Quick Ask here.
	begin = time.Now()
	second := launch(t, h, env, "--quick")
	if code := second.wait(10 * time.Second); code != 0 {
		t.Fatalf("the second parley exited %d: %s", code, second.stderr.String())
	}
	window(t, "Quick Ask", 10*time.Second)
	t.Logf("--quick hand-off to Quick Ask mapped: %v", time.Since(begin))
	if n := countParleys(t, h); n != 1 {
		t.Fatalf("%d parley processes", n)
	}
	// A plain second start brings the main window forward, and exits too.
	if code := launch(t, h, env).wait(10 * time.Second); code != 0 {
		t.Fatal("a plain second start did not exit 0")
	}
	_ = main

	// A Parley killed outright leaves its socket behind; the next start is not blocked.
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.wait(5 * time.Second)
	if _, err := os.Stat(h.Runtime + "/parley/instance.sock"); err != nil {
		t.Fatalf("no stale socket to test with: %v", err)
	}
	third := launch(t, h, env)
	window(t, "Parley", 20*time.Second)
	key(t, window(t, "Parley", time.Second), "ctrl+q")
	if code := third.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d after a stale lock", code)
	}
}

// countParleys counts the parley processes running with this home.
func countParleys(t *testing.T, h home) int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", os.Getenv("PARLEY_BIN")).Output()
	n := 0
	for _, pid := range strings.Fields(string(out)) {
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		if err == nil && strings.Contains(string(env), "HOME="+h.Dir+"\x00") {
			n++
		}
	}
	return n
}

// fakeWatcher stands in for a desktop's tray host: it owns org.kde.StatusNotifierWatcher and
// says a host is registered.
func fakeWatcher(t *testing.T) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{}
	conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher")
	props := prop.Map{"org.kde.StatusNotifierWatcher": {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}}
	if _, err := prop.Export(conn, "/StatusNotifierWatcher", props); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not own the watcher name: %v %v", reply, err)
	}
}

type watcher struct{}

func (*watcher) RegisterStatusNotifierItem(service string) *dbus.Error { return nil }
func (*watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// With a tray host, closing the window keeps Parley in the tray; "Show Parley" brings it back
// and "Quit" exits 0. Without one, closing the window quits.
func TestClosingTheWindow(t *testing.T) {
	h := newHome(t)
	_, url := server(t, chattest.Options{})
	env := []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey}

	// No tray host on this bus: closing quits.
	a := launch(t, h, env)
	closeWindow(t, window(t, "Parley", 20*time.Second))
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("closing without a tray: exit %d", code)
	}

	fakeWatcher(t)
	a = launch(t, h, env)
	closeWindow(t, window(t, "Parley", 20*time.Second))
	time.Sleep(1500 * time.Millisecond)
	if !a.running() {
		t.Fatal("closing the window with a tray host quit Parley")
	}
	if _, err := findWindow("Parley", 200*time.Millisecond); err == nil {
		t.Fatal("the window is still shown")
	}
	_, menu, items := trayMenu(t, a.cmd.Process.Pid)
	click(t, menu, items[2].ID) // Show Parley
	window(t, "Parley", 10*time.Second)
	click(t, menu, items[6].ID) // Quit
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("Quit from the tray: exit %d", code)
	}
	if a.stderr.Len() > 0 {
		t.Fatalf("error output:\n%s", a.stderr.String())
	}
}
