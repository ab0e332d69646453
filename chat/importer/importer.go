// Package importer brings history from elsewhere into Parley's: a ChatGPT data export (the .zip
// as downloaded, or its conversations.json, possibly split over several files) and a Claude
// export (conversations.json with chat_messages). Exports are read as a stream, one
// conversation at a time, so a 200 MB export never sits in memory whole; each conversation is
// stored whole or not at all, branches as branches, and one imported before (by its source id)
// is not added again. The window and `parley history import` both import through Run.
package importer

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"parley/chat"
	"parley/chat/store"
)

// Format names an export's maker.
type Format string

const (
	ChatGPT Format = "ChatGPT"
	Claude  Format = "Claude"
)

// Progress is how far an import has come; Fraction is of the export's bytes read.
type Progress struct {
	Format        Format
	Conversations int // stored
	Messages      int
	Already       int // imported before, not added again
	Fraction      float64
}

// Summary is what an import did, for telling the user.
type Summary struct {
	Progress
	// Skipped counts what was left out, by why ("tool calls", "hidden system and context
	// messages"); Notes counts what was kept in another form ("content of an unknown type,
	// kept as text").
	Skipped map[string]int
	Notes   map[string]int
	// Failed names the conversations not imported, and why; MissingFiles the files the export
	// refers to that it does not hold.
	Failed       []string
	MissingFiles []string
	// Stopped says why the import ended before the end of the export (cancelled, the file is
	// cut short); what came before it is imported.
	Stopped string
}

// ErrNotExport says a file is neither a ChatGPT nor a Claude export.
var ErrNotExport = errors.New("this is not a ChatGPT or Claude export: expected a .zip from “Export data” or its conversations.json")

// Options shape an import.
type Options struct {
	// Want refuses an export of another maker ("" takes either).
	Want Format
	// Progress is told as conversations are stored (from the importing goroutine).
	Progress func(Progress)
}

// Run imports the export at path into st. It stops between conversations when ctx is
// cancelled. An error means nothing could be read; problems with parts of the export are in
// the summary.
func Run(ctx context.Context, st *store.Store, path string, opts Options) (Summary, error) {
	src, err := open(path)
	if err != nil {
		return Summary{}, err
	}
	defer src.Close()
	r := &run{ctx: ctx, st: st, opts: opts, files: src.files, total: src.size,
		sum: Summary{Skipped: map[string]int{}, Notes: map[string]int{}}, batches: make(chan []store.Tree, 1)}
	// The export is read and converted here while the batch before is written on another
	// goroutine: the two take about as long, and a machine has two cores or more.
	written := make(chan struct{})
	go func() {
		defer close(written)
		for batch := range r.batches {
			r.write(batch)
		}
	}()
	var stopped error
	for i, part := range src.parts {
		if stopped = r.read(part, i == 0); stopped != nil || ctx.Err() != nil {
			break
		}
	}
	close(r.batches)
	<-written
	if stopped != nil && r.decoded == 0 {
		return r.sum, stopped // nothing was read: the file as a whole is wrong
	}
	switch {
	case stopped != nil:
		r.sum.Stopped = plain(stopped)
	case ctx.Err() != nil:
		r.sum.Stopped = "the import was cancelled"
	}
	sort.Strings(r.sum.MissingFiles)
	return r.sum, nil
}

// source is an export opened: its conversation files in order, the files it holds, and how
// many bytes of conversations there are to read.
type source struct {
	parts []part
	files *files
	size  int64
	close func() error
}

func (s *source) Close() error { return s.close() }

// part is one conversations file.
type part struct {
	name string
	open func() (io.ReadCloser, error)
}

var splitName = regexp.MustCompile(`^conversations(-\d+)?\.json$`)

