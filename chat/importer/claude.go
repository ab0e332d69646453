package importer

import (
	"encoding/json"
	"strings"
	"time"

	"parley/chat"
	"parley/chat/attach"
	"parley/chat/store"
)

// A Claude export's conversation lists its messages in chat_messages; newer exports name each
// message's parent (parent_message_uuid), so edits and retries come in as branches, and older
// ones are a chain. Documents come with the text Claude read of them; images do not come at all.

type claudeMessage struct {
	UUID      string          `json:"uuid"`
	Text      string          `json:"text"`
	Content   []claudeContent `json:"content"`
	Sender    string          `json:"sender"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
	Parent    string          `json:"parent_message_uuid"`
	// Attachments are documents with the text Claude read of them; Files are images and other
	// files, named only.
	Attachments []struct {
		FileName         string `json:"file_name"`
		ExtractedContent string `json:"extracted_content"`
	} `json:"attachments"`
	Files []struct {
		FileName string `json:"file_name"`
	} `json:"files"`
}

type claudeContent struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Thinking string          `json:"thinking"`
	Name     string          `json:"name"`
	Input    json.RawMessage `json:"input"`
}

// claudeRoot is the parent Claude gives a conversation's first message.
const claudeRoot = "00000000-0000-4000-8000-000000000000"

func (e *exported) claude() converted {
	c := newConverted()
	created := isoTime(e.CreatedAt, time.Time{})
	c.conv = store.Conversation{Title: strings.TrimSpace(e.Name), Model: e.Model, Created: created,
		Updated: isoTime(e.UpdatedAt, created), Source: "claude:" + e.UUID}
	if c.conv.Title == "" {
		c.conv.Title = "Untitled (Claude)"
	}
	branched := false
	for _, m := range e.ChatMessages {
		if m.Parent != "" {
			branched = true
		}
	}
	index := map[string]int{} // message uuid → index kept (or handed down)
	last := -1
	for _, cm := range e.ChatMessages {
		parent := last
		if branched {
			p, ok := index[cm.Parent]
			switch {
			case cm.Parent == "" || cm.Parent == claudeRoot:
				parent = -1
			case ok:
				parent = p
			default:
				parent = -1 // its parent is missing (or comes later): a branch of its own
				c.notes[noteNoParent]++
			}
		}
		m, kept, why := c.claudeMessage(cm, created, e.Model)
		at := parent
		if kept {
			at = c.add(m, parent)
		} else {
			c.skipped[why]++
		}
		index[cm.UUID] = at
		last = at
	}
	if at, ok := index[e.CurrentLeaf]; ok && at >= 0 {
		c.current = at
	}
	return c
}

func (c *converted) claudeMessage(cm claudeMessage, fallback time.Time, model string) (m store.Message, kept bool, why string) {
	switch cm.Sender {
	case "human":
		m.Role = chat.User
	case "assistant":
		m.Role, m.Model, m.Finish = chat.Assistant, model, chat.FinishStop
	default:
		return m, false, skipHidden
	}
	m.Created = isoTime(cm.CreatedAt, fallback)
	m.Updated = isoTime(cm.UpdatedAt, m.Created)
	var text, thinking strings.Builder
	if len(cm.Content) == 0 {
		writePara(&text, cm.Text)
	}
	for _, part := range cm.Content {
		switch part.Type {
		case "text":
			writePara(&text, part.Text)
		case "thinking":
			writePara(&thinking, part.Thinking)
		case "tool_use", "tool_result", "server_tool_use", "web_search_tool_result":
			c.skipped[skipTools]++
		default:
			raw, _ := json.Marshal(part)
			c.unknown(&text, part.Type, raw)
		}
	}
	for _, a := range cm.Attachments {
		name := baseName(a.FileName)
		f, err := attach.FromBytes(name, []byte(a.ExtractedContent))
		if err != nil { // a PDF or a sheet: what came is its text
			f, err = attach.FromBytes(name+".txt", []byte(a.ExtractedContent))
		}
		if err != nil {
			c.missing = append(c.missing, name+" ("+err.Error()+")")
			writePara(&text, "📎 *"+name+" (could not be imported: "+err.Error()+")*")
			continue
		}
		m.Attachments = append(m.Attachments, f.Stored(""))
	}
	for _, f := range cm.Files {
		name := baseName(f.FileName)
		c.missing = append(c.missing, name)
		writePara(&text, "📎 *"+name+" (not in the export)*")
	}
	m.Content, m.Thinking = strings.TrimSpace(text.String()), strings.TrimSpace(thinking.String())
	if m.Content == "" && len(m.Attachments) == 0 {
		return m, false, skipEmpty
	}
	return m, true, ""
}

func baseName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// isoTime is an export's RFC 3339 time, or fallback.
func isoTime(s string, fallback time.Time) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fallback
	}
	return t.Round(time.Millisecond)
}
