package markdown

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"parley/chat"
	"parley/chat/store"
)

// ErrNotExport says a file is not a Parley export.
var ErrNotExport = errors.New("this file is not a Parley export (it has no Parley front matter)")

// Parse reads a Parley export back into the conversation and messages it was made from.
func Parse(data []byte) (store.Conversation, []store.Message, error) {
	c, msgs, _, _, err := parse(data)
	return c, msgs, err
}

// tree is how an export's messages follow one another: parents[i] is the index of message i's
// parent (-1: it opens the conversation), current the message shown last (-1: the last one).
// An export of the branch shown is a chain.
type tree struct {
	parents []int
	current int
}

// parse reads an export, what its messages' headers say of their files, and its tree.
func parse(data []byte) (c store.Conversation, msgs []store.Message, files [][]fileRef, t tree, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return c, nil, nil, t, ErrNotExport
	}
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		return c, nil, nil, t, ErrNotExport
	}
	front, body := rest[:end], rest[end+len("\n---\n"):]
	fields := map[string]json.RawMessage{}
	for _, line := range strings.Split(string(front), "\n") {
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		fields[key] = json.RawMessage(value)
	}
	if _, ok := fields["parley_export"]; !ok {
		return c, nil, nil, t, ErrNotExport
	}
	var version int
	json.Unmarshal(fields["parley_export"], &version)
	if version > formatVersion {
		return c, nil, nil, t, fmt.Errorf("this export was written by a newer Parley (format %d); update Parley to import it", version)
	}
	var created, updated string
	for key, into := range map[string]any{
		"title": &c.Title, "model": &c.Model, "profile": &c.Profile, "created": &created, "updated": &updated,
		"pinned": &c.Pinned, "quick_ask": &c.Quick, "system_prompt": &c.SystemPrompt,
		"effort": &c.Effort, "pro": &c.Pro, "service_tier": &c.ServiceTier,
	} {
		if raw, ok := fields[key]; ok {
			if err := json.Unmarshal(raw, into); err != nil {
				return c, nil, nil, t, fmt.Errorf("the front matter's %s is unreadable: %w", key, err)
			}
		}
	}
	if c.Created, err = parseTime(created); err != nil {
		return c, nil, nil, t, fmt.Errorf("the front matter's created time is unreadable: %w", err)
	}
	if c.Updated, err = parseTime(updated); err != nil {
		return c, nil, nil, t, fmt.Errorf("the front matter's updated time is unreadable: %w", err)
	}

	current := 0
	if raw, ok := fields["current_node"]; ok {
		if err := json.Unmarshal(raw, &current); err != nil {
			return c, nil, nil, t, fmt.Errorf("the front matter's current_node is unreadable: %w", err)
		}
	}
	branched := false
	for {
		i := lineStartingWith(body, messageMarker)
		if i < 0 {
			break
		}
		n := len(msgs) + 1
		m, refs, place, rest, err := parseMessage(body[i:], n)
		if err != nil {
			return c, nil, nil, t, err
		}
		// Numbered messages (an export of every branch) are numbered in order, each after the
		// message it follows; an export of the branch shown numbers none.
		numbered := place.Node != 0
		if n == 1 {
			branched = numbered
		}
		switch {
		case numbered != branched:
			return c, nil, nil, t, fmt.Errorf("message %d: some messages are numbered as branches, others not", n)
		case !branched:
			t.parents = append(t.parents, n-2)
		case place.Node != n || place.Parent < 0 || place.Parent >= n:
			return c, nil, nil, t, fmt.Errorf("message %d: its place among the branches is damaged (numbered %d, after %d)", n, place.Node, place.Parent)
		default:
			t.parents = append(t.parents, place.Parent-1)
		}
		msgs, files = append(msgs, m), append(files, refs)
		body = rest
	}
	if current < 0 || current > len(msgs) || current > 0 && !branched {
		return c, nil, nil, t, fmt.Errorf("the front matter's current_node (%d) names no message", current)
	}
	t.current = current - 1
	return c, msgs, files, t, nil
}

