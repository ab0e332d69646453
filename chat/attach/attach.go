// Package attach is Parley's use case of attaching a file to a question: it reads the file (never
// one too large to send: its size is checked first), tells by its content what it is (an image,
// a PDF, a text or code file), refuses what cannot be sent with one plain sentence (empty,
// damaged, encrypted, animated, mislabelled, a folder), and measures what the engine needs to
// count it (an image's pixels, a PDF's pages and text), with a hash to store it once and a
// thumbnail to show it. The window, Quick Ask and `parley ask -a` all attach through it; it
// never imports Fyne.
package attach

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	_ "image/jpeg" // the image formats the API takes
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"parley/chat"
	"parley/chat/store"
)

// The limits of one attachment: a larger file is refused before it is read.
const (
	// MaxBytes is the largest file Parley attaches (the API takes 512 MB a request, but a
	// request carries the file base64-encoded, and is sent again with each later question).
	MaxBytes = 100 << 20
	// MaxFiles is how many files one question takes.
	MaxFiles = 50
	// ThumbPx is the longest side of an image's thumbnail.
	ThumbPx = 240
)

// File is a file read to attach.
type File struct {
	Name string
	Kind chat.AttachmentKind
	MIME string
	Size int64
	Hash string // SHA-256 of the bytes, hex: the same file is stored once
	// Width and Height are an image's pixels; Pages a PDF's pages.
	Width, Height, Pages int
	// Text is a text file's text, or what could be read of a PDF's (for the estimate).
	Text  string
	Data  []byte
	Thumb []byte // an image's thumbnail, PNG
}

// Error is a file that cannot be attached, and why, in plain words.
type Error struct {
	Name, Why string
}

func (e *Error) Error() string { return e.Name + ": " + e.Why }

// UserMessage is the error as the window and the command line show it.
func (e *Error) UserMessage() string { return fmt.Sprintf("%q cannot be attached: %s", e.Name, e.Why) }

func refuse(name, why string, args ...any) error {
	return &Error{Name: name, Why: fmt.Sprintf(why, args...)}
}

// Read reads a file to attach.
func Read(path string) (File, error) {
	name := filepath.Base(path)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return File{}, refuse(name, "there is no such file")
	case errors.Is(err, fs.ErrPermission):
		return File{}, refuse(name, "you may not read it")
	case err != nil:
		return File{}, refuse(name, "it cannot be read (%v)", err)
	case fi.IsDir():
		return File{}, refuse(name, "it is a folder; attach the files in it")
	case !fi.Mode().IsRegular():
		return File{}, refuse(name, "it is not a regular file")
	case fi.Size() > MaxBytes:
		return File{}, refuse(name, "it is %s, and Parley attaches files up to %d MB", sizeOf(fi.Size()), MaxBytes>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return File{}, refuse(name, "it cannot be read (%v)", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return File{}, refuse(name, "it cannot be read (%v)", err)
	}
	if len(data) > MaxBytes {
		return File{}, refuse(name, "it grew past %d MB while it was read", MaxBytes>>20)
	}
	return FromBytes(name, data)
}

// FromBytes makes an attachment of a file's bytes (a file read, or an image pasted).
func FromBytes(name string, data []byte) (File, error) {
	if len(data) == 0 {
		return File{}, refuse(name, "it is empty")
	}
	sum := sha256.Sum256(data)
	f := File{Name: name, Size: int64(len(data)), Hash: hex.EncodeToString(sum[:]), Data: data}
	sniffed := http.DetectContentType(data)
	claimed := claimedKind(name)
	switch {
	case strings.HasPrefix(sniffed, "image/"):
		return readImage(f, sniffed)
	case sniffed == "application/pdf" || bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], " \t\r\n"), []byte("%PDF-")):
		return readPDF(f)
	case claimed == "image":
		return File{}, refuse(name, "its name says it is an image, but it holds %s", contentWords(data, sniffed))
	case claimed == "pdf":
		return File{}, refuse(name, "its name says it is a PDF, but it holds %s", contentWords(data, sniffed))
	case isText(data):
		f.Kind, f.MIME, f.Text = chat.AttachText, "text/plain", strings.TrimPrefix(string(data), "\ufeff")
		return f, nil
	}
	return File{}, refuse(name, "it is not an image (PNG, JPEG, WebP, GIF), a PDF or a text file")
}

// claimedKind is what a file's name says it is.
func claimedKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return "image"
	case ".pdf":
		return "pdf"
	}
	return ""
}

func contentWords(data []byte, sniffed string) string {
	if isText(data) {
		return "text"
	}
	return "something else (" + strings.Split(sniffed, ";")[0] + ")"
}

// isText tells text: valid UTF-8 with no NUL bytes.
func isText(data []byte) bool {
	return utf8.Valid(data) && bytes.IndexByte(data, 0) < 0
}

// readImage reads an image: its pixels, and a thumbnail from decoding it whole (which also finds a
// damaged or truncated one). An animated GIF is refused: the API takes still images.
func readImage(f File, mime string) (File, error) {
	f.Kind, f.MIME = chat.AttachImage, mime
	switch mime {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
	default:
		return File{}, refuse(f.Name, "it is a %s image, and the API takes PNG, JPEG, WebP and GIF", strings.TrimPrefix(mime, "image/"))
	}
	if mime == "image/gif" {
		g, err := gif.DecodeAll(bytes.NewReader(f.Data))
		if err != nil {
			return File{}, refuse(f.Name, "the image is damaged or cut short")
		}
		if len(g.Image) > 1 {
			return File{}, refuse(f.Name, "it is an animated GIF, and the API takes still images only")
		}
	}
	img, _, err := image.Decode(bytes.NewReader(f.Data))
	if err != nil {
		return File{}, refuse(f.Name, "the image is damaged or cut short")
	}
	b := img.Bounds()
	f.Width, f.Height = b.Dx(), b.Dy()
	f.Thumb = thumbnail(img)
	return f, nil
}

// thumbnail scales an image to fit ThumbPx, as a PNG.
func thumbnail(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > ThumbPx {
		w, h = max(w*ThumbPx/long, 1), max(h*ThumbPx/long, 1)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	png.Encode(&out, dst)
	return out.Bytes()
}

func sizeOf(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Size is a file's size as Parley writes it ("1.4 MB").
func Size(n int64) string { return sizeOf(n) }

// Stored is the file as a question carries it, to be kept in the history (detail: "", "low",
// "high", "original").
func (f File) Stored(detail string) store.Attachment {
	return store.Attachment{Name: f.Name, Kind: f.Kind, MIME: f.MIME, Size: f.Size, Hash: f.Hash, Detail: detail,
		Width: f.Width, Height: f.Height, Pages: f.Pages, Text: f.Text, Thumb: f.Thumb, Data: f.Data}
}
