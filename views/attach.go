package views

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/attach"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// Files in a question: dropped on the window, picked with the paperclip or Ctrl+Shift+A. Each is
// read, measured and thumbnailed off the UI goroutine by chat/attach, shown as a chip above the
// message box (a thumbnail or a card, its size or pages, its detail for images and PDFs, a
// remove button), counted with the question, and sent with it.

// detailWords name an image's detail as the chip's menu offers it.
var detailWords = []struct{ detail, label string }{
	{"", "Auto"}, {"low", "Low: cheapest, a 512-px look"}, {"high", "High: fine print, resized to the model's limit"},
	{"original", "Original: every pixel (models from GPT-5.4)"},
}

func detailLabel(d string) string {
	for _, w := range detailWords {
		if w.detail == d {
			return strings.SplitN(w.label, ":", 2)[0]
		}
	}
	return "Auto"
}

// attachPaths reads files to attach off the UI goroutine; what cannot be attached is said, what
// can becomes a chip. The text typed stays as it is.
func (v *conversationView) attachPaths(paths []string) {
	v.composer.attach(paths, func(refused []string) {
		if len(refused) > 0 {
			v.m.showError("Not attached", errors.New(strings.Join(refused, "\n")))
		}
	}, func(files []attach.File) {
		v.updateSend()
		v.countLater()
		v.checkModelSees(files)
	})
}

// attach reads files into the box's chips off the UI goroutine (at most attach.MaxFiles in
// all); refused hears what could not be attached and why, added what was.
func (c *composer) attach(paths []string, refused func([]string), added func([]attach.File)) {
	room := attach.MaxFiles - len(c.files) - c.reading
	var why []string
	if len(paths) > room {
		why = append(why, fmt.Sprintf("%d files were left out: a question takes %d at most.", len(paths)-max(room, 0), attach.MaxFiles))
		paths = paths[:max(room, 0)]
	}
	if len(paths) == 0 {
		refused(why)
		return
	}
	c.reading += len(paths)
	c.showChips()
	type read struct {
		files []attach.File
		why   []string
	}
	bridge.Work(func() (r read) {
		for _, p := range paths {
			f, err := attach.Read(p)
			if err != nil {
				r.why = append(r.why, plain(err))
				continue
			}
			r.files = append(r.files, f)
		}
		return r
	}, func(r read) {
		c.reading -= len(paths)
		for _, f := range r.files {
			c.files = append(c.files, f.Stored(""))
		}
		c.showChips()
		refused(append(why, r.why...))
		if len(r.files) > 0 {
			added(r.files)
		}
	})
}

// checkModelSees offers another model when the conversation's cannot read what was attached.
func (v *conversationView) checkModelSees(files []attach.File) {
	model := v.model()
	info := v.m.svc.Models(model)
	if !info.Known {
		return
	}
	for _, f := range files {
		blind := f.Kind == chat.AttachImage && !info.Vision || f.Kind == chat.AttachPDF && !info.Files
		if blind {
			what := map[chat.AttachmentKind]string{chat.AttachImage: "images", chat.AttachPDF: "PDF files"}[f.Kind]
			v.m.confirm("Switch model", fmt.Sprintf("%s does not read %s. Pick a model that does?", model, what), "Pick a model", false, v.pickModel)
			return
		}
	}
}

// pickFiles opens the file dialog to attach files (the paperclip, Ctrl+Shift+A).
func (m *Main) pickFiles() {
	if !m.conversationShown() {
		m.ShowConversation()
	}
	m.chooseFile("Not attached", []string{".png", ".jpg", ".jpeg", ".webp", ".gif", ".pdf", ".txt", ".md", ".go", ".py", ".js", ".ts",
		".json", ".csv", ".html", ".xml", ".yaml", ".yml", ".toml", ".sql", ".sh", ".c", ".h", ".cpp", ".java", ".rs", ".rb", ".log"},
		func(path string) { m.conversation.attachPaths([]string{path}) })
}

// dropped attaches the files dropped on the window.
func (m *Main) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if !m.conversationShown() {
		m.ShowConversation()
	}
	m.conversation.attachPaths(paths)
}

// fileChip shows one attached file above the message box.
func (c *composer) fileChip(i int, f store.Attachment) fyne.CanvasObject {
	parts := []fyne.CanvasObject{fileIcon(f, 36)}
	parts = append(parts, widget.NewLabel(f.Name+" · "+fileFacts(f)))
	if f.Kind == chat.AttachImage || f.Kind == chat.AttachPDF {
		detail := &widget.Button{Text: detailLabel(f.Detail), Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.LowImportance}
		detail.OnTapped = func() {
			if c.detailMenu != nil {
				c.detailMenu(i, detail)
			}
		}
		parts = append(parts, detail)
	}
	parts = append(parts, &widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() { c.removeFile(i) }})
	return container.NewStack(widgets.NewThemedRect(widgets.ColorUserBubble, 8), container.NewHBox(parts...))
}

