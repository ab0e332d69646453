package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/attach"
	"parley/chat/store"
	"parley/chat/tokens"
)

const tokensUsageText = `[-m MODEL] [--chat] [-a FILE [--detail D]]... [FILE|-]

Counts the tokens of a text (a file, or standard input) with the model's tokenizer. With
--chat, the input is a chat request, a JSON array of {"role", "content"[, "name"]}, counted
as the API bills it. -a counts a file as an attachment (an image by the model's image sizing, a
PDF as its text and page images, a text file as text): Parley's estimate, said so on standard
error.`

func (c *cli) tokens(args []string) int {
	fs := c.flags("tokens", tokensUsageText)
	model := fs.String("m", "", "the model whose tokenizer to use (default: the current profile's)")
	asChat := fs.Bool("chat", false, "count a chat request given as a JSON array of messages")
	var files fileList
	fs.Var(&files, "a", "count a file as an attachment (repeat for more)")
	detail := fs.String("detail", "auto", "the detail of attached images and PDF pages: low, high, original or auto")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitUsage
	}
	if *model == "" {
		p, err := c.svc.profile("")
		if err != nil {
			return c.fail(exitUsage, err)
		}
		*model = p.Model
	}
	if len(files) > 0 {
		return c.countFiles(files, *model, strings.TrimPrefix(*detail, "auto"), fs.Arg(0))
	}
	var in io.Reader = c.stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return c.fail(exitUsage, fmt.Errorf("reading %s: %w", name, err))
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return c.fail(exitFailure, fmt.Errorf("reading the input: %w", err))
	}
	encoding := modelInfo(*model).Encoding
	if encoding == "" {
		encoding = tokens.EncodingFor(*model)
	}
	counter := tokens.Default()
	if !*asChat {
		n, err := counter.Text(encoding, string(data))
		if err != nil {
			return c.fail(exitFailure, err)
		}
		fmt.Fprintln(c.stdout, n)
		return exitOK
	}
	var msgs []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
		Name    string `json:"name"`
	}
	if err := json.Unmarshal(data, &msgs); err != nil {
		return c.fail(exitUsage, fmt.Errorf("the chat request is not a JSON array of {\"role\", \"content\"} messages: %w", err))
	}
	var list []tokens.Message
	for i, m := range msgs {
		if m.Role == "" {
			return c.fail(exitUsage, fmt.Errorf("message %d has no role", i+1))
		}
		list = append(list, tokens.Message{Role: m.Role, Name: m.Name, Content: m.Content})
	}
	n, err := counter.Chat(encoding, list)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintln(c.stdout, n)
	return exitOK
}

// countFiles counts files as attachments to a model (and a text file beside them, when named):
// the total on standard output, each file's part on standard error.
func (c *cli) countFiles(paths []string, model, detail, text string) int {
	info := modelInfo(model)
	info.ID = model
	counter := tokens.Default()
	total := 0
	if text != "" && text != "-" {
		data, err := os.ReadFile(text)
		if err != nil {
			return c.fail(exitUsage, fmt.Errorf("reading %s: %w", text, err))
		}
		enc := info.Encoding
		if enc == "" {
			enc = tokens.EncodingFor(model)
		}
		n, _ := counter.Text(enc, string(data))
		total += n
	}
	for _, p := range paths {
		f, err := attach.Read(p)
		if err != nil {
			return c.fail(exitUsage, err)
		}
		a := ask.Attachments([]store.Attachment{f.Stored(detail)})[0]
		n, err := chat.AttachmentTokens(counter, info, a)
		if err != nil {
			return c.fail(exitUsage, err)
		}
		fmt.Fprintf(c.stderr, "%s: %s tokens (%s, Parley's estimate for %s)\n", f.Name, chat.Thousands(n), attachFacts(f), model)
		total += n
	}
	fmt.Fprintln(c.stdout, total)
	return exitOK
}

// attachFacts says what a file is, as the estimate saw it.
func attachFacts(f attach.File) string {
	switch f.Kind {
	case chat.AttachImage:
		return fmt.Sprintf("a %d×%d image", f.Width, f.Height)
	case chat.AttachPDF:
		return fmt.Sprintf("a PDF of %d pages", f.Pages)
	}
	return "text"
}
