package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// The window's file dialogs: each hands over a path, says what failed in the user's words, and
// does nothing when cancelled.

// chooseFile asks for a file to read (exts: the extensions offered, none: any).
func (m *Main) chooseFile(failure string, exts []string, then func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			m.showError(failure, err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		then(path)
	}, m.Window)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// chooseNewFile asks where to write a file, suggesting a name.
func (m *Main) chooseNewFile(failure, name string, exts []string, then func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			m.showError(failure, err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		then(path)
	}, m.Window)
	d.SetFileName(name)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// chooseFolder asks for a folder.
func (m *Main) chooseFolder(failure string, then func(path string)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			m.showError(failure, err)
			return
		}
		if dir != nil {
			then(dir.Path())
		}
	}, m.Window)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}
