package chattest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // the image formats the API takes
	_ "image/jpeg"
	_ "image/png"
	"math"
	"regexp"
	"strings"

	_ "golang.org/x/image/webp"
)

// Files in a question, as OpenAI takes them: images as input_image (Responses) or image_url
// parts (Chat Completions), PDFs as input_file or file parts, each a base64 data URL. The server
// decodes them, refuses what is not what it says (an image that does not decode, a PDF without
// its header, a data URL that is not one) and images sent to a model that does not see, and
// counts their tokens: an image one token per 32-px patch (at most 2,500 at high detail, 256 at
// low), a PDF pageTokens a page.

// Attachment is a file a request carried.
type Attachment struct {
	Kind          string // "image" or "file"
	MIME          string
	Filename      string
	Detail        string
	Data          []byte
	Width, Height int // images
	Pages         int // PDFs
	Where         string
	err           string // why it is refused
}

// pageTokens is what a PDF page counts, text and page image together.
const pageTokens = 800

var dataURLPattern = regexp.MustCompile(`^data:([a-zA-Z0-9.+/-]+);base64,`)

// decodeAttachment reads one content part; ok is false for a part that is not a file.
func decodeAttachment(part map[string]any, where string) (Attachment, bool) {
	a := Attachment{Where: where}
	var url string
	switch part["type"] {
	case "input_image":
		a.Kind, a.Detail = "image", str(part["detail"])
		url = str(part["image_url"])
	case "image_url":
		a.Kind = "image"
		if iu, ok := part["image_url"].(map[string]any); ok {
			url, a.Detail = str(iu["url"]), str(iu["detail"])
		}
	case "input_file":
		a.Kind, a.Filename, a.Detail = "file", str(part["filename"]), str(part["detail"])
		url = str(part["file_data"])
	case "file":
		a.Kind = "file"
		if f, ok := part["file"].(map[string]any); ok {
			a.Filename, url = str(f["filename"]), str(f["file_data"])
		}
	default:
		return a, false
	}
	m := dataURLPattern.FindStringSubmatch(url)
	if m == nil {
		a.err = fmt.Sprintf("Invalid '%s': expected a base64-encoded data URL.", where)
		return a, true
	}
	a.MIME = m[1]
	data, err := base64.StdEncoding.DecodeString(url[len(m[0]):])
	if err != nil {
		a.err = fmt.Sprintf("Invalid '%s': the base64 data does not decode.", where)
		return a, true
	}
	a.Data = data
	switch a.Kind {
	case "image":
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || !strings.HasSuffix(a.MIME, format) && !(format == "jpeg" && a.MIME == "image/jpg") {
			a.err = fmt.Sprintf("Invalid image in '%s': the data is not a valid %s image.", where, a.MIME)
			return a, true
		}
		a.Width, a.Height = cfg.Width, cfg.Height
	case "file":
		if a.MIME != "application/pdf" || !bytes.HasPrefix(data, []byte("%PDF-")) {
			a.err = fmt.Sprintf("Invalid file in '%s': only PDF files are supported here.", where)
			return a, true
		}
		a.Pages = max(bytes.Count(data, []byte("/Type /Page"))-bytes.Count(data, []byte("/Type /Pages")), 1)
	}
	return a, true
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// tokens is what the server counts for the file.
func (a Attachment) tokens() int {
	if a.Kind == "file" {
		return a.Pages * pageTokens
	}
	budget := 2500
	if a.Detail == "low" {
		budget = 256
	}
	w, h := float64(a.Width), float64(a.Height)
	p := math.Ceil(w/32) * math.Ceil(h/32)
	if p > float64(budget) {
		s := math.Sqrt(32 * 32 * float64(budget) / (w * h))
		p = math.Ceil(w*s/32) * math.Ceil(h*s/32)
	}
	return int(p)
}

// Attachments are the files a Responses request carried.
func (r ResponsesRequest) Attachments() []Attachment {
	var out []Attachment
	for i, it := range r.Items {
		parts, _ := it["content"].([]any)
		for j, p := range parts {
			if m, ok := p.(map[string]any); ok {
				if a, ok := decodeAttachment(m, fmt.Sprintf("input[%d].content[%d]", i, j)); ok {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// Attachments are the files a chat request carried.
func (c ChatRequest) Attachments() []Attachment {
	var out []Attachment
	var msgs []struct {
		Content json.RawMessage `json:"content"`
	}
	json.Unmarshal(c.Raw["messages"], &msgs)
	for i, m := range msgs {
		var parts []map[string]any
		if json.Unmarshal(m.Content, &parts) != nil {
			continue
		}
		for j, p := range parts {
			if a, ok := decodeAttachment(p, fmt.Sprintf("messages[%d].content[%d]", i, j)); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// checkAttachments refuses files that are not what they say, and images for a model that does
// not see; it returns the tokens the files count.
func checkAttachments(model string, files []Attachment) (int, apiErrorSpec, bool) {
	n := 0
	for _, a := range files {
		if a.err != "" {
			return 0, apiErrorSpec{Message: a.err, Type: "invalid_request_error", Param: a.Where, Code: "invalid_value"}, false
		}
		if a.Kind == "image" && !sees(model) {
			return 0, apiErrorSpec{Message: fmt.Sprintf("Invalid content type. image_url is only supported by certain models (%s does not take images).", model),
				Type: "invalid_request_error", Param: a.Where, Code: "invalid_value"}, false
		}
		n += a.tokens()
	}
	return n, apiErrorSpec{}, true
}

// sees tells the models that take images: not the old text-only ones.
func sees(model string) bool {
	for _, blind := range []string{"gpt-3.5", "o1-mini", "o3-mini", "gpt-4-0613"} {
		if strings.HasPrefix(model, blind) {
			return false
		}
	}
	return true
}
