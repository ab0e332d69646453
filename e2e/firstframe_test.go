//go:build e2e

package e2e

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"parley/chat/chattest"
)

// The window shows its content from the moment it maps: its first frame, painted in software
// while GLFW made the window, is the window's background until the GL driver's own first frame
// covers it, and the two show the same screen.
func TestTheWindowShowsItsContentWhenItMaps(t *testing.T) {
	h := newHome(t)
	_, url := server(t, chattest.Options{})
	xgb.Logger.SetOutput(io.Discard)
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("connecting to the display: %v", err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := xproto.ChangeWindowAttributesChecked(conn, root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		t.Fatalf("watching the display: %v", err)
	}

	// Without its shader cache Mesa compiles every shader the GL frame meets: that frame comes a
	// quarter of a second or more after the mapping, long after Parley is stopped below.
	a := start(t, h, []string{"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=" + testKey, "MESA_SHADER_CACHE_DISABLE=true"})
	mapped := make(chan xproto.Window)
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if m, ok := ev.(xproto.MapNotifyEvent); ok {
				mapped <- m.Window
			}
		}
	}()
	var win xproto.Window
	var atMap *image.RGBA
	for atMap == nil {
		select {
		case win = <-mapped:
		case <-time.After(20 * time.Second):
			t.Fatal("Parley's window did not map within 20 s")
		}
		// Held still, the window shows what the X server put there when it mapped it.
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGSTOP)
		name, err := xproto.GetProperty(conn, false, win, xproto.AtomWmName, xproto.AtomAny, 0, 64).Reply()
		if err == nil && string(name.Value) == "Parley" {
			atMap, err = windowImage(conn, win)
		}
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGCONT)
		if err != nil {
			t.Fatal(err)
		}
	}
	saveScreen(t, atMap, "first-frame-at-map")
	// The sidebar's blue "New chat" button, below the menu bar
	if r, g, b := rgbAt(atMap, 20, 53); !(b > 180 && r < 120 && g < 170) {
		t.Fatalf("at the mapping the window shows rgb(%d, %d, %d) where the New chat button is: no content", r, g, b)
	}

	// Then the GL frame covers it: the same screen, up to where text and edges fall a pixel
	// apart (the software painter rounds positions to whole pixels) and what changed meanwhile.
	var gl *image.RGBA
	eventually(t, 20*time.Second, func() error {
		now, err := windowImage(conn, win)
		if err != nil {
			return err
		}
		if differing(atMap, now, 0) == 0 {
			return fmt.Errorf("the window has not drawn its first GL frame")
		}
		gl = now
		return nil
	})
	saveScreen(t, gl, "first-frame-gl")
	if n, all := differing(atMap, gl, 40), gl.Bounds().Dx()*gl.Bounds().Dy(); n > all/20 {
		t.Errorf("%d of %d pixels differ between the software frame and the GL frame: not the same screen", n, all)
	}
}

// windowImage reads what a window shows.
func windowImage(conn *xgb.Conn, win xproto.Window) (*image.RGBA, error) {
	geo, err := xproto.GetGeometry(conn, xproto.Drawable(win)).Reply()
	if err != nil {
		return nil, fmt.Errorf("the window's size: %w", err)
	}
	got, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(win), 0, 0, geo.Width, geo.Height, 0xffffffff).Reply()
	if err != nil {
		return nil, fmt.Errorf("reading the window: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, int(geo.Width), int(geo.Height)))
	if len(got.Data) < len(img.Pix) {
		return nil, fmt.Errorf("the window's image is %d bytes, not %d", len(got.Data), len(img.Pix))
	}
	for i := 0; i < len(img.Pix); i += 4 { // BGRX on the test display's 24-bit TrueColor visual
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = got.Data[i+2], got.Data[i+1], got.Data[i], 0xff
	}
	return img, nil
}

func rgbAt(img *image.RGBA, x, y int) (r, g, b uint8) {
	i := img.PixOffset(x, y)
	return img.Pix[i], img.Pix[i+1], img.Pix[i+2]
}

// differing counts the pixels where a channel of a and b differs by more than tolerance.
func differing(a, b *image.RGBA, tolerance int) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for i := 0; i < len(a.Pix); i += 4 {
		for k := range 3 {
			if d := int(a.Pix[i+k]) - int(b.Pix[i+k]); d > tolerance || -d > tolerance {
				n++
				break
			}
		}
	}
	return n
}

// saveScreen keeps an image with the run's screenshots, for a person to look at.
func saveScreen(t *testing.T, img image.Image, name string) {
	t.Helper()
	dir := os.Getenv("PARLEY_SCREENS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
