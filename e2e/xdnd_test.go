//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// dropFiles drops files on a window as a file manager does, by the XDND protocol: a source
// window owns the XdndSelection, sends XdndEnter (offering text/uri-list), XdndPosition and
// XdndDrop to the target, hands over the list of file URIs when the target asks for it, and
// waits for XdndFinished. GLFW, under Fyne, is the target: nothing in Parley is bypassed.
func dropFiles(t *testing.T, windowID string, paths ...string) {
	t.Helper()
	xgb.Logger.SetOutput(io.Discard)
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n, _ := strconv.ParseUint(windowID, 10, 32)
	target := xproto.Window(n)
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn).Root
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			t.Fatal(err)
		}
		return r.Atom
	}
	enter, position, drop, finished, status := atom("XdndEnter"), atom("XdndPosition"), atom("XdndDrop"), atom("XdndFinished"), atom("XdndStatus")
	selection, uriList, copyAction := atom("XdndSelection"), atom("text/uri-list"), atom("XdndActionCopy")

	source, _ := xproto.NewWindowId(conn)
	xproto.CreateWindow(conn, 0, source, root, 0, 0, 1, 1, 0, xproto.WindowClassInputOnly, 0, 0, nil)
	xproto.SetSelectionOwner(conn, source, selection, xproto.TimeCurrentTime)

	var list strings.Builder
	for _, p := range paths {
		list.WriteString((&url.URL{Scheme: "file", Path: p}).String() + "\r\n")
	}
	geo, err := xproto.TranslateCoordinates(conn, target, root, 200, 200).Reply()
	if err != nil {
		t.Fatal(err)
	}
	send := func(typ xproto.Atom, data ...uint32) {
		for len(data) < 5 {
			data = append(data, 0)
		}
		ev := xproto.ClientMessageEvent{Format: 32, Window: target, Type: typ, Data: xproto.ClientMessageDataUnionData32New(data)}
		xproto.SendEvent(conn, false, target, xproto.EventMaskNoEvent, string(ev.Bytes()))
	}
	send(enter, uint32(source), 5<<24, uint32(uriList))
	send(position, uint32(source), 0, uint32(geo.DstX)<<16|uint32(geo.DstY), 0, uint32(copyAction))

	done := make(chan error, 1)
	go func() {
		dropped := false
		for {
			ev, err := conn.WaitForEvent()
			if err != nil || ev == nil {
				done <- fmt.Errorf("the X connection ended: %v", err)
				return
			}
			switch e := ev.(type) {
			case xproto.ClientMessageEvent:
				switch e.Type {
				case status:
					if !dropped {
						dropped = true
						send(drop, uint32(source), 0, 0)
					}
				case finished:
					if e.Data.Data32[1]&1 == 0 {
						done <- fmt.Errorf("the window refused the drop")
						return
					}
					done <- nil
					return
				}
			case xproto.SelectionRequestEvent:
				// The target asks for the files: the list goes in the property it names.
				xproto.ChangeProperty(conn, xproto.PropModeReplace, e.Requestor, e.Property, e.Target, 8, uint32(list.Len()), []byte(list.String()))
				reply := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: e.Property}
				xproto.SendEvent(conn, false, e.Requestor, xproto.EventMaskNoEvent, string(reply.Bytes()))
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the window never finished the drop")
	}
}
