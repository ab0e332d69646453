package views

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"parley/chat/importer"
	"parley/chat/markdown"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/format"
)

// importFile reads a file into the history: a Parley Markdown export (opened once read), or a
// ChatGPT or Claude export (.zip, or its conversations.json), imported with a progress bar
// while the window stays usable.
func (m *Main) importFile() {
	m.chooseFile("The import failed", []string{".md", ".zip", ".json"}, m.importPath)
}

// importPath imports the file at path, by what it is.
func (m *Main) importPath(path string) {
	if !strings.EqualFold(filepath.Ext(path), ".md") {
		m.importExport(path)
		return
	}
	type imported struct {
		c   store.Conversation
		err error
	}
	bridge.Work(func() (i imported) {
		st, err := m.svc.History()
		if err == nil {
			i.c, _, err = markdown.ImportFile(st, path)
		}
		i.err = err
		return i
	}, func(i imported) {
		if i.err != nil {
			m.showError("The import failed", i.err)
			return
		}
		m.sidebar.reload()
		m.Open(i.c.ID)
	})
}

// importExport imports a ChatGPT or Claude export. A dialog shows how far it is, and Cancel (or
// Esc) stops it between two conversations; the sidebar shows conversations as they arrive. At
// the end a summary says what came in, what was left out and why.
func (m *Main) importExport(path string) {
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	counts := widget.NewLabel("Reading " + filepath.Base(path) + "…")
	body := container.NewVBox(bar, counts)
	d := dialog.NewCustom("Importing conversations", "Cancel", body, m.Window)
	d.Resize(fyne.NewSize(480, 160))
	d.SetOnClosed(cancel)
	m.present(d, nil, d.Hide)
	shown := bridge.NewThrottle(250*time.Millisecond, nil)
	lastReload := time.Now()
	progress := func(p importer.Progress) {
		shown.Push(func() {
			bar.SetValue(p.Fraction)
			from := ""
			if p.Format != "" {
				from = " from " + string(p.Format)
			}
			counts.SetText(fmt.Sprintf("%s conversations, %s messages%s…", format.Thousands(p.Conversations), format.Thousands(p.Messages), from))
			if time.Since(lastReload) > 2*time.Second { // the sidebar fills as they arrive
				lastReload = time.Now()
				m.sidebar.reload()
			}
		})
	}
	type done struct {
		sum importer.Summary
		err error
	}
	bridge.Work(func() (r done) {
		st, err := m.svc.History()
		if err != nil {
			return done{err: err}
		}
		r.sum, r.err = importer.Run(ctx, st, path, importer.Options{Progress: progress})
		return r
	}, func(r done) {
		shown.Flush()
		d.Hide()
		cancel()
		m.sidebar.reload()
		if r.err != nil {
			m.showError("Nothing was imported", r.err)
			return
		}
		title := "Import finished"
		if r.sum.Stopped != "" {
			title = "Import stopped"
		}
		m.report(title, r.sum.Report())
	})
}
