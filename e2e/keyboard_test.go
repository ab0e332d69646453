//go:build e2e

package e2e

import (
	"io"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// deadKey gives the test display's keyboard a key for a keysym its "us" layout lacks (a dead key)
// before Parley starts, as a user's own layout has it, and returns what presses it in a window.
// Binding it while Parley runs raced with Parley reading the new mapping: on a loaded machine
// the press came first and the accent was lost (1 start in 12, with both cores busy).
func deadKey(t *testing.T, keysym xproto.Keysym) (press func(id string)) {
	t.Helper()
	xgb.Logger.SetOutput(io.Discard)
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("connecting to the display: %v", err)
	}
	if err := xtest.Init(conn); err != nil {
		conn.Close()
		t.Fatalf("XTEST: %v", err)
	}
	setup := xproto.Setup(conn)
	first, count := setup.MinKeycode, int(setup.MaxKeycode-setup.MinKeycode)+1
	m, err := xproto.GetKeyboardMapping(conn, first, byte(count)).Reply()
	if err != nil {
		conn.Close()
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
		conn.Close()
		t.Fatal("the test display's keyboard has no spare key")
	}
	bind := func(s xproto.Keysym) error {
		return xproto.ChangeKeyboardMappingChecked(conn, 1, code, 1, []xproto.Keysym{s}).Check()
	}
	if err := bind(keysym); err != nil {
		conn.Close()
		t.Fatalf("binding keysym %#x to keycode %d: %v", keysym, code, err)
	}
	t.Cleanup(func() {
		bind(0)
		conn.Close()
	})
	root := setup.DefaultScreen(conn).Root
	return func(id string) {
		t.Helper()
		xdotool(t, "windowfocus", "--sync", id)
		for _, typ := range []byte{xproto.KeyPress, xproto.KeyRelease} {
			if err := xtest.FakeInputChecked(conn, typ, byte(code), 0, root, 0, 0, 0).Check(); err != nil {
				t.Fatalf("pressing keycode %d: %v", code, err)
			}
		}
	}
}
