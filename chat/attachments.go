package chat

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"

	"parley/chat/tokens"
)

// Attachments are files sent with a question: images (input_image, or image_url parts on Chat
// Completions), PDFs (input_file, or file parts), and text or code files, which go as text with
// their name, so that every server takes them. The engine counts and prices them before sending,
// and refuses what the model or the server cannot take, before anything is sent.

// AttachmentKind says how a file is sent.
type AttachmentKind string

// The kinds of attachment.
const (
	AttachImage AttachmentKind = "image"
	AttachPDF   AttachmentKind = "pdf"
	AttachText  AttachmentKind = "text"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name string
	Kind AttachmentKind
	MIME string
	Size int64
	// Detail is how closely the model looks at an image or a PDF's pages: "low", "high",
	// "original", or "" (auto).
	Detail string
	// Width and Height are an image's pixels; Pages a PDF's pages.
	Width, Height, Pages int
	// Text is a text file's text, or what could be read of a PDF's (for the estimate only).
	Text string
	// ID names the content (its hash), so that two requests with the same files compare equal.
	ID string
	// Data reads the file's bytes when the request is built (nil for a text file).
	Data func() ([]byte, error) `json:"-"`
}

// ImageSizing is how a model turns an image into tokens (OPENAI-RESPONSES.md §7; the catalog
// holds the figures).
type ImageSizing struct {
	// Tile models: an image is Base tokens at low detail, Base plus Tile per 512-px tile at high
	// (after fitting in 2048 px and scaling the short side to 768).
	Base, Tile int
	// Patch models: one token per 32-px patch, times Multiplier (0: 1). At high detail at most
	// Budget patches and MaxPx on the long side; at original OriginalBudget and OriginalMaxPx
	// (0: never resized). AutoOriginal says auto means original (else high). An image over
	// MaxPatches after resizing is refused by the API.
	Budget, MaxPx                 int
	OriginalBudget, OriginalMaxPx int
	AutoOriginal                  bool
	Multiplier                    float64
	MaxPatches                    int
	// PagePx is the size of a PDF page's image, for the estimate of a PDF on a model that sees.
	PagePx [2]int
}

// ImageTokens estimates an image's input tokens at a detail; ok is false when the API would
// refuse it (too many patches), with the patches it would be.
func (s ImageSizing) ImageTokens(w, h int, detail string) (n int, ok bool) {
	if w <= 0 || h <= 0 {
		return 0, true
	}
	if s.Tile > 0 {
		if detail == "low" {
			return s.Base, true
		}
		fw, fh := fit(float64(w), float64(h), 2048)
		if short := math.Min(fw, fh); short > 768 {
			fw, fh = fw*768/short, fh*768/short
		}
		tiles := int(math.Ceil(fw/512) * math.Ceil(fh/512))
		return s.Base + tiles*s.Tile, true
	}
	mult := s.Multiplier
	if mult == 0 {
		mult = 1
	}
	budget, maxPx := s.Budget, s.MaxPx
	switch {
	case detail == "low":
		budget, maxPx = 256, 512
	case detail == "original" || (detail == "" || detail == "auto") && s.AutoOriginal:
		budget, maxPx = s.OriginalBudget, s.OriginalMaxPx
	}
	fw, fh := float64(w), float64(h)
	if maxPx > 0 {
		fw, fh = fit(fw, fh, float64(maxPx))
	}
	p := patches(fw, fh)
	if budget > 0 && p > budget {
		sc := math.Sqrt(32 * 32 * float64(budget) / (fw * fh))
		sc *= math.Min(math.Floor(fw*sc/32)/(fw*sc/32), math.Floor(fh*sc/32)/(fh*sc/32))
		p = patches(fw*sc, fh*sc)
	}
	return int(math.Round(float64(p) * mult)), s.MaxPatches == 0 || p <= s.MaxPatches
}

func patches(w, h float64) int { return int(math.Ceil(w/32) * math.Ceil(h/32)) }

// fit scales w×h down to fit in a square of side px.
func fit(w, h, px float64) (float64, float64) {
	if long := math.Max(w, h); long > px {
		return w * px / long, h * px / long
	}
	return w, h
}

// attachmentTokens estimates what an attachment adds to the prompt: an image by its sizing; a
// PDF as its text plus, on a model that sees, an image of each page; a text file as its text
// with its name. err says why the model or the API cannot take it.
func attachmentTokens(counter *tokens.Counter, enc string, m ModelInfo, a Attachment) (int, error) {
	switch a.Kind {
	case AttachImage:
		if m.Known && !m.Vision {
			return 0, cannotTake(m, a, "images")
		}
		n, ok := m.Image.ImageTokens(a.Width, a.Height, a.Detail)
		if !ok {
			return 0, &Error{Kind: BadRequest, Code: "image_too_large",
				Message: fmt.Sprintf("The image %s is too large for %s at this detail (%d×%d pixels).", quote(a.Name), quote(m.ID), a.Width, a.Height),
				Action:  "Set its detail to High (it is then resized), or attach a smaller image."}
		}
		return n, nil
	case AttachPDF:
		if m.Known && !m.Files {
			return 0, cannotTake(m, a, "PDF files")
		}
		text, _ := counter.Text(enc, a.Text)
		if (m.Vision || !m.Known) && a.Pages > 0 {
			page, _ := m.Image.ImageTokens(m.Image.PagePx[0], m.Image.PagePx[1], a.Detail)
			text += a.Pages * page
		}
		return text, nil
	default:
		return counter.Text(enc, textPart(a))
	}
}

func cannotTake(m ModelInfo, a Attachment, what string) error {
	return &Error{Kind: UnsupportedParam, Code: "unsupported_attachment",
		Message: fmt.Sprintf("%s does not read %s, so %s cannot be sent to it.", quote(m.ID), what, quote(a.Name)),
		Action:  "Pick a model that does (the model picker says which), or remove the file."}
}

// textPart is a text file as the model reads it: its name, then its text fenced.
func textPart(a Attachment) string {
	fence := "```"
	for strings.Contains(a.Text, fence) {
		fence += "`"
	}
	return "File: " + a.Name + "\n" + fence + "\n" + strings.TrimRight(a.Text, "\n") + "\n" + fence
}

// detailOf is an image's detail as sent ("auto" when the user chose none).
func detailOf(a Attachment) string {
	if a.Detail == "" {
		return "auto"
	}
	return a.Detail
}

// readAttachment reads an attachment's bytes for a request.
func readAttachment(a Attachment) ([]byte, error) {
	if a.Data == nil {
		return nil, fmt.Errorf("the file %s has no content to send", quote(a.Name))
	}
	data, err := a.Data()
	if err != nil {
		return nil, fmt.Errorf("reading %s to send it: %w", quote(a.Name), err)
	}
	return data, nil
}

// dataURL is a file's bytes as a data: URL.
func dataURL(mime string, data []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// AttachmentTokens estimates what a file adds to a request to a model, or says why the model or
// the API cannot take it.
func AttachmentTokens(counter *tokens.Counter, m ModelInfo, a Attachment) (int, error) {
	enc := m.Encoding
	if enc == "" {
		enc = tokens.EncodingFor(m.ID)
	}
	return attachmentTokens(counter, enc, m, a)
}

// attachmentsOf counts a message's attachments, refusing what cannot go.
func attachmentsOf(counter *tokens.Counter, enc string, m ModelInfo, msg Message) (int, error) {
	total := 0
	for _, a := range msg.Attachments {
		n, err := attachmentTokens(counter, enc, m, a)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