// open opens a .zip export or a conversations.json (with its split siblings beside it).
func open(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", filepath.Base(path), err)
	}
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if n == 4 && string(magic[:]) == "PK\x03\x04" {
		z, err := zip.NewReader(f, fi.Size())
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s is a damaged zip archive: %w", filepath.Base(path), err)
		}
		s := &source{files: indexZip(z), close: f.Close}
		var names []*zip.File
		for _, e := range z.File {
			if splitName.MatchString(filepath.Base(e.Name)) && !e.FileInfo().IsDir() {
				names = append(names, e)
			}
		}
		sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
		for _, e := range names {
			s.parts = append(s.parts, part{name: e.Name, open: e.Open})
			s.size += int64(e.UncompressedSize64)
		}
		if len(s.parts) == 0 {
			f.Close()
			return nil, fmt.Errorf("%s holds no conversations.json: %w", filepath.Base(path), ErrNotExport)
		}
		return s, nil
	}
	f.Close()
	paths := []string{path}
	if base := filepath.Base(path); splitName.MatchString(base) && base != "conversations.json" {
		// One file of a split export: take all of them, in order.
		paths, _ = filepath.Glob(filepath.Join(filepath.Dir(path), "conversations-*.json"))
		paths = slices.DeleteFunc(paths, func(p string) bool { return !splitName.MatchString(filepath.Base(p)) })
		sort.Strings(paths)
	}
	s := &source{files: &files{}, close: func() error { return nil }}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			s.size += fi.Size()
		}
		s.parts = append(s.parts, part{name: filepath.Base(p), open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	return s, nil
}

// run is one import under way. Its summary is shared by the reader and the writer (mu).
type run struct {
	ctx   context.Context
	st    *store.Store
	opts  Options
	files *files
	total int64
	read0 int64        // bytes of the parts read before this one
	count atomic.Int64 // bytes of this part read

	mu  sync.Mutex
	sum Summary
	// decoded counts the conversations read; batch are those not sent to be written yet:
	// written together, in one transaction, they go in several times faster than one by one
	// (the full-text index is written once). batches takes them to the writer.
	decoded  int
	batch    []store.Tree
	messages int // in batch
	batches  chan []store.Tree
	queued   Progress // read and sent to be written
}

// Conversations go into the history in batches of this many, or of this many messages.
const (
	batchConversations = 100
	batchMessages      = 4000
)

// read imports the conversations of one part, one at a time.
func (r *run) read(p part, first bool) error {
	rc, err := p.open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", p.name, err)
	}
	defer rc.Close()
	defer r.flush() // what was read is stored, whatever stops the reading
	r.count.Store(0)
	defer func() { r.read0 += r.count.Load() }()
	dec := json.NewDecoder(&counter{r: rc, n: &r.count})
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, notJSON(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%s: %w", p.name, ErrNotExport)
	}
	for n := 1; dec.More(); n++ {
		if r.ctx.Err() != nil {
			return nil
		}
		var e exported
		if err := dec.Decode(&e); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) && first && n == 1 {
				return fmt.Errorf("%s: %w", p.name, ErrNotExport)
			}
			if errors.As(err, &typeErr) {
				// A conversation of another shape: the decoder has read past it, go on.
				r.fail(fmt.Sprintf("conversation %d of %s: unreadable (%s is not what an export holds there)", n, p.name, typeErr.Field))
				continue
			}
			return fmt.Errorf("%s ends early or is damaged after %d conversations (%v): those before it are imported", p.name, n-1, err)
		}
		format := e.format()
		if format == "" {
			if first && n == 1 {
				return fmt.Errorf("%s: %w", p.name, ErrNotExport)
			}
			r.fail(fmt.Sprintf("conversation %d of %s: not a conversation", n, p.name))
			continue
		}
		if r.opts.Want != "" && format != r.opts.Want {
			return fmt.Errorf("this is a %s export, not a %s one: import it as %s's", format, r.opts.Want, format)
		}
		r.mu.Lock()
		r.sum.Format = format
		r.mu.Unlock()
		r.store(e.convert(format, r.files), n)
	}
	return nil
}

// store queues one converted conversation, counts what it left out, and sends the batch to be
// written when it is full.
func (r *run) store(c converted, n int) {
	r.decoded++
	r.mu.Lock()
	for why, k := range c.skipped {
		r.sum.Skipped[why] += k
	}
	for what, k := range c.notes {
		r.sum.Notes[what] += k
	}
	r.sum.MissingFiles = append(r.sum.MissingFiles, c.missing...)
	if len(c.msgs) == 0 {
		r.sum.Failed = append(r.sum.Failed, fmt.Sprintf("%q: no message to import", c.conv.Title))
	}
	r.mu.Unlock()
	if len(c.msgs) > 0 {
		r.batch = append(r.batch, store.Tree{Conversation: c.conv, Messages: c.msgs, Parents: c.parents, Current: c.current})
		r.messages += len(c.msgs)
		r.queued.Conversations++
		r.queued.Messages += len(c.msgs)
		if len(r.batch) >= batchConversations || r.messages >= batchMessages {
			r.flush()
		}
	}
	r.progress()
}

// flush sends the batch to be written.
func (r *run) flush() {
	if len(r.batch) > 0 {
		r.batches <- r.batch
	}
	r.batch, r.messages = nil, 0
}

