package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound says a conversation or message does not exist (any more).
var ErrNotFound = errors.New("no such conversation")

// TitleFrom makes a conversation title from its first question: the first line, trimmed to a
// length a sidebar can show.
func TitleFrom(question string) string {
	line := strings.TrimSpace(question)
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	line = strings.Join(strings.Fields(line), " ")
	const max = 60
	if utf8.RuneCountInString(line) > max {
		r := []rune(line)[:max]
		line = strings.TrimRight(string(r), " ") + "…"
	}
	if line == "" {
		return "New chat"
	}
	return line
}

// Retitled is a conversation's title once its first question changes (edited and sent again):
// a title made from the old question follows the new one; a title the user chose stays.
func Retitled(title, oldFirst, newFirst string) string {
	if title == TitleFrom(oldFirst) {
		return TitleFrom(newFirst)
	}
	return title
}

const conversationColumns = `id, title, profile, model, system_prompt, created, updated, pinned, quick, effort, pro, service_tier, batch_id, uid, source, temperature`

func scanConversation(row interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var created, updated int64
	var temperature sql.NullFloat64
	err := row.Scan(&c.ID, &c.Title, &c.Profile, &c.Model, &c.SystemPrompt, &created, &updated, &c.Pinned, &c.Quick, &c.Effort, &c.Pro, &c.ServiceTier, &c.Batch, &c.UID, &c.Source, &temperature)
	if temperature.Valid {
		t := float32(temperature.Float64)
		c.Temperature = &t
	}
	c.Created, c.Updated = fromMS(created), fromMS(updated)
	return c, err
}

// CreateConversation stores a new conversation and returns it with its id and times.
func (s *Store) CreateConversation(c Conversation) (Conversation, error) {
	now := s.now()
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	if c.Title == "" {
		c.Title = "New chat"
	}
	id, err := insertConversation(s.db, c)
	if err != nil {
		return c, wrap("saving the conversation", err)
	}
	c.ID = id
	return c, nil
}

// Conversation returns one conversation.
func (s *Store) Conversation(id int64) (Conversation, error) {
	c, err := scanConversation(s.db.QueryRow(`SELECT `+conversationColumns+` FROM conversations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, wrap("reading the conversation", err)
}

// Conversations lists conversations pinned first, then newest first, a page at a time.
func (s *Store) Conversations(limit, offset int) ([]Conversation, error) {
	rows, err := s.db.Query(`SELECT `+conversationColumns+` FROM conversations ORDER BY pinned DESC, updated DESC, id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, wrap("listing conversations", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, wrap("listing conversations", err)
		}
		out = append(out, c)
	}
	return out, wrap("listing conversations", rows.Err())
}

// CountConversations is how many conversations there are.
func (s *Store) CountConversations() (int, error) {
	var n int
	err := s.db.QueryRow(`SELECT count(*) FROM conversations`).Scan(&n)
	return n, wrap("counting conversations", err)
}

// insertConversation adds a conversation row as it is, times included.
func insertConversation(db interface {
	Exec(string, ...any) (sql.Result, error)
}, c Conversation) (int64, error) {
	if c.UID == "" {
		c.UID = newUID()
	}
	res, err := db.Exec(`INSERT INTO conversations (title, profile, model, system_prompt, created, updated, pinned, quick, effort, pro, service_tier, batch_id, uid, source, temperature)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Title, c.Profile, c.Model, c.SystemPrompt, ms(c.Created), ms(c.Updated), c.Pinned, c.Quick, c.Effort, c.Pro, c.ServiceTier, c.Batch, c.UID, c.Source, temperatureOf(c))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// temperatureOf is a conversation's temperature as the database keeps it (NULL: none).
func temperatureOf(c Conversation) any {
	if c.Temperature == nil {
		return nil
	}
	return float64(*c.Temperature)
}

// UpdateConversation saves a conversation's title, model, profile, system prompt, pin, effort
// and service tier.
func (s *Store) UpdateConversation(c Conversation) error {
	res, err := s.db.Exec(`UPDATE conversations SET title = ?, profile = ?, model = ?, system_prompt = ?, pinned = ?, quick = ?,
		effort = ?, pro = ?, service_tier = ?, temperature = ? WHERE id = ?`,
		c.Title, c.Profile, c.Model, c.SystemPrompt, c.Pinned, c.Quick, c.Effort, c.Pro, c.ServiceTier, temperatureOf(c), c.ID)
	return changed(res, err, "saving the conversation")
}

// Rename gives a conversation a new title.
func (s *Store) Rename(id int64, title string) error {
	title = strings.TrimSpace(title)
	if title == "" {
		return errors.New("a conversation needs a title")
	}
	res, err := s.db.Exec(`UPDATE conversations SET title = ? WHERE id = ?`, title, id)
	return changed(res, err, "renaming the conversation")
}

// SetPinned pins a conversation to the top of the list, or unpins it.
func (s *Store) SetPinned(id int64, pinned bool) error {
	res, err := s.db.Exec(`UPDATE conversations SET pinned = ? WHERE id = ?`, pinned, id)
	return changed(res, err, "pinning the conversation")
}

// Delete removes a conversation and its messages.
func (s *Store) Delete(id int64) error {
	res, err := s.db.Exec(`DELETE FROM conversations WHERE id = ?`, id)
	return changed(res, err, "deleting the conversation")
}

func changed(res sql.Result, err error, what string) error {
	if err != nil {
		return wrap(what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Group is where a conversation goes in the sidebar.
type Group string

// The sidebar's groups, in order.
const (
	GroupPinned    Group = "Pinned"
	GroupToday     Group = "Today"
	GroupYesterday Group = "Yesterday"
	GroupWeek      Group = "Previous 7 days"
	GroupOlder     Group = "Older"
)

// GroupOf places a conversation in its sidebar group, by the user's calendar days.
func GroupOf(c Conversation, now time.Time) Group {
	if c.Pinned {
		return GroupPinned
	}
	now = now.Local()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch u := c.Updated.Local(); {
	case !u.Before(midnight):
		return GroupToday
	case !u.Before(midnight.AddDate(0, 0, -1)):
		return GroupYesterday
	case !u.Before(midnight.AddDate(0, 0, -7)):
		return GroupWeek
	}
	return GroupOlder
}

// Import stores a whole conversation as it was, times included (a Markdown export read back):
// each message follows the one before it.
func (s *Store) Import(c Conversation, msgs []Message) (Conversation, error) {
	return s.ImportTree(c, msgs, chain(len(msgs)), -1)
}

// WithPreset is the conversation asking as a preset says: its system prompt, and its model,
// effort and temperature where it names them (settings.Preset's fields).
func (c Conversation) WithPreset(system, model, effort string, temperature *float32) Conversation {
	c.SystemPrompt = system
	if model != "" {
		c.Model = model
	}
	if effort != "" {
		c.Effort = effort
	}
	if temperature != nil {
		t := *temperature
		c.Temperature = &t
	}
	return c
}
