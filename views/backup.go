package views

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"parley/backup"
	"parley/chat/attach"
	"parley/chat/store"
	"parley/views/bridge"
)

// backUp writes everything Parley keeps (conversations with every branch and file, usage
// records, presets; never a key) into one file the user picks.
func (m *Main) backUp() {
	m.chooseNewFile("The backup failed", "parley-"+time.Now().Format("2006-01-02")+".backup", nil, func(path string) {
		m.notify("Backing up…")
		type written struct {
			w   backup.Written
			err error
		}
		bridge.Work(func() (r written) {
			st, err := m.svc.History()
			if err != nil {
				return written{err: err}
			}
			r.w, r.err = backup.Write(m.backupSources(st), path)
			return r
		}, func(r written) {
			if r.err != nil {
				m.showError("The backup failed", r.err)
				return
			}
			m.inform("Backup written", fmt.Sprintf("%d conversations, with every version and file, the usage records and the presets are in %s (%s). "+
				"No API key is in it. File > Restore from Backup… brings it back, here or on another machine.", r.w.Conversations, path, attach.Size(r.w.Bytes)))
		})
	})
}

// restore merges a backup into the history, with a progress bar; nothing the history holds is
// replaced, so it asks nothing first. Stop (or Esc) stops it between two conversations.
func (m *Main) restore() {
	m.chooseFile("The restore failed", nil, m.restoreFrom)
}

func (m *Main) restoreFrom(path string) {
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	progress := dialog.NewCustom("Restoring from the backup", "Stop", container.NewVBox(bar, widget.NewLabel(path)), m.Window)
	progress.Resize(fyne.NewSize(480, 160))
	progress.SetOnClosed(cancel)
	m.present(progress, nil, progress.Hide)
	shown := bridge.NewThrottle(200*time.Millisecond, nil)
	type restored struct {
		r   backup.Restored
		err error
	}
	bridge.Work(func() (r restored) {
		st, err := m.svc.History()
		if err != nil {
			return restored{err: err}
		}
		r.r, r.err = backup.Restore(ctx, m.backupSources(st), path, func(done, total int) {
			shown.Push(func() { bar.SetValue(float64(done) / float64(max(total, 1))) })
		})
		return r
	}, func(r restored) {
		shown.Flush()
		progress.Hide()
		cancel()
		m.sidebar.reload()
		if r.err != nil {
			m.showError("The restore failed", r.err)
			return
		}
		m.usageChanged()
		title := "Restore finished"
		if r.r.Stopped {
			title = "Restore stopped"
		}
		m.report(title, r.r.Report())
	})
}

func (m *Main) backupSources(st *store.Store) backup.Sources {
	return backup.Sources{History: st, Meter: m.svc.Meter, Presets: m.svc.Presets}
}
