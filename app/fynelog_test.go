package app

import (
	"bytes"
	"log"
	"testing"
)

func TestFyneLogFilterDropsOnlyWhatIsNoError(t *testing.T) {
	var out bytes.Buffer
	l := log.New(&fyneLogFilter{out: &out}, "", 0)
	l.Println("Fyne error:  Preferences load error:")
	l.Println("  Cause: EOF")
	l.Printf("  At: %s:%d", "/fyne/app/preferences.go", 103)
	l.Println("systray error: failed to register: The name org.kde.StatusNotifierWatcher was not provided by any .service files")
	l.Println("systray error: failed to connect to DBus: dbus: DBUS_SESSION_BUS_ADDRESS not set")
	l.Println("Fyne error:  Window creation error")
	l.Println("  Cause: no GL")
	l.Printf("  At: %s:%d", "/fyne/driver.go", 12)
	want := "Fyne error:  Window creation error\n  Cause: no GL\n  At: /fyne/driver.go:12\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