// fileFacts is what a file's chip and card say of it: its size, pixels or pages.
func fileFacts(f store.Attachment) string {
	facts := []string{attach.Size(f.Size)}
	switch {
	case f.Kind == chat.AttachImage && f.Width > 0:
		facts = append(facts, fmt.Sprintf("%d×%d", f.Width, f.Height))
	case f.Kind == chat.AttachPDF && f.Pages == 1:
		facts = append(facts, "1 page")
	case f.Kind == chat.AttachPDF:
		facts = append(facts, format.Thousands(f.Pages)+" pages")
	}
	return strings.Join(facts, " · ")
}

// fileIcon is an image's thumbnail, or an icon for its kind, size×size.
func fileIcon(f store.Attachment, size float32) fyne.CanvasObject {
	if thumb := thumbnails.get(f); thumb != nil {
		img := canvas.NewImageFromImage(thumb)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(size, size))
		return img
	}
	icon := theme.FileTextIcon()
	if f.Kind == chat.AttachPDF {
		icon = theme.DocumentIcon()
	}
	w := widget.NewIcon(icon)
	return container.NewGridWrap(fyne.NewSize(size, size), w)
}

// thumbnails keeps decoded thumbnails by file: rows are bound again as the transcript scrolls,
// and decoding a PNG each time cost a frame.
var thumbnails = thumbCache{byHash: map[string]image.Image{}}

type thumbCache struct {
	mu     sync.Mutex
	byHash map[string]image.Image
	order  []string
}

// thumbsKept bounds the cache: a few screens of thumbnails.
const thumbsKept = 256

func (c *thumbCache) get(f store.Attachment) image.Image {
	if len(f.Thumb) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if img, ok := c.byHash[f.Hash]; ok {
		return img
	}
	img, err := png.Decode(bytes.NewReader(f.Thumb))
	if err != nil {
		return nil
	}
	c.byHash[f.Hash] = img
	c.order = append(c.order, f.Hash)
	for len(c.order) > thumbsKept {
		delete(c.byHash, c.order[0])
		c.order = c.order[1:]
	}
	return img
}

func (c *composer) removeFile(i int) {
	if i < 0 || i >= len(c.files) {
		return
	}
	c.files = append(c.files[:i], c.files[i+1:]...)
	c.showChips()
	if c.change != nil {
		c.change()
	}
}

// setDetail sets how closely the model looks at file i.
func (c *composer) setDetail(i int, detail string) {
	if i >= 0 && i < len(c.files) {
		c.files[i].Detail = detail
		c.showChips()
		if c.change != nil {
			c.change()
		}
	}
}

// pickDetail offers the details of file i's chip.
func (v *conversationView) pickDetail(i int, under fyne.CanvasObject) {
	menu := fyne.NewMenu("")
	for _, w := range detailWords {
		item := fyne.NewMenuItem(w.label, func() { v.composer.setDetail(i, w.detail) })
		item.Checked = i < len(v.composer.files) && v.composer.files[i].Detail == w.detail
		menu.Items = append(menu.Items, item)
	}
	v.m.popUnder(menu, under)
}

// fileCards show a question's files in the transcript: thumbnails and cards that open the file
// with the system's viewer.
func (r *messageRow) fileCards(it *item) fyne.CanvasObject {
	box := container.NewHBox()
	for _, f := range it.msg.Attachments {
		open := &widget.Button{Importance: widget.LowImportance, OnTapped: func() { r.actions.openFile(f) }}
		card := container.NewStack(open, container.NewPadded(container.NewHBox(fileIcon(f, 64),
			container.NewVBox(widget.NewLabel(f.Name), widget.NewRichText(&widget.TextSegment{Text: fileFacts(f), Style: smallStyle(widgets.ColorMuted, false)})))))
		box.Add(card)
	}
	return container.NewHScroll(box)
}

// openFile opens an attached file with the system's viewer: written (once) to a private folder
// of the user's temporary folder, off the UI goroutine.
func (v *conversationView) openFile(f store.Attachment) {
	bridge.Work(func() (out struct {
		path string
		err  error
	}) {
		data, err := f.Bytes()
		if err != nil {
			out.err = err
			return
		}
		dir := filepath.Join(os.TempDir(), "parley-files-"+fmt.Sprint(os.Getuid()), f.Hash)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			out.err = err
			return
		}
		out.path = filepath.Join(dir, filepath.Base(f.Name))
		if _, err := os.Stat(out.path); err != nil {
			out.err = os.WriteFile(out.path, data, 0o600)
		}
		return
	}, func(out struct {
		path string
		err  error
	}) {
		if out.err != nil {
			v.m.showError("The file could not be opened", out.err)
			return
		}
		v.m.openURL(&url.URL{Scheme: "file", Path: out.path})
	})
}