// write stores a batch: whole, or not at all (each of its conversations is then named as not
// imported, and why).
func (r *run) write(batch []store.Tree) {
	added, err := r.st.ImportTrees(batch)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, t := range batch {
		switch {
		case err != nil:
			r.sum.Failed = append(r.sum.Failed, fmt.Sprintf("%q: %v", t.Conversation.Title, err))
		case added[i].ID == 0:
			r.sum.Already++
		default:
			r.sum.Conversations++
			r.sum.Messages += len(t.Messages)
		}
	}
}

// progress tells how far the import is: conversations read, stored or about to be.
func (r *run) progress() {
	if r.opts.Progress == nil {
		return
	}
	r.mu.Lock()
	p := r.queued
	p.Format, p.Already = r.sum.Format, r.sum.Already
	r.mu.Unlock()
	if r.total > 0 {
		p.Fraction = min(float64(r.read0+r.count.Load())/float64(r.total), 1)
	}
	r.opts.Progress(p)
}

func (r *run) fail(what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.Failed = append(r.sum.Failed, what)
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func notJSON(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the file is empty: %w", ErrNotExport)
	}
	return fmt.Errorf("%v: %w", err, ErrNotExport)
}

func plain(err error) string {
	s := err.Error()
	return strings.ToLower(s[:1]) + s[1:]
}

// exported is one conversation of either export, as decoded: ChatGPT's fields and Claude's.
type exported struct {
	// ChatGPT
	Title            string             `json:"title"`
	CreateTime       *float64           `json:"create_time"`
	UpdateTime       *float64           `json:"update_time"`
	Mapping          map[string]gptNode `json:"mapping"`
	CurrentNode      string             `json:"current_node"`
	ConversationID   string             `json:"conversation_id"`
	ID               string             `json:"id"`
	DefaultModelSlug string             `json:"default_model_slug"`
	// Claude
	UUID         string          `json:"uuid"`
	Name         string          `json:"name"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
	ChatMessages []claudeMessage `json:"chat_messages"`
	CurrentLeaf  string          `json:"current_leaf_message_uuid"`
	Model        string          `json:"model"`
}

func (e *exported) format() Format {
	switch {
	case e.Mapping != nil:
		return ChatGPT
	case e.ChatMessages != nil && e.UUID != "":
		return Claude
	}
	return ""
}

func (e *exported) convert(f Format, files *files) converted {
	if f == ChatGPT {
		return e.chatGPT(files)
	}
	return e.claude()
}

// converted is a conversation ready to store: messages with their parents' indexes, the one
// shown, and what was left out or kept in another form.
type converted struct {
	conv    store.Conversation
	msgs    []store.Message
	parents []int
	current int
	skipped map[string]int
	notes   map[string]int
	missing []string
}

func newConverted() converted {
	return converted{current: -1, skipped: map[string]int{}, notes: map[string]int{}}
}

// add appends a message after parent (an index, -1 for none) and returns its index.
func (c *converted) add(m store.Message, parent int) int {
	c.msgs = append(c.msgs, m)
	c.parents = append(c.parents, parent)
	return len(c.msgs) - 1
}

// Report says what an import did, in plain words, a line each.
func (s Summary) Report() string {
	var b strings.Builder
	from := ""
	if s.Format != "" {
		from = " from " + string(s.Format)
	}
	fmt.Fprintf(&b, "Imported %s (%s)%s.\n", chat.Plural(s.Conversations, "conversation", ""), chat.Plural(s.Messages, "message", ""), from)
	if s.Already > 0 {
		fmt.Fprintf(&b, "%s imported before, not added again.\n", chat.Plural(s.Already, "conversation was", "conversations were"))
	}
	if line := counts(s.Skipped); line != "" {
		fmt.Fprintf(&b, "Left out: %s.\n", line)
	}
	if line := counts(s.Notes); line != "" {
		fmt.Fprintf(&b, "Kept: %s.\n", line)
	}
	if n := len(s.MissingFiles); n > 0 {
		fmt.Fprintf(&b, "%s the export refers to but does not hold (named in their messages): %s.\n", chat.Plural(n, "file", ""), some(s.MissingFiles))
	}
	if n := len(s.Failed); n > 0 {
		fmt.Fprintf(&b, "Not imported: %s.\n", some(s.Failed))
	}
	if s.Stopped != "" {
		fmt.Fprintf(&b, "Stopped: %s.\n", strings.TrimSuffix(s.Stopped, "."))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// counts lists counted reasons, most first: "tool calls (2); empty messages (1)".
func counts(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%s)", k, chat.Thousands(m[k]))
	}
	return strings.Join(parts, "; ")
}

// some names the first few of a list, and how many more there are.
func some(list []string) string {
	const shown = 5
	if len(list) <= shown {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:shown], ", "), len(list)-shown)
}
