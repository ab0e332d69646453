// Package markdown writes conversations as Markdown files and reads Parley's own exports back.
//
// An export is YAML front matter (title, model, profile, times, tokens, cost), a title, then
// each message under a role heading with its content verbatim. Each message is framed by HTML
// comments that CommonMark viewers do not show and that carry what the heading cannot (exact
// length, usage, times), so an export reads back into the very same conversation.
package markdown

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"parley/chat"
	"parley/chat/store"
)

// formatVersion is written in every export, so a later Parley can read older files. Version 2
// writes the speakers as level-2 headings and an answer's own headings two levels lower (their
// changes kept in the message's opening comment); version 1 wrote content as it was.
const formatVersion = 2

const (
	messageMarker = "<!-- parley:message "
	endMarker     = "<!-- parley:end -->"
	timeLayout    = "2006-01-02T15:04:05.000Z07:00"
)

// header is what a message's opening comment carries.
type header struct {
	Role             string  `json:"role"`
	Length           int     `json:"length"`  // bytes of content, as written
	Closers          int     `json:"closers"` // lines added after the content to close what it left open
	Created          string  `json:"created"`
	Updated          string  `json:"updated,omitempty"`
	Model            string  `json:"model,omitempty"`
	Finish           string  `json:"finish,omitempty"`
	Error            string  `json:"error,omitempty"`
	PromptTokens     int     `json:"prompt_tokens,omitempty"`
	CachedTokens     int     `json:"cached_tokens,omitempty"`
	CompletionTokens int     `json:"completion_tokens,omitempty"`
	ReasoningTokens  int     `json:"reasoning_tokens,omitempty"`
	Estimated        bool    `json:"estimated,omitempty"`
	CostUSD          float64 `json:"cost_usd,omitempty"`
	CostKnown        bool    `json:"cost_known,omitempty"`
	Headings         []edit  `json:"headings,omitempty"` // how the content's headings were lowered
	CacheWriteTokens int     `json:"cache_write_tokens,omitempty"`
	ServiceTier      string  `json:"service_tier,omitempty"`
	API              string  `json:"api,omitempty"`
	// Thinking is the model's reasoning summary, exactly; the file shows it as a quote of
	// ThinkingBlock bytes between the heading and the content.
	Thinking      string `json:"thinking,omitempty"`
	ThinkingMS    int64  `json:"thinking_ms,omitempty"`
	ThinkingBlock int    `json:"thinking_block,omitempty"`
	// Files are the message's attachments; the file shows them as FilesBlock bytes of links
	// (images inline) between the thinking and the content, to files in a folder beside it.
	Files      []fileRef `json:"files,omitempty"`
	FilesBlock int       `json:"files_block,omitempty"`
	// Node and Parent place the message in a conversation's tree, in an export of all its
	// branches: messages are numbered from 1 in the file's order, and Parent is the number of
	// the message it follows (0: it opens the conversation).
	Node   int `json:"node,omitempty"`
	Parent int `json:"parent,omitempty"`
}

// fileRef is an attachment as an export names it: where its bytes are (a path relative to the
// export, empty when they were not written), what it is, and how it was sent.
type fileRef struct {
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	Hash   string `json:"sha256"`
	Detail string `json:"detail,omitempty"`
}

// Render returns the Markdown export of a conversation as shown (msgs, the branch shown), its
// files named but not linked. The API key is never part of a conversation, so it can never be
// part of an export.
func Render(c store.Conversation, msgs []store.Message) []byte { return render(c, msgs, nil, -1) }

// RenderBranches returns the export of every branch of a conversation: msgs as store.Tree
// gives them, leaf the message shown last.
func RenderBranches(c store.Conversation, msgs []store.Message, leaf int64) []byte {
	return render(c, msgs, nil, leaf)
}

