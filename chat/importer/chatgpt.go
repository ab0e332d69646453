package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"parley/chat"
	"parley/chat/store"
)

// A ChatGPT export's conversation is a tree of nodes ("mapping"): each node names its parent
// and children and may hold a message; current_node is the end of the branch shown. Many nodes
// are not shown in ChatGPT (its system prompt, custom instructions, tool calls and their
// results): they are left out, and what they connected stays connected.

type gptNode struct {
	ID       string      `json:"id"`
	Message  *gptMessage `json:"message"`
	Parent   *string     `json:"parent"`
	Children []string    `json:"children"`
}

type gptMessage struct {
	ID     string `json:"id"`
	Author struct {
		Role string `json:"role"`
		Name string `json:"name"`
	} `json:"author"`
	CreateTime *float64        `json:"create_time"`
	UpdateTime *float64        `json:"update_time"`
	Content    json.RawMessage `json:"content"`
	Status     string          `json:"status"`
	Recipient  string          `json:"recipient"`
	Metadata   struct {
		ModelSlug   string `json:"model_slug"`
		Hidden      bool   `json:"is_visually_hidden_from_conversation"`
		Attachments []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			MimeType string `json:"mime_type"`
		} `json:"attachments"`
		FinishDetails *struct {
			Type string `json:"type"`
		} `json:"finish_details"`
		FinishedDurationSec *float64 `json:"finished_duration_sec"` // a reasoning recap's, when given
	} `json:"metadata"`
}

// gptContent is a message's content: its type, and the fields the types use.
type gptContent struct {
	ContentType string            `json:"content_type"`
	Parts       []json.RawMessage `json:"parts"`
	Text        string            `json:"text"`
	Language    string            `json:"language"`
	Result      string            `json:"result"`
	Title       string            `json:"title"`
	URL         string            `json:"url"`
	Name        string            `json:"name"`
	Content     string            `json:"content"`
	Thoughts    []struct {
		Summary string `json:"summary"`
		Content string `json:"content"`
	} `json:"thoughts"`
}

// The reasons nodes are left out, as the summary says them.
const (
	skipHidden    = "hidden system and context messages"
	skipTools     = "tool calls and their results (code run, browsing, image generation)"
	skipEmpty     = "empty messages"
	skipRecap     = "“Thought for …” lines (the thinking and how long it took are kept with the answer)"
	skipLoop      = "messages in a loop of parents (a damaged export)"
	noteUnknown   = "content of a type Parley does not know, kept as text with a note"
	noteNoParent  = "messages whose parent is missing, kept as the start of a branch"
	noteNoCurrent = "conversations whose branch shown is missing (the newest is shown)"
)

func (e *exported) chatGPT(fs *files) converted {
	c := newConverted()
	created := floatTime(e.CreateTime, time.Time{})
	c.conv = store.Conversation{Title: strings.TrimSpace(e.Title), Model: e.DefaultModelSlug, Created: created,
		Updated: floatTime(e.UpdateTime, created)}
	if c.conv.Title == "" {
		c.conv.Title = "Untitled (ChatGPT)"
	}
	id := e.ConversationID
	if id == "" {
		id = e.ID
	}
	if id != "" {
		c.conv.Source = "chatgpt:" + id
	}
	// Children by the parent each node names (the truth when the two disagree), in the order
	// the parent lists them, then any it does not list by time.
	children := map[string][]string{}
	var roots []string
	for key, n := range e.Mapping {
		nid := n.ID
		if nid == "" {
			nid = key
		}
		switch {
		case n.Parent == nil || *n.Parent == "":
			roots = append(roots, nid)
		case e.node(*n.Parent) == nil:
			roots = append(roots, nid)
			if n.Message != nil {
				c.notes[noteNoParent]++
			}
		default:
			children[*n.Parent] = append(children[*n.Parent], nid)
		}
	}
	order := func(parent string, ids []string) []string {
		listed := map[string]int{}
		if p := e.node(parent); p != nil {
			for i, child := range p.Children {
				listed[child] = i + 1
			}
		}
		sort.SliceStable(ids, func(i, j int) bool {
			a, b := listed[ids[i]], listed[ids[j]]
			if a != b && a != 0 && b != 0 {
				return a < b
			}
			if a != b {
				return a != 0 // listed ones first
			}
			ta, tb := e.created(ids[i]), e.created(ids[j])
			if ta != tb {
				return ta < tb
			}
			return ids[i] < ids[j]
		})
		return ids
	}
	roots = order("", roots)
	index := map[string]int{} // node id → index of the message it shows or hands down
	type step struct {
		id       string
		parent   int           // index of the nearest message kept above it
		thinking string        // thoughts waiting for the answer they belong to
		thought  time.Duration // and how long they took, from a "Thought for …" recap
	}
	stack := make([]step, 0, len(roots))
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, step{id: roots[i], parent: -1})
	}
	seen := map[string]bool{}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s.id] {
			continue
		}
		seen[s.id] = true
		n := e.node(s.id)
		at, thinking, took := s.parent, s.thinking, s.thought
		if n != nil && n.Message != nil {
			m, kept, why, thought := c.gptMessage(n.Message, fs, created)
			if !kept && m.ThinkingTime > 0 {
				took = m.ThinkingTime // a "Thought for …" recap, for the answer below it
			}
			switch {
			case thought != "":
				thinking = strings.TrimSpace(thinking + "\n\n" + thought)
			case kept:
				if m.Role == chat.Assistant && (thinking != "" || took > 0) {
					m.Thinking, m.ThinkingTime, thinking, took = thinking, took, "", 0
				}
				at = c.add(m, s.parent)
			case why != "":
				c.skipped[why]++
			}
		}
		index[s.id] = at
		kids := order(s.id, children[s.id])
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, step{id: kids[i], parent: at, thinking: thinking, thought: took})
		}
	}
	for nid, n := range e.Mapping {
		if !seen[nid] && n.Message != nil {
			c.skipped[skipLoop]++
		}
	}
	if at, ok := index[e.CurrentNode]; ok && at >= 0 {
		c.current = at // a hidden current node hands down the message above it
	} else if len(c.msgs) > 0 {
		c.notes[noteNoCurrent]++
	}
	return c
}

