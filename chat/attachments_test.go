package chat

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"parley/chat/chattest"
)

// The documented examples of OpenAI's image sizing (OPENAI-RESPONSES.md §7).
func TestImageTokens(t *testing.T) {
	gpt4o := ImageSizing{Base: 85, Tile: 170}
	mini5 := ImageSizing{Budget: 1536, MaxPx: 2048, Multiplier: 1.62, MaxPatches: 30000}
	sol := ImageSizing{Budget: 2500, MaxPx: 2048, AutoOriginal: true, MaxPatches: 30000}
	for _, c := range []struct {
		name   string
		s      ImageSizing
		w, h   int
		detail string
		want   int
		ok     bool
	}{
		{"gpt-4o 1024² high: 4 tiles", gpt4o, 1024, 1024, "high", 765, true},
		{"gpt-4o 2048×4096 high: 6 tiles", gpt4o, 2048, 4096, "high", 1105, true},
		{"gpt-4o low: the base", gpt4o, 4000, 3000, "low", 85, true},
		{"gpt-5-mini 1800×2400 on 1,536 patches", mini5, 1800, 2400, "high", 2352, true},
		{"gpt-5.6 auto keeps every patch", sol, 1920, 1080, "", 60 * 34, true},
		{"gpt-5.6 high: 2,040 patches fit the 2,500", sol, 1920, 1080, "high", 2040, true},
		{"gpt-5.6 high shrinks 4000×3000 to the budget", sol, 4000, 3000, "high", 57 * 43, true},
		{"gpt-5.6 low: 512 px", sol, 1920, 1080, "low", 16 * 9, true},
		{"gpt-5.6 auto over 30,000 patches is refused", sol, 8000, 6000, "", 250 * 188, false},
	} {
		got, ok := c.s.ImageTokens(c.w, c.h, c.detail)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

const tinyPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n4 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func withFiles(text string, pic []byte) Request {
	r := Request{Model: "gpt-5.6-sol", Messages: []Message{{Role: User, Content: text, Attachments: []Attachment{
		{Name: "chart.png", Kind: AttachImage, MIME: "image/png", Width: 640, Height: 480, Detail: "high", Data: func() ([]byte, error) { return pic, nil }},
		{Name: "notes.go", Kind: AttachText, MIME: "text/plain", Text: "package main\n\nfunc main() {}\n"},
		{Name: "report.pdf", Kind: AttachPDF, MIME: "application/pdf", Pages: 2, Text: "Quarterly report", Data: func() ([]byte, error) { return []byte(tinyPDF), nil }},
	}}}}
	return r
}

var seeing = ModelInfo{Known: true, Vision: true, Files: true, ContextWindow: 1_050_000, Reasoning: true,
	Image: ImageSizing{Budget: 2500, MaxPx: 2048, AutoOriginal: true, MaxPatches: 30000, PagePx: [2]int{1275, 1650}}, Price: sol56.Price}

// On the Responses API files go as input_image and input_file parts (data URLs of the very bytes),
// text files as text with their name; the server counts them, and so did Parley before sending.
func TestAttachmentsOnTheResponsesAPI(t *testing.T) {
	r := protocolRig(t, APIResponses, chattest.Options{}, func(c *Config) { c.Models = func(string) ModelInfo { return seeing } })
	r.server.Reply("Seen.")
	pic := pngOf(t, 640, 480)
	events, a := collect(t, r.client, context.Background(), withFiles("What is in these?", pic))
	if a.Err != nil || a.Content != "Seen." {
		t.Fatalf("%+v", a)
	}
	files := r.server.Responses()[0].Attachments()
	if len(files) != 2 || files[0].Kind != "image" || files[0].Detail != "high" || !bytes.Equal(files[0].Data, pic) ||
		files[1].Filename != "report.pdf" || string(files[1].Data) != tinyPDF {
		t.Fatalf("sent %+v", files)
	}
	if !strings.Contains(r.server.Responses()[0].LastUser(), "File: notes.go\n```\npackage main") {
		t.Fatalf("the text file: %q", r.server.Responses()[0].LastUser())
	}
	var counted int
	for _, e := range events {
		if p, ok := e.(Prepared); ok {
			counted = p.PromptTokens
		}
	}
	// 640×480 at high: 20×15 patches; two PDF pages of 1275×1650 (fitted to 2,500 patches).
	if counted < 300+2*1500 || a.Usage.PromptTokens < 300 {
		t.Fatalf("counted %d before sending, the server %d", counted, a.Usage.PromptTokens)
	}
}

// On Chat Completions images go as image_url parts; PDFs as file parts on OpenAI itself, and a
// compatible server is refused one before anything is sent.
func TestAttachmentsOnChatCompletions(t *testing.T) {
	pic := pngOf(t, 320, 200)
	local := protocolRig(t, APIChat, chattest.Options{}, func(c *Config) { c.Models = func(string) ModelInfo { return seeing } })
	_, a := collect(t, local.client, context.Background(), withFiles("Look", pic))
	if a.Err == nil || !strings.Contains(a.Err.Message, "takes no PDF files") || len(local.server.Requests()) != 0 {
		t.Fatalf("a PDF to a compatible server: %+v, %d requests", a.Err, len(local.server.Requests()))
	}

	// OpenAI itself (its host, routed to the test server).
	openai := protocolRig(t, APIChat, chattest.Options{}, nil)
	openai.client = New(Config{BaseURL: "https://api.openai.com/v1", APIKey: testKey, API: APIChat,
		Models:    func(string) ModelInfo { return seeing },
		Transport: redirectTo(openai.url)}, nil)
	openai.server.Reply("Both seen.")
	_, a = collect(t, openai.client, context.Background(), withFiles("Look", pic))
	if a.Err != nil {
		t.Fatal(a.Err)
	}
	files := openai.server.ChatRequests()[0].Attachments()
	if len(files) != 2 || !bytes.Equal(files[0].Data, pic) || files[0].Detail != "high" || files[1].Filename != "report.pdf" || string(files[1].Data) != tinyPDF {
		t.Fatalf("sent %+v", files)
	}
	if raw := string(openai.server.Requests()[0].Body); strings.Contains(raw, "parley-file-part") {
		t.Fatal("a file part's marker went on the wire")
	}
}

// redirectTo sends every request to a local server, as if it were the host asked.
func redirectTo(base string) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host = "http", strings.TrimPrefix(base, "http://")
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A model the catalog says is blind is never sent an image; an image over the API's patch limit
// is refused with what to do; all before anything is sent.
func TestAttachmentsRefusedBeforeSending(t *testing.T) {
	blind := seeing
	blind.Vision, blind.Files = false, false
	r := protocolRig(t, APIResponses, chattest.Options{}, func(c *Config) { c.Models = func(string) ModelInfo { return blind } })
	_, a := collect(t, r.client, context.Background(), withFiles("Look", pngOf(t, 10, 10)))
	if a.Err == nil || !strings.Contains(a.Err.Message, "does not read images") || len(r.server.Requests()) != 0 {
		t.Fatalf("%+v", a.Err)
	}
	huge := Request{Model: "gpt-5.6-sol", Messages: []Message{{Role: User, Content: "x", Attachments: []Attachment{
		{Name: "scan.png", Kind: AttachImage, MIME: "image/png", Width: 9000, Height: 9000, Data: func() ([]byte, error) { return nil, nil }}}}}}
	r2 := protocolRig(t, APIResponses, chattest.Options{}, func(c *Config) { c.Models = func(string) ModelInfo { return seeing } })
	_, a = collect(t, r2.client, context.Background(), huge)
	if a.Err == nil || !strings.Contains(a.Err.Message, "too large") || !strings.Contains(a.Err.Action, "High") || len(r2.server.Requests()) != 0 {
		t.Fatalf("%+v", a.Err)
	}
}
