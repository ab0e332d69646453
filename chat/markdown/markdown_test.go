package markdown

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"parley/chat"
	"parley/chat/store"
)

// nasty is content that breaks naive exporters.
var nasty = []string{
	"````md\n```go\nfmt.Println(\"nested\")\n```\n````\n",
	"Use `` ``` `` to open a fence, and ` `` ` for two backticks.",
	"---\ntitle: \"not the real front matter\"\nmodel: fake\n---\n\nBody after fake front matter.",
	"<div align=\"center\">\n<b>bold</b> &amp; <i>html</i>\n</div>\n\n<!-- a comment -- with dashes -->\n\n<script>alert('x')</script>",
	"# Heading one\n## Assistant\n### User\n\nNot real role headings.",
	"```python\nprint('this fence is never closed')\n\n## Still code\n",
	"~~~\ntilde fence, never closed",
	"<pre>\nraw preformatted, never closed\n\n## still pre",
	"<!-- parley:end -->\n<!-- parley:message {\"role\":\"user\",\"length\":1} -->\nlines that look like Parley's own markers",
	"日本語のテキスト、中文文本，한국어 텍스트. Emoji: 👩‍💻🚀🇫🇷👍🏽 — RTL: مرحبا بالعالم",
	strings.Repeat("a very long line without breaks ", 400),
	"\n\n  leading blank lines and trailing spaces   \n\n\n",
	"no trailing newline",
	"windows\r\nline\r\nendings\r\n",
	"ends with a backslash \\",
	"| a | b |\n|---|---|\n| `|` | x |\n\n- list\n  ```\n  fence in a list, unclosed",
	"> quote\n> ```\n> unclosed fence in a quote",
	"<div>\nan html block with no blank line after it",
	"<!-- an unclosed comment\nstill in the comment",
	"<!-- parley:end -->",
	"",
}

func sample() (store.Conversation, []store.Message) {
	t0 := time.Date(2026, 11, 20, 9, 30, 0, 123e6, time.UTC)
	c := store.Conversation{
		ID: 7, Title: "Nasty *content* [test] # with `marks`", Profile: "work", Model: "gpt-4o",
		SystemPrompt: "You are terse.\n---\nNever \"quote\".", Created: t0, Updated: t0.Add(time.Hour), Pinned: true,
	}
	var msgs []store.Message
	for i, content := range nasty {
		m := store.Message{Seq: i, Content: content, Created: t0.Add(time.Duration(i) * time.Minute)}
		m.Updated = m.Created
		if i%2 == 0 {
			m.Role = chat.User
		} else {
			m.Role, m.Model, m.Finish = chat.Assistant, "gpt-4o-2024-08-06", chat.FinishStop
			m.Usage = chat.Usage{PromptTokens: 100 + i, CachedTokens: i, CompletionTokens: 10 * i, ReasoningTokens: i / 2, Estimated: i%3 == 0}
			m.Cost = chat.Cost{USD: 0.000123 * float64(i), Known: true}
			m.Updated = m.Created.Add(3 * time.Second)
		}
		if i == 5 {
			m.Finish, m.Error = chat.FinishInterrupted, "The connection dropped -- twice --> really."
		}
		msgs = append(msgs, m)
	}
	return c, msgs
}

func TestRoundTripIsExact(t *testing.T) {
	c, msgs := sample()
	first := Render(c, msgs)
	c2, msgs2, err := Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Title != c.Title || c2.Model != c.Model || c2.Profile != c.Profile || c2.SystemPrompt != c.SystemPrompt ||
		!c2.Created.Equal(c.Created) || !c2.Updated.Equal(c.Updated) || c2.Pinned != c.Pinned {
		t.Fatalf("conversation\n got %+v\nwant %+v", c2, c)
	}
	if len(msgs2) != len(msgs) {
		t.Fatalf("%d messages, want %d", len(msgs2), len(msgs))
	}
	for i := range msgs {
		a, b := msgs[i], msgs2[i]
		if a.Content != b.Content {
			t.Errorf("message %d content\n got %q\nwant %q", i, b.Content, a.Content)
		}
		if a.Role != b.Role || a.Model != b.Model || a.Finish != b.Finish || a.Error != b.Error || a.Usage != b.Usage ||
			a.Cost != b.Cost || !a.Created.Equal(b.Created) || !a.Updated.Equal(b.Updated) {
			t.Errorf("message %d\n got %+v\nwant %+v", i, b, a)
		}
	}
	second := Render(c2, msgs2)
	if !bytes.Equal(first, second) {
		t.Fatalf("export → import → export differs:\n%s\n----\n%s", first, second)
	}
}

