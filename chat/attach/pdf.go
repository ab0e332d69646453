package attach

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"

	"parley/chat"
)

// A PDF is read only as far as the estimate needs, by looking, not by rendering: its pages
// (the page objects, in the file and in its compressed object streams), and what text its
// content streams show. Encrypted and damaged files are refused: the API would refuse them.

var (
	pagePattern   = regexp.MustCompile(`/Type\s*/Page\b[^s]`)
	countPattern  = regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`)
	streamPattern = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	showPattern   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj|\[((?:[^\]])*)\]\s*TJ`)
	stringPattern = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)`)
)

// maxInflate bounds what one compressed stream may inflate to while it is looked at.
const maxInflate = 16 << 20

// maxPDFText bounds the text kept for the estimate.
const maxPDFText = 1 << 20

func readPDF(f File) (File, error) {
	f.Kind, f.MIME = chat.AttachPDF, "application/pdf"
	data := f.Data
	if !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")) {
		return File{}, refuse(f.Name, "the PDF is damaged or cut short (it has no end)")
	}
	if bytes.Contains(data, []byte("/Encrypt")) {
		return File{}, refuse(f.Name, "the PDF is encrypted; save a copy without its password first")
	}
	pages, counted := len(pagePattern.FindAll(data, -1)), 0
	var text strings.Builder
	for _, m := range streamPattern.FindAllSubmatch(data, -1) {
		body := inflate(m[1])
		pages += len(pagePattern.FindAll(body, -1))
		for _, c := range countPattern.FindAllSubmatch(body, -1) {
			counted = max(counted, atoi(c[1], c[2]))
		}
		if text.Len() < maxPDFText {
			shown(&text, body)
		}
	}
	for _, c := range countPattern.FindAllSubmatch(data, -1) {
		counted = max(counted, atoi(c[1], c[2]))
	}
	if counted > 0 {
		pages = counted // the page tree's own count, when it says
	}
	if pages == 0 {
		return File{}, refuse(f.Name, "the PDF is damaged: no page could be found in it")
	}
	f.Pages, f.Text = pages, text.String()
	return f, nil
}

// inflate is a stream's content: inflated when it is compressed (bounded), else as it is.
func inflate(body []byte) []byte {
	r, err := zlib.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, _ := io.ReadAll(io.LimitReader(r, maxInflate))
	return out
}

// shown adds the text a content stream shows (its Tj and TJ strings).
func shown(b *strings.Builder, content []byte) {
	for _, m := range showPattern.FindAllSubmatch(content, -1) {
		if len(m[1]) > 0 {
			b.Write(unescape(m[1]))
		} else {
			for _, s := range stringPattern.FindAllSubmatch(m[2], -1) {
				b.Write(unescape(s[1]))
			}
		}
		b.WriteByte(' ')
	}
}

var unescaper = strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`, `\n`, "\n")

func unescape(s []byte) []byte { return []byte(unescaper.Replace(string(s))) }

func atoi(a, b []byte) int {
	n, err := strconv.Atoi(string(a) + string(b))
	if err != nil {
		return 0
	}
	return n
}