// render writes the export; paths are where each attachment (by id) was written, relative to
// the export. With leaf >= 0, msgs are every branch (store.Tree), numbered, and leaf is shown.
func render(c store.Conversation, msgs []store.Message, paths map[int64]string, leaf int64) []byte {
	var b bytes.Buffer
	tokens, cost, costKnown := 0, 0.0, true
	for _, m := range msgs {
		tokens += m.Usage.Total()
		cost += m.Cost.USD
		if m.Role == chat.Assistant && !m.Cost.Known {
			costKnown = false
		}
	}
	b.WriteString("---\n")
	field(&b, "parley_export", formatVersion)
	field(&b, "title", c.Title)
	field(&b, "model", c.Model)
	field(&b, "profile", c.Profile)
	field(&b, "created", c.Created.UTC().Format(timeLayout))
	field(&b, "updated", c.Updated.UTC().Format(timeLayout))
	field(&b, "tokens", tokens)
	if costKnown {
		b.WriteString("cost_usd: " + strconv.FormatFloat(cost, 'f', -1, 64) + "\n")
	}
	field(&b, "pinned", c.Pinned)
	if c.Quick {
		field(&b, "quick_ask", true)
	}
	if c.SystemPrompt != "" {
		field(&b, "system_prompt", c.SystemPrompt)
	}
	if c.Effort != "" {
		field(&b, "effort", c.Effort)
	}
	if c.Pro {
		field(&b, "pro", true)
	}
	if c.ServiceTier != "" {
		field(&b, "service_tier", c.ServiceTier)
	}
	node := map[int64]int{} // message id → its number in the file
	if leaf >= 0 {
		for i, m := range msgs {
			node[m.ID] = i + 1
		}
		field(&b, "current_node", node[leaf])
	}
	b.WriteString("---\n\n# " + escapeInline(c.Title) + "\n\n")
	var before store.Message
	for i, m := range msgs {
		var place *header
		if leaf >= 0 {
			place = &header{Node: i + 1, Parent: node[m.Parent]}
			if i > 0 && m.Parent != before.ID {
				// A reader sees where a branch starts; the parser skips text between messages.
				after := "the beginning"
				if p := node[m.Parent]; p > 0 {
					after = snippet(msgs[p-1].Content)
				}
				b.WriteString("*⑂ Another version, after: “" + escapeInline(after) + "”*\n\n")
			}
		}
		writeMessage(&b, m, paths, place)
		before = m
	}
	return b.Bytes()
}

// snippet is the start of a message, to name it on one line.
func snippet(content string) string {
	line := strings.Join(strings.Fields(content), " ")
	if r := []rune(line); len(r) > 60 {
		line = string(r[:60]) + "…"
	}
	return line
}

// field writes one front-matter line. Values are JSON, which YAML reads as they are.
func field(b *bytes.Buffer, key string, v any) {
	b.WriteString(key + ": ")
	b.Write(jsonOf(v))
	b.WriteByte('\n')
}