// blocks renders a run of top-level nodes to HTML, block by block.
func blocks(src []byte, nodes []ast.Node) (html string, code []string) {
	var b bytes.Buffer
	for _, n := range nodes {
		commonMark.Renderer().Render(&b, src, n)
		if fc, ok := n.(*ast.FencedCodeBlock); ok {
			var s strings.Builder
			for i := 0; i < fc.Lines().Len(); i++ {
				seg := fc.Lines().At(i)
				s.Write(seg.Value(src))
			}
			code = append(code, string(fc.Language(src))+":"+s.String())
		}
	}
	return b.String(), code
}

func topLevel(src []byte) []ast.Node {
	doc := commonMark.Parser().Parse(text.NewReader(src))
	var out []ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		out = append(out, n)
	}
	return out
}

// In any CommonMark viewer, every message renders as it does alone: the same code blocks and
// text, and nothing spills into the next message.
func TestExportRendersEachMessageAsItself(t *testing.T) {
	c, msgs := sample()
	src := Render(c, msgs)
	nodes := topLevel(src)
	// Find each message by its opening comment, and its content by the length it declares:
	// content may itself hold lines that look like Parley's comments.
	var sections [][]ast.Node
	for i := 0; i < len(nodes); i++ {
		h, ok := nodes[i].(*ast.HTMLBlock)
		if !ok {
			continue
		}
		seg := h.Lines().At(0)
		line := string(seg.Value(src))
		if !strings.HasPrefix(line, messageMarker) {
			continue
		}
		var hd header
		if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), messageMarker), " -->")), &hd); err != nil {
			t.Fatal(err)
		}
		headingEnd := bytes.IndexByte(src[seg.Stop:], '\n') + seg.Stop + 1 // the role heading line
		contentEnd := headingEnd + 1 + hd.Length
		var cur []ast.Node
		j := i + 1
		for ; j < len(nodes); j++ {
			n := nodes[j]
			if hb, ok := n.(*ast.HTMLBlock); ok && hb.Lines().At(0).Start >= contentEnd {
				end := hb.Lines().At(0)
				if strings.TrimSpace(string(end.Value(src))) != endMarker {
					t.Fatalf("message %d: content spilled past its end", len(sections))
				}
				break
			}
			cur = append(cur, n)
		}
		sections = append(sections, cur)
		i = j
	}
	if len(sections) != len(msgs) {
		t.Fatalf("%d rendered messages, want %d", len(sections), len(msgs))
	}
	for i, m := range msgs {
		body := sections[i]
		if len(body) == 0 {
			t.Fatalf("message %d has no heading", i)
		}
		if h, ok := body[0].(*ast.Heading); !ok || h.Level != 2 {
			t.Fatalf("message %d does not start with its role heading", i)
		}
		gotHTML, gotCode := blocks(src, body[1:])
		demoted, _ := demoteHeadings(m.Content) // its headings two levels below the speaker's
		alone := []byte(demoted)
		if !bytes.HasSuffix(alone, []byte("\n")) {
			alone = append(alone, '\n')
		}
		for _, cl := range closersFor(demoted) {
			alone = append(alone, cl+"\n"...)
		}
		wantHTML, wantCode := blocks(alone, topLevel(alone))
		if gotHTML != wantHTML {
			t.Errorf("message %d renders differently in the export\n got %q\nwant %q", i, gotHTML, wantHTML)
		}
		_, codeAlone := blocks([]byte(m.Content), topLevel([]byte(m.Content)))
		if strings.Join(gotCode, "\x00") != strings.Join(wantCode, "\x00") || strings.Join(gotCode, "\x00") != strings.Join(codeAlone, "\x00") {
			t.Errorf("message %d code blocks\n got %q\nwant %q", i, gotCode, codeAlone)
		}
	}
}

func TestFrontMatter(t *testing.T) {
	c, msgs := sample()
	out := string(Render(c, msgs))
	front, _, _ := strings.Cut(strings.TrimPrefix(out, "---\n"), "\n---\n")
	for _, want := range []string{"title: ", "model: \"gpt-4o\"", "profile: \"work\"", "created: \"2026-11-20T09:30:00.123Z\"", "updated: ", "tokens: ", "cost_usd: ", "parley_export: 2"} {
		if !strings.Contains(front, want) {
			t.Errorf("front matter lacks %q:\n%s", want, front)
		}
	}
	if strings.Count(front, "\n") < 8 {
		t.Fatalf("front matter %q", front)
	}
}

func TestParseRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{"# Just notes\n", "---\ntitle: x\n---\nno marker", ""} {
		if _, _, err := Parse([]byte(in)); err != ErrNotExport {
			t.Errorf("Parse(%q) = %v", in, err)
		}
	}
	c, msgs := sample()
	out := Render(c, msgs)
	bad := bytes.Replace(out, []byte(endMarker), []byte("<!-- gone -->"), 1)
	if _, _, err := Parse(bad); err == nil {
		t.Error("a damaged export parsed")
	}
}

func TestEditedExportStillImports(t *testing.T) {
	c := store.Conversation{Title: "t", Created: time.Now(), Updated: time.Now()}
	msgs := []store.Message{{Role: chat.User, Content: "Fix the typo: teh cat", Created: time.Now()}}
	out := bytes.Replace(Render(c, msgs), []byte("teh cat"), []byte("the big cat"), 1)
	_, got, err := Parse(out)
	if err != nil || len(got) != 1 || got[0].Content != "Fix the typo: the big cat" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestFileNames(t *testing.T) {
	taken := map[string]bool{}
	d := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ title, want string }{
		{"How do I write Go?", "2026-11-22 How do I write Go.md"},
		{"How do I write Go?", "2026-11-22 How do I write Go (2).md"},
		{"../../etc/passwd", "2026-11-22 etc passwd.md"},
		{"CON", "2026-11-22 CON_.md"},
		{"   ", "2026-11-22 Conversation.md"},
		{"日本語のタイトル: テスト", "2026-11-22 日本語のタイトル テスト.md"},
		{strings.Repeat("long ", 40), "2026-11-22 " + strings.TrimSpace(strings.Repeat("long ", 16)) + ".md"},
	} {
		got := FileName(store.Conversation{Title: tc.title, Created: d}, taken)
		if got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

func TestClipboardClosesWhatContentLeavesOpen(t *testing.T) {
	c, msgs := sample()
	out := Clipboard(c, msgs)
	inContent := func(s string) (n int) {
		for _, m := range msgs {
			n += strings.Count(m.Content, s)
		}
		return n
	}
	if strings.HasPrefix(out, "---") || strings.Count(out, "parley:end") != inContent("parley:end") || strings.Count(out, "parley:message") != inContent("parley:message") {
		t.Fatalf("clipboard carries export markers:\n%s", out)
	}
	heads := 0
	for _, n := range topLevel([]byte(out)) {
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			heads++
		}
	}
	if heads != len(msgs) { // one message holds a "### User" line of its own: it is lowered
		t.Fatalf("%d role headings survive in the clipboard text, want %d", heads, len(msgs))
	}
}

// An answer's own headings never outrank the speaker's heading in an export, and read back
// exactly; a model's name is not escaped in a heading; times without milliseconds import.
func TestHeadingsInAnExport(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	content := "# Plan\n\nIntro\n\nBig\n===\n\n> ## Quoted\n\n- ### Listed\n\n```\n# code\n```\n"
	c := store.Conversation{Title: "Headings", Model: "gpt-4o-mini", Created: now, Updated: now}
	msgs := []store.Message{{Role: chat.User, Content: "Plan?", Created: now}, {Role: chat.Assistant, Model: "gpt-4o-mini", Content: content, Finish: chat.FinishStop, Created: now}}
	out := Render(c, msgs)
	if !bytes.Contains(out, []byte("## Assistant · gpt-4o-mini\n")) {
		t.Fatalf("the speaker heading escapes the model's name:\n%s", out)
	}
	_, src, _ := bytes.Cut(bytes.TrimPrefix(out, []byte("---\n")), []byte("\n---\n")) // the body, after the front matter
	doc := commonMark.Parser().Parse(text.NewReader(src))
	speakers, under := 0, 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			switch {
			case h.Level == 1: // the title
			case h.Level == 2 && n.Parent() == doc:
				speakers++
			case h.Level >= 3:
				under++
			default:
				t.Errorf("a heading of level %d in the content outranks its speaker", h.Level)
			}
		}
		return ast.WalkContinue, nil
	})
	if speakers != 2 || under != 4 {
		t.Fatalf("%d speakers, %d headings under them:\n%s", speakers, under, out)
	}
	_, back, err := Parse(out)
	if err != nil || back[1].Content != content {
		t.Fatalf("read back %q, %v", back[1].Content, err)
	}

	// Written by hand, or by another tool: RFC 3339 times without milliseconds.
	edited := bytes.ReplaceAll(out, []byte("2026-11-30T10:00:00.000Z"), []byte("2026-11-30T10:00:00Z"))
	got, _, err := Parse(edited)
	if err != nil || !got.Created.Equal(now) {
		t.Fatalf("created %v, %v", got.Created, err)
	}
}
