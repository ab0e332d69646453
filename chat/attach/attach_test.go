package attach

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat"
)

func write(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

func encoded(t testing.TB, img image.Image, format string) []byte {
	var b bytes.Buffer
	switch format {
	case "png":
		png.Encode(&b, img)
	case "jpeg":
		jpeg.Encode(&b, img, nil)
	}
	return b.Bytes()
}

// pdfWith is a PDF whose page objects sit in a compressed object stream (as most PDFs written
// since 2005 keep them), showing text.
func pdfWith(pages int, extra string) []byte {
	var objs strings.Builder
	for range pages {
		objs.WriteString("<< /Type /Page /Parent 2 0 R /Contents 9 0 R >>\n")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(objs.String()))
	zw.Close()
	var content bytes.Buffer
	cw := zlib.NewWriter(&content)
	cw.Write([]byte("BT /F1 12 Tf (Quarterly results \\(draft\\)) Tj [(grew) -250 (by 12%)] TJ ET"))
	cw.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	b.WriteString("5 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n")
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n9 0 obj << /Filter /FlateDecode >>\nstream\n")
	b.Write(content.Bytes())
	b.WriteString("\nendstream\nendobj\n" + extra + "trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n")
	return b.Bytes()
}

// Files are known by their content: an image's pixels and a thumbnail, a PDF's pages (in its
// compressed object streams) and text, a text file's text whatever its name.
func TestReadWhatCanBeAttached(t *testing.T) {
	f, err := Read(write(t, "photo.jpg", encoded(t, picture(1200, 800), "jpeg")))
	if err != nil || f.Kind != chat.AttachImage || f.MIME != "image/jpeg" || f.Width != 1200 || f.Height != 800 || len(f.Hash) != 64 {
		t.Fatalf("%+v %v", f, err)
	}
	thumb, _, err := image.Decode(bytes.NewReader(f.Thumb))
	if err != nil || thumb.Bounds().Dx() != ThumbPx || thumb.Bounds().Dy() != 160 {
		t.Fatalf("thumbnail %v %v", thumb.Bounds(), err)
	}
	webp, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if f, err := FromBytes("pasted.webp", webp); err != nil || f.MIME != "image/webp" || f.Width != 1 {
		t.Fatalf("webp: %+v %v", f, err)
	}
	p, err := Read(write(t, "report.pdf", pdfWith(3, "")))
	if err != nil || p.Kind != chat.AttachPDF || p.Pages != 3 || !strings.Contains(p.Text, "Quarterly results (draft)") || !strings.Contains(p.Text, "grew") {
		t.Fatalf("%+v %v", p, err)
	}
	src, err := Read(write(t, "main.go.txt.bak", []byte("\ufeffpackage main\n\nfunc main() { println(\"héllo\") }\n")))
	if err != nil || src.Kind != chat.AttachText || !strings.HasPrefix(src.Text, "package main") {
		t.Fatalf("%+v %v", src, err)
	}
	again, _ := Read(write(t, "copy.jpg", f.Data))
	if again.Hash != f.Hash {
		t.Fatal("the same bytes hash differently")
	}
}

// What cannot be sent is refused with one sentence that says why.
func TestReadRefusesWhatCannotBeSent(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "backup.img")
	if f, err := os.Create(huge); err == nil {
		f.Truncate(2 << 30) // 2 GB, sparse: refused before a byte is read
		f.Close()
	}
	var anim bytes.Buffer
	pal := []color.Color{color.Black, color.White}
	gif.EncodeAll(&anim, &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 4, 4), pal), image.NewPaletted(image.Rect(0, 0, 4, 4), pal)}, Delay: []int{10, 10}})
	pngData := encoded(t, picture(300, 300), "png")
	full := pdfWith(2, "")
	for _, c := range []struct {
		path, says string
	}{
		{dir, "it is a folder"},
		{huge, "it is 2.0 GB, and Parley attaches files up to 100 MB"},
		{filepath.Join(dir, "missing.png"), "there is no such file"},
		{write(t, "empty.txt", nil), "it is empty"},
		{write(t, "chart.png", []byte("month,sales\njan,3\n")), "its name says it is an image, but it holds text"},
		{write(t, "cut.png", pngData[:len(pngData)/2]), "damaged or cut short"},
		{write(t, "spinner.gif", anim.Bytes()), "animated GIF"},
		{write(t, "locked.pdf", pdfWith(1, "7 0 obj << /Filter /Standard /V 2 >> endobj\n/Encrypt 7 0 R\n")), "encrypted"},
		{write(t, "half.pdf", full[:len(full)-40]), "damaged or cut short"},
		{write(t, "archive.zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00binary\x00\x01\x02")), "not an image"},
		{write(t, "tiff.tif", []byte("II*\x00\x08\x00\x00\x00")), "not an image"},
	} {
		_, err := Read(c.path)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.UserMessage(), c.says) {
			t.Errorf("%s: %v (want %q)", filepath.Base(c.path), err, c.says)
		}
	}
}