// recapDuration is how long a "Thought for …" recap says the model thought: its metadata's
// seconds when the export has them, else read from the line ("12 seconds", "1m 5s",
// "2 minutes"); 0 for a line that names no time ("a few seconds").
func recapDuration(g *gptMessage, content gptContent) time.Duration {
	if sec := g.Metadata.FinishedDurationSec; sec != nil && *sec > 0 && *sec < 86400 {
		return time.Duration(*sec * float64(time.Second))
	}
	var total time.Duration
	for _, m := range recapTime.FindAllStringSubmatch(content.Content, -1) {
		n, _ := strconv.Atoi(m[1])
		unit := time.Second
		if strings.HasPrefix(m[2], "m") {
			unit = time.Minute
		} else if strings.HasPrefix(m[2], "h") {
			unit = time.Hour
		}
		total += time.Duration(n) * unit
	}
	return total
}

// recapTime finds the amounts in a recap line: "12 seconds", "1m 5s", "2 minutes", "1 hour".
var recapTime = regexp.MustCompile(`(\d+)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h)\b`)

func (e *exported) node(id string) *gptNode {
	if n, ok := e.Mapping[id]; ok {
		return &n
	}
	return nil
}

func (e *exported) created(id string) float64 {
	if n := e.node(id); n != nil && n.Message != nil && n.Message.CreateTime != nil {
		return *n.Message.CreateTime
	}
	return 0
}

// gptMessage converts one node's message: kept as a message, or left out (why), or thoughts
// for the answer below it. A "Thought for …" recap is left out with its ThinkingTime set, for
// the answer below it.
func (c *converted) gptMessage(g *gptMessage, fs *files, fallback time.Time) (m store.Message, kept bool, why, thought string) {
	var content gptContent
	if len(g.Content) > 0 {
		json.Unmarshal(g.Content, &content)
	}
	role := g.Author.Role
	switch {
	case g.Metadata.Hidden || role == "system" || content.ContentType == "user_editable_context" || content.ContentType == "model_editable_context":
		return m, false, skipHidden, ""
	case role == "tool" || role == "assistant" && g.Recipient != "" && g.Recipient != "all":
		return m, false, skipTools, ""
	case content.ContentType == "thoughts":
		var parts []string
		for _, t := range content.Thoughts {
			parts = append(parts, strings.TrimSpace(strings.TrimSpace(t.Summary+"\n\n"+t.Content)))
		}
		if text := strings.TrimSpace(strings.Join(parts, "\n\n")); text != "" {
			return m, false, "", text
		}
		return m, false, skipEmpty, ""
	case content.ContentType == "reasoning_recap":
		m.ThinkingTime = recapDuration(g, content) // not kept: its time goes to the answer
		return m, false, skipRecap, ""
	case role != "user" && role != "assistant":
		return m, false, skipHidden, ""
	}
	m.Role = chat.Role(role)
	m.Created = floatTime(g.CreateTime, fallback)
	m.Updated = floatTime(g.UpdateTime, m.Created)
	if role == "assistant" {
		m.Model = g.Metadata.ModelSlug
		m.Finish = chat.FinishStop
		if g.Metadata.FinishDetails != nil && g.Metadata.FinishDetails.Type == "max_tokens" {
			m.Finish = chat.FinishLength
		}
		if g.Status == "in_progress" || g.Status == "finished_partial_completion" {
			m.Finish, m.Error = chat.FinishInterrupted, "The answer was not finished in ChatGPT."
		}
	}
	var text strings.Builder
	pointers := c.gptText(&text, content, g.Content)
	// Files sent with it: images by their pointers, documents by the metadata's list.
	seen := map[string]bool{}
	for _, p := range pointers {
		c.attachFile(&m, &text, fs, p, "", seen)
	}
	for _, a := range g.Metadata.Attachments {
		c.attachFile(&m, &text, fs, a.ID, a.Name, seen)
	}
	m.Content = strings.TrimSpace(text.String())
	if m.Content == "" && len(m.Attachments) == 0 {
		return m, false, skipEmpty, ""
	}
	return m, true, "", ""
}