func jsonOf(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func writeMessage(b *bytes.Buffer, m store.Message, paths map[int64]string, place *header) {
	content, headings := demoteHeadings(m.Content)
	closers := closersFor(content)
	thinking := thinkingBlock(m)
	refs, files := fileRefs(m, paths)
	h := header{
		Role: string(m.Role), Length: len(content), Closers: len(closers), Headings: headings,
		Created: m.Created.UTC().Format(timeLayout), Model: m.Model, Finish: string(m.Finish), Error: m.Error,
		PromptTokens: m.Usage.PromptTokens, CachedTokens: m.Usage.CachedTokens, CompletionTokens: m.Usage.CompletionTokens,
		ReasoningTokens: m.Usage.ReasoningTokens, Estimated: m.Usage.Estimated, CostUSD: m.Cost.USD, CostKnown: m.Cost.Known,
		CacheWriteTokens: m.Usage.CacheWriteTokens, ServiceTier: m.Usage.ServiceTier, API: m.API,
		Thinking: m.Thinking, ThinkingMS: m.ThinkingTime.Milliseconds(), ThinkingBlock: len(thinking),
		Files: refs, FilesBlock: len(files),
	}
	if !m.Updated.Equal(m.Created) && !m.Updated.IsZero() {
		h.Updated = m.Updated.UTC().Format(timeLayout)
	}
	if place != nil {
		h.Node, h.Parent = place.Node, place.Parent
	}
	// "--" may not appear inside an HTML comment; JSON can spell it another way.
	meta := strings.ReplaceAll(string(jsonOf(h)), "--", `-\u002d`)
	b.WriteString(messageMarker + meta + " -->\n")
	b.WriteString("## " + roleHeading(m) + "\n\n")
	b.WriteString(thinking)
	b.WriteString(files)
	b.WriteString(content)
	if !strings.HasSuffix(content, "\n") {
		b.WriteByte('\n')
	}
	for _, c := range closers {
		b.WriteString(c + "\n")
	}
	// No blank line before the closing comment: it ends paragraphs, lists and code in lists
	// right where the content ends, so nothing renders differently.
	b.WriteString(endMarker + "\n\n")
}

// fileRefs are a message's attachments as its header names them, and the block of links the
// file shows: an image inline, any other file as a link, each on its own line; a file not
// written is named only.
func fileRefs(m store.Message, paths map[int64]string) ([]fileRef, string) {
	if len(m.Attachments) == 0 {
		return nil, ""
	}
	var refs []fileRef
	var b strings.Builder
	for _, a := range m.Attachments {
		ref := fileRef{Name: a.Name, Path: paths[a.ID], Kind: string(a.Kind), MIME: a.MIME, Size: a.Size, Hash: a.Hash, Detail: a.Detail}
		refs = append(refs, ref)
		name := escapeInline(a.Name)
		switch {
		case ref.Path == "":
			b.WriteString("📎 " + name + "\n")
		case a.Kind == chat.AttachImage:
			b.WriteString("![" + name + "](<" + ref.Path + ">)\n")
		default:
			b.WriteString("📎 [" + name + "](<" + ref.Path + ">)\n")
		}
	}
	b.WriteString("\n")
	return refs, b.String()
}

func roleHeading(m store.Message) string {
	switch m.Role {
	case chat.User:
		return "User"
	case chat.Assistant:
		h := "Assistant"
		if m.Model != "" {
			h += " · " + escapeHeading(m.Model)
		}
		switch m.Finish {
		case chat.FinishStopped:
			h += " (stopped)"
		case chat.FinishInterrupted:
			h += " (interrupted)"
		}
		return h
	}
	if m.Role == "" {
		return "Message"
	}
	return strings.ToUpper(string(m.Role[:1])) + string(m.Role[1:])
}

// escapeInline backslash-escapes the punctuation that could make a one-line text into Markdown.
func escapeInline(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_{}[]<>()#+-.!|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// thinkingBlock shows an answer's thinking to a reader of the file: a quote headed "Thinking",
// every line of it quoted, so nothing in it can spill into the answer. (The exact text travels
// in the message's comment.)
func thinkingBlock(m store.Message) string {
	if m.Thinking == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("> **Thinking**")
	if m.ThinkingTime > 0 {
		b.WriteString(" (" + m.ThinkingTime.Round(100*time.Millisecond).String() + ")")
	}
	b.WriteString("\n>\n")
	for _, line := range strings.Split(strings.TrimRight(m.Thinking, "\n"), "\n") {
		b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// escapeHeading escapes what would be markup inside a heading line, and only that: a model's
// name reads as it is ("gpt-4o-mini", not "gpt\-4o\-mini").
func escapeHeading(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_[]<>&#~|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// closersFor returns the lines to add after content so that nothing it leaves open (an
// unclosed code fence, an unclosed <pre> or comment) swallows the rest of the file. Each guess
// is checked with a CommonMark parser; most content needs none.
func closersFor(content string) []string {
	if !mayLeak(content) {
		return nil
	}
	fence := func(ch string) string { return strings.Repeat(ch, max(3, longestRun(content, ch[0])+1)) }
	candidates := []string{"", fence("`"), fence("~"), "</pre>", "</script>", "</style>", "</textarea>", "-->", "?>", "]]>", ">"}
	var added []string
	for range 3 {
		if contained(content, added) {
			return added
		}
		found := false
		for _, c := range candidates {
			if contained(content, append(added, c)) {
				return append(added, c)
			}
		}
		// Nothing closed it alone: add the likeliest closer and try again.
		for _, c := range candidates {
			try := append(append([]string(nil), added...), c)
			if leakDepth(content, try) < leakDepth(content, added) {
				added, found = try, true
				break
			}
		}
		if !found {
			break
		}
	}
	return added
}

// mayLeak is a quick test for content that can open a block the closing comment would not end:
// a fence or raw HTML at the start of a line.
func mayLeak(content string) bool {
	for _, line := range strings.Split(content, "\n") {
		t := strings.TrimLeft(line, " >-*+0123456789.)\t")
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") || strings.HasPrefix(t, "<") {
			return true
		}
	}
	return false
}

func longestRun(s string, ch byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == ch {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

var commonMark = goldmark.New()

// contained reports whether content followed by closers and the end marker leaves the marker as
// a block of its own at the top level, as the file needs.
func contained(content string, closers []string) bool { return leakDepth(content, closers) == 0 }

// leakDepth is 0 when the end marker stands alone after content and closers, and otherwise the
// number of lines from the last top-level block's start to the end (smaller is closer to done).
func leakDepth(content string, closers []string) int {
	var b strings.Builder
	b.WriteString(content)
	if !strings.HasSuffix(content, "\n") {
		b.WriteByte('\n')
	}
	for _, c := range closers {
		b.WriteString(c + "\n")
	}
	b.WriteString(endMarker + "\n")
	src := []byte(b.String())
	doc := commonMark.Parser().Parse(text.NewReader(src))
	last := doc.LastChild()
	if h, ok := last.(*ast.HTMLBlock); ok && h.HTMLBlockType == ast.HTMLBlockType2 && h.Lines().Len() == 1 {
		seg := h.Lines().At(0)
		if strings.TrimSpace(string(seg.Value(src))) == endMarker {
			return 0
		}
	}
	if last == nil || last.Lines().Len() == 0 {
		return len(src)
	}
	return len(src) - last.Lines().At(0).Start
}

// Clipboard renders a conversation as plain readable Markdown for pasting elsewhere: the title,
// then each message under its role, with nothing left open between them.
func Clipboard(c store.Conversation, msgs []store.Message) string {
	var b strings.Builder
	b.WriteString("# " + escapeInline(c.Title) + "\n\n")
	for _, m := range msgs {
		content, _ := demoteHeadings(m.Content)
		b.WriteString("## " + roleHeading(m) + "\n\n" + strings.TrimRight(content, "\n") + "\n")
		for _, cl := range closersFor(content) {
			b.WriteString(cl + "\n")
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// parseTime reads a time as exports write it, or any RFC 3339 time (a file written or edited by
// hand: "2026-11-30T10:00:00Z").
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(timeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
