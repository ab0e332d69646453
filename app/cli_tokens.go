package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"parley/chat/tokens"
)

const tokensUsageText = `[-m MODEL] [--chat] [FILE|-]

Counts the tokens of a text (a file, or standard input) with the model's tokenizer. With
--chat, the input is a chat request, a JSON array of {"role", "content"[, "name"]}, counted
as the API bills it.`

func (c *cli) tokens(args []string) int {
	fs := c.flags("tokens", tokensUsageText)
	model := fs.String("m", "", "the model whose tokenizer to use (default: the current profile's)")
	asChat := fs.Bool("chat", false, "count a chat request given as a JSON array of messages")
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