// gptText writes a content's text, and returns the file ids of the images in it.
func (c *converted) gptText(b *strings.Builder, content gptContent, raw json.RawMessage) (images []string) {
	switch content.ContentType {
	case "text", "multimodal_text", "":
		for _, p := range content.Parts {
			var s string
			if json.Unmarshal(p, &s) == nil {
				writePara(b, s)
				continue
			}
			var part struct {
				ContentType  string `json:"content_type"`
				AssetPointer string `json:"asset_pointer"`
				Text         string `json:"text"`
			}
			json.Unmarshal(p, &part)
			switch {
			case part.ContentType == "image_asset_pointer" && pointerID(part.AssetPointer) != "":
				images = append(images, pointerID(part.AssetPointer))
			case part.ContentType == "audio_transcription":
				writePara(b, part.Text)
			case part.ContentType == "audio_asset_pointer" || part.ContentType == "real_time_user_audio_video_asset_pointer":
				c.notes["voice recordings, named but not imported"]++
				writePara(b, "*(A voice recording, not imported.)*")
			default:
				c.unknown(b, part.ContentType, p)
			}
		}
	case "code":
		lang := content.Language
		if lang == "unknown" {
			lang = ""
		}
		writePara(b, "```"+lang+"\n"+strings.TrimRight(content.Text, "\n")+"\n```")
	case "execution_output":
		writePara(b, "```\n"+strings.TrimRight(content.Text, "\n")+"\n```")
	case "tether_quote":
		writePara(b, "> "+strings.ReplaceAll(strings.TrimSpace(content.Text), "\n", "\n> ")+"\n\n— "+content.Title+" ("+content.URL+")")
	case "tether_browsing_display":
		writePara(b, content.Result)
	case "system_error":
		writePara(b, "*(ChatGPT reported an error: "+content.Name+")* "+content.Text)
	default:
		c.unknown(b, content.ContentType, raw)
	}
	return images
}

// unknown keeps content of a type Parley does not know as text, with a note: its text fields
// when it has some, else the content itself.
func (c *converted) unknown(b *strings.Builder, kind string, raw json.RawMessage) {
	c.notes[noteUnknown]++
	if kind == "" {
		kind = "untyped"
	}
	var fields map[string]any
	json.Unmarshal(raw, &fields)
	var texts []string
	for _, key := range []string{"text", "result", "content", "parts"} {
		switch v := fields[key].(type) {
		case string:
			texts = append(texts, v)
		case []any:
			for _, p := range v {
				if s, ok := p.(string); ok {
					texts = append(texts, s)
				}
			}
		}
	}
	writePara(b, fmt.Sprintf("*(Imported from ChatGPT: content of type “%s”, kept as text.)*", kind))
	if text := strings.TrimSpace(strings.Join(texts, "\n\n")); text != "" {
		writePara(b, text)
	} else {
		writePara(b, "```json\n"+string(raw)+"\n```")
	}
}

// attachFile attaches a file of the export to m, or names it in the text when the export does
// not hold it (or it cannot be attached).
func (c *converted) attachFile(m *store.Message, b *strings.Builder, fs *files, id, name string, seen map[string]bool) {
	if id == "" || seen[id] {
		return
	}
	seen[id] = true
	a, ok, err := fs.attachment(id, name)
	label := name
	if label == "" {
		label = id
	}
	switch {
	case !ok:
		c.missing = append(c.missing, label)
		writePara(b, "📎 *"+label+" (not in the export)*")
	case err != nil:
		c.missing = append(c.missing, label+" ("+err.Error()+")")
		writePara(b, "📎 *"+label+" (could not be imported: "+err.Error()+")*")
	default:
		m.Attachments = append(m.Attachments, a)
	}
}

func writePara(b *strings.Builder, s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString(s)
}

// floatTime is an export's time in seconds since 1970, or fallback when it has none (or an
// absurd one).
func floatTime(v *float64, fallback time.Time) time.Time {
	if v == nil || *v <= 0 || *v > 1e11 || math.IsNaN(*v) {
		return fallback
	}
	sec, frac := math.Modf(*v)
	return time.Unix(int64(sec), int64(frac*1e9)).Round(time.Millisecond)
}