// parseMessage reads one message that starts at the front of b.
func parseMessage(b []byte, n int) (store.Message, []fileRef, header, []byte, error) {
	var m store.Message
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	meta, ok := bytes.CutPrefix(line, []byte(messageMarker))
	meta, ok2 := bytes.CutSuffix(meta, []byte(" -->"))
	if !ok || !ok2 {
		return m, nil, header{}, nil, fmt.Errorf("message %d: its opening comment is damaged", n)
	}
	var h header
	if err := json.Unmarshal(meta, &h); err != nil {
		return m, nil, header{}, nil, fmt.Errorf("message %d: its opening comment is unreadable: %w", n, err)
	}
	if err := h.check(); err != nil {
		return m, nil, header{}, nil, fmt.Errorf("message %d: %w", n, err)
	}
	// The role heading, then a blank line, then the thinking's quote, then the content.
	_, rest, _ = bytes.Cut(rest, []byte("\n"))
	rest, ok = bytes.CutPrefix(rest, []byte("\n"))
	if !ok {
		return m, nil, header{}, nil, fmt.Errorf("message %d: no blank line after its heading", n)
	}
	if h.ThinkingBlock > 0 {
		if h.ThinkingBlock > len(rest) || !bytes.HasPrefix(rest, []byte("> ")) {
			return m, nil, header{}, nil, fmt.Errorf("message %d: its thinking is not where its comment says", n)
		}
		rest = rest[h.ThinkingBlock:]
	}
	if h.FilesBlock > 0 {
		if h.FilesBlock > len(rest) {
			return m, nil, header{}, nil, fmt.Errorf("message %d: its files are not where its comment says", n)
		}
		rest = rest[h.FilesBlock:]
	}
	for _, f := range h.Files {
		m.Attachments = append(m.Attachments, store.Attachment{Name: f.Name, Kind: chat.AttachmentKind(f.Kind), MIME: f.MIME, Size: f.Size,
			Hash: f.Hash, Detail: f.Detail})
	}
	closing := []byte(endMarker + "\n")
	stop, next := -1, 0
	if h.Length <= len(rest) {
		// The content is exactly Length bytes: whatever it says, even a line like the closing
		// comment, is content. After it come a newline if it had none, the closer lines, and
		// the closing comment.
		after := rest[h.Length:]
		endedWithNewline := h.Length > 0 && rest[h.Length-1] == '\n'
		if i := closingLine(after, closing, endedWithNewline); i >= 0 && exactEnd(after[:i], h.Closers, endedWithNewline) {
			content, err := undoEdits(string(rest[:h.Length]), h.Headings)
			if err != nil {
				return m, nil, header{}, nil, fmt.Errorf("message %d: %w", n, err)
			}
			m.Content, stop, next = content, h.Length+i, h.Length+i+len(closing)
		}
	}
	if stop < 0 {
		// The file was edited after export: take what stands between heading and closing comment.
		i := lineStartingWith(rest, endMarker)
		if i < 0 || lineStartingWith(rest[:i], messageMarker) >= 0 {
			return m, nil, header{}, nil, fmt.Errorf("message %d: its closing comment is missing", n)
		}
		m.Content = dropLines(strings.TrimSuffix(string(rest[:i]), "\n"), h.Closers)
		next = i + len(closing)
	}
	rest = rest[min(next, len(rest)):]

	m.Role, m.Model, m.Finish, m.Error = chat.Role(h.Role), h.Model, chat.Finish(h.Finish), h.Error
	m.Usage = chat.Usage{PromptTokens: h.PromptTokens, CachedTokens: h.CachedTokens, CompletionTokens: h.CompletionTokens,
		ReasoningTokens: h.ReasoningTokens, Estimated: h.Estimated, CacheWriteTokens: h.CacheWriteTokens, ServiceTier: h.ServiceTier}
	m.Thinking, m.ThinkingTime, m.API = h.Thinking, time.Duration(h.ThinkingMS)*time.Millisecond, h.API
	m.Cost = chat.Cost{USD: h.CostUSD, Known: h.CostKnown}
	var err error
	if m.Created, err = parseTime(h.Created); err != nil {
		return m, nil, header{}, nil, fmt.Errorf("message %d: its created time is unreadable: %w", n, err)
	}
	if m.Updated, err = parseTime(h.Updated); err != nil {
		return m, nil, header{}, nil, fmt.Errorf("message %d: its updated time is unreadable: %w", n, err)
	}
	if m.Updated.IsZero() {
		m.Updated = m.Created
	}
	return m, h.Files, h, rest, nil
}

