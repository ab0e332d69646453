//go:build e2e

package e2e

import (
	"io"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// pressUnmapped presses and releases a key for a keysym the test display's keyboard lacks (a dead
// key, on a "us" layout), in the window id: it binds the keysym to a spare keycode, gives the
// window 0.3 s to read the new mapping, presses, and unbinds a second later, when the window has
// long read the press. xdotool unbinds straight after pressing, and a busy client that reads the
// press after the unbinding loses it (it did in CI).
func pressUnmapped(t *testing.T, id string, keysym xproto.Keysym) {
	t.Helper()
	xdotool(t, "windowfocus", "--sync", id)
	xgb.Logger.SetOutput(io.Discard)
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("connecting to the display: %v", err)
	}
	defer conn.Close()
	if err := xtest.Init(conn); err != nil {
		t.Fatalf("XTEST: %v", err)
	}
	setup := xproto.Setup(conn)
	first, count := setup.MinKeycode, int(setup.MaxKeycode-setup.MinKeycode)+1
	m, err := xproto.GetKeyboardMapping(conn, first, byte(count)).Reply()
	if err != nil {
		t.Fatalf("reading the keyboard mapping: %v", err)
	}
	per := int(m.KeysymsPerKeycode)
	code := xproto.Keycode(0)
	for i := count - 1; i >= 0 && code == 0; i-- { // from the top: xdotool takes its spare keys from the bottom
		empty := true
		for _, s := range m.Keysyms[i*per : (i+1)*per] {
			empty = empty && s == 0
		}
		if empty {
			code = xproto.Keycode(int(first) + i)
		}
	}
	if code == 0 {
		t.Fatal("the test display's keyboard has no spare key")
	}
	bind := func(s xproto.Keysym) {
		if err := xproto.ChangeKeyboardMappingChecked(conn, 1, code, 1, []xproto.Keysym{s}).Check(); err != nil {
			t.Fatalf("binding keysym %#x to keycode %d: %v", s, code, err)
		}
	}
	root := setup.DefaultScreen(conn).Root
	press := func(typ byte) {
		if err := xtest.FakeInputChecked(conn, typ, byte(code), 0, root, 0, 0, 0).Check(); err != nil {
			t.Fatalf("pressing keycode %d: %v", code, err)
		}
	}
	bind(keysym)
	time.Sleep(300 * time.Millisecond)
	press(xproto.KeyPress)
	press(xproto.KeyRelease)
	time.Sleep(time.Second)
	bind(0)
}
