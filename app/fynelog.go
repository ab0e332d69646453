package app

import (
	"bytes"
	"io"
	"log"
	"strings"
	"sync"
)

// quietFyneRaces drops two messages Fyne logs that are not errors for Parley; everything else
// Fyne logs still reaches standard error:
//   - Fyne's preferences watcher re-reads preferences.json while Fyne rewrites it, reads it
//     half-written and logs "Preferences load error: EOF" (fyne-io/fyne#2936). Parley keeps
//     nothing there but the file dialogs' last folder, so nothing is lost.
//   - on a desktop without a tray (or without a session bus), the tray icon cannot register with
//     a StatusNotifierWatcher. Parley checks for a tray host itself and, without one, quits when
//     its window closes.
func quietFyneRaces(w io.Writer) {
	log.SetOutput(&fyneLogFilter{out: w})
}

type fyneLogFilter struct {
	mu       sync.Mutex
	out      io.Writer
	dropping bool // inside the dropped message, whose cause and place follow on their own lines
}

func (f *fyneLogFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := string(bytes.TrimRight(p, "\n"))
	switch {
	case strings.Contains(line, "Fyne error:  Preferences load error:"):
		f.dropping = true
		return len(p), nil
	case f.dropping && (strings.Contains(line, "  Cause: EOF") || strings.Contains(line, "  At: ")):
		return len(p), nil
	case strings.Contains(line, "systray error: failed to register") && strings.Contains(line, "StatusNotifierWatcher"),
		strings.Contains(line, "systray error: failed to connect to DBus"):
		return len(p), nil
	}
	f.dropping = false
	return f.out.Write(p)
}