// The bounds of what a header may say: far beyond any real message, short of what would
// overflow a sum over a whole history.
const (
	maxTokens = 1 << 31
	maxCost   = 1e9 // dollars
)

// check refuses a header that no export of Parley's writes: a crafted or damaged file.
func (h header) check() error {
	switch chat.Role(h.Role) {
	case chat.User, chat.Assistant, chat.System:
	default:
		return fmt.Errorf("its role %q is not user, assistant or system", h.Role)
	}
	switch chat.Finish(h.Finish) {
	case "", chat.FinishStop, chat.FinishLength, chat.FinishContentFilter, chat.FinishStopped, chat.FinishInterrupted, chat.FinishFailed:
	default:
		return fmt.Errorf("its finish %q is not one Parley writes", h.Finish)
	}
	switch {
	case h.Length < 0:
		return fmt.Errorf("its length %d is negative", h.Length)
	case h.Closers < 0 || h.Closers > 1000:
		return fmt.Errorf("its closers count %d is out of range", h.Closers)
	}
	if h.ThinkingBlock < 0 || h.ThinkingMS < 0 {
		return fmt.Errorf("its thinking (%d bytes, %d ms) is out of range", h.ThinkingBlock, h.ThinkingMS)
	}
	if h.FilesBlock < 0 || len(h.Files) > 1000 {
		return fmt.Errorf("its files (%d, in %d bytes) are out of range", len(h.Files), h.FilesBlock)
	}
	for _, f := range h.Files {
		if f.Path != "" && !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("its file %q points outside the export's folder", f.Name)
		}
	}
	for _, n := range []int{h.PromptTokens, h.CachedTokens, h.CompletionTokens, h.ReasoningTokens, h.CacheWriteTokens} {
		if n < 0 || n > maxTokens {
			return fmt.Errorf("its tokens (%d) are out of range", n)
		}
	}
	if h.CostUSD < 0 || h.CostUSD > maxCost || math.IsNaN(h.CostUSD) {
		return fmt.Errorf("its cost (%g) is out of range", h.CostUSD)
	}
	return nil
}

// lineStartingWith returns the offset of the first line of b that starts with prefix, or -1.
func lineStartingWith(b []byte, prefix string) int {
	if bytes.HasPrefix(b, []byte(prefix)) {
		return 0
	}
	if i := bytes.Index(b, []byte("\n"+prefix)); i >= 0 {
		return i + 1
	}
	return -1
}

// closingLine finds the closing comment at the start of a line in after, the text following the
// content (which starts a line itself when the content ended with a newline).
func closingLine(after, closing []byte, atLineStart bool) int {
	if atLineStart && bytes.HasPrefix(after, closing) {
		return 0
	}
	if i := bytes.Index(after, append([]byte("\n"), closing...)); i >= 0 {
		return i + 1
	}
	return -1
}

// exactEnd checks that what follows the content is what the exporter wrote there: a newline
// when the content had none, then the closer lines.
func exactEnd(tail []byte, closers int, endedWithNewline bool) bool {
	s := string(tail)
	if !endedWithNewline {
		var ok bool
		if s, ok = strings.CutPrefix(s, "\n"); !ok {
			return false
		}
	}
	return strings.Count(s, "\n") == closers && (s == "" || strings.HasSuffix(s, "\n"))
}

func dropLines(s string, n int) string {
	for range n {
		i := strings.LastIndex(s, "\n")
		if i < 0 {
			return ""
		}
		s = s[:i]
	}
	return s
}
