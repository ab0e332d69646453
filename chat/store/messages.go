package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"parley/chat"
)

// StaleAfter is how long an answer may go without a checkpoint before it counts as abandoned:
// a live writer checkpoints every second.
const StaleAfter = 3 * time.Second

// messageFields are the columns a Message is read from, in scanMessage's order, before its
// parent.
var messageFields = []string{"id", "conversation_id", "seq", "role", "content", "model", "prompt_tokens", "cached_tokens",
	"completion_tokens", "reasoning_tokens", "usage_estimated", "cost_usd", "cost_known", "finish", "error", "created", "updated",
	"thinking", "thinking_ms", "items", "cache_write_tokens", "service_tier", "api", "response_id"}

// messageColumns select a Message; pathColumns the same of a messages table named m.
var (
	messageColumns = strings.Join(messageFields, ", ") + ", coalesce(parent_id, 0)"
	pathColumns    = "m." + strings.Join(messageFields, ", m.") + ", coalesce(m.parent_id, 0)"
)

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var role, finish, items string
	var created, updated, thinkingMS int64
	err := row.Scan(&m.ID, &m.ConversationID, &m.Seq, &role, &m.Content, &m.Model,
		&m.Usage.PromptTokens, &m.Usage.CachedTokens, &m.Usage.CompletionTokens, &m.Usage.ReasoningTokens, &m.Usage.Estimated,
		&m.Cost.USD, &m.Cost.Known, &finish, &m.Error, &created, &updated,
		&m.Thinking, &thinkingMS, &items, &m.Usage.CacheWriteTokens, &m.Usage.ServiceTier, &m.API, &m.ResponseID, &m.Parent)
	m.Role, m.Finish = chat.Role(role), chat.Finish(finish)
	m.Created, m.Updated = fromMS(created), fromMS(updated)
	m.ThinkingTime = time.Duration(thinkingMS) * time.Millisecond
	m.Items, m.ItemsModel = decodeItems(items)
	return m, err
}

// keptItems is how an answer's output items are kept: with the model they belong to.
type keptItems struct {
	Model string            `json:"model"`
	Items []json.RawMessage `json:"items"`
}

func encodeItems(m Message) string {
	if len(m.Items) == 0 {
		return ""
	}
	b, _ := json.Marshal(keptItems{Model: m.ItemsModel, Items: m.Items})
	return string(b)
}

func decodeItems(s string) ([]json.RawMessage, string) {
	var k keptItems
	if s == "" || json.Unmarshal([]byte(s), &k) != nil {
		return nil, "" // unreadable items only lose the carried reasoning: the text stays
	}
	return k.Items, k.Model
}

// insertColumns are the columns a new message row is given, in the order of messageValues.
const insertColumns = `conversation_id, seq, role, content, model, prompt_tokens, cached_tokens, completion_tokens,
	reasoning_tokens, usage_estimated, cost_usd, cost_known, finish, error, created, updated,
	thinking, thinking_ms, items, cache_write_tokens, service_tier, api, response_id, parent_id`

// valuesRow is one row of placeholders for insertColumns.
const valuesRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// messageValues are a message's values for insertColumns.
func messageValues(m Message) []any {
	var parent any // NULL: it opens the conversation
	if m.Parent != 0 {
		parent = m.Parent
	}
	return []any{m.ConversationID, m.Seq, string(m.Role), m.Content, m.Model, m.Usage.PromptTokens, m.Usage.CachedTokens,
		m.Usage.CompletionTokens, m.Usage.ReasoningTokens, m.Usage.Estimated, m.Cost.USD, m.Cost.Known,
		string(m.Finish), m.Error, ms(m.Created), ms(m.Updated),
		m.Thinking, m.ThinkingTime.Milliseconds(), encodeItems(m), m.Usage.CacheWriteTokens, m.Usage.ServiceTier, m.API, m.ResponseID, parent}
}

// insertMessage adds a message row as it is, seq, parent and times included.
func insertMessage(tx *sql.Tx, m Message) (int64, error) {
	res, err := tx.Exec(`INSERT INTO messages (`+insertColumns+`) VALUES `+valuesRow, messageValues(m)...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, insertAttachments(tx, id, m.Attachments)
}

// Messages returns the conversation as shown: the path of messages from its first to its leaf,
// in order, each with its place among its versions. An answer whose writer went away
// mid-stream (Parley was killed) comes back as interrupted.
func (s *Store) Messages(conversation int64) ([]Message, error) { return s.PathFrom(conversation, 0) }

// PathFrom returns the end of the path Messages returns: from message from (0: the first) to
// the leaf. After switching a version, only what follows it is read again. The path is found
// from the tree's shape (ids and parents, from an index); only its messages are then read.
func (s *Store) PathFrom(conversation, from int64) ([]Message, error) {
	t, err := s.shapeOf(conversation)
	if err != nil {
		return nil, wrap("reading the conversation", err)
	}
	ids, first := t.path(from)
	if len(ids) == 0 {
		return nil, nil
	}
	query, args := `SELECT `+messageColumns+` FROM messages WHERE conversation_id = ? AND seq >= ?`, []any{conversation, first}
	if t.after(first) > len(ids) { // other branches are written in that range: leave them out
		list, _ := json.Marshal(ids)
		query, args = query+` AND id IN (SELECT value FROM json_each(?))`, append(args, string(list))
	}
	rows, err := s.db.Query(query+` ORDER BY seq`, args...)
	if err != nil {
		return nil, wrap("reading the conversation", err)
	}
	out, err := s.scanMessages(rows)
	if err != nil {
		return nil, wrap("reading the conversation", err)
	}
	files, err := s.attachmentsOf(conversation)
	if err != nil {
		return nil, wrap("reading the conversation's files", err)
	}
	for i := range out {
		out[i].Attachments = files[out[i].ID]
		out[i].Version, out[i].Versions = t.version(out[i])
	}
	return out, nil
}

// scanMessages reads message rows, settling answers whose writer has gone silent.
func (s *Store) scanMessages(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	now := s.now()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		if m.Finish == Streaming && now.Sub(m.Updated) > StaleAfter {
			m.Finish, m.Error = chat.FinishInterrupted, abandoned
			if m.ResponseID != "" {
				m.Finish, m.Error = chat.FinishBackground, "" // still being made on OpenAI
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

const abandoned = "Parley closed before this answer was finished."

// Abandoned lists the answers a Parley that stopped (killed, crashed, powered off) left being
// written. Answers another running Parley is still writing are left out, and so are background
// answers: they go on on OpenAI, to be fetched (Pending).
func (s *Store) Abandoned() ([]Message, error) {
	return s.messagesWhere("finding interrupted answers", abandonedWhere, ms(s.now().Add(-StaleAfter)))
}

// abandonedWhere is an answer being written in the foreground whose writer went silent before
// its argument. It names 'streaming' itself, so that its partial index serves it.
const abandonedWhere = `finish = '` + string(Streaming) + `' AND updated < ? AND response_id = ''`

// Pending lists the background answers no Parley is following: left running (the user quit,
// or pressed Ctrl+C), or whose follower stopped (killed, crashed, powered off: silent for
// ClaimStaleAfter).
func (s *Store) Pending() ([]Message, error) {
	return s.messagesWhere("finding answers still being made", pendingWhere, string(chat.FinishBackground), string(Streaming), ms(s.now().Add(-ClaimStaleAfter)))
}

// pendingWhere is a background answer nobody follows; its arguments are FinishBackground,
// Streaming, and the time before which a writer has gone silent.
const pendingWhere = `response_id != '' AND (finish = ? OR (finish = ? AND updated < ?))`

// messagesWhereQuery reads the messages matching where. Few do, and an index finds them
// (messages_pending, messages_being_written): ordered by "+id", not "id", or SQLite reads the
// whole table in id order rather than sort them.
func messagesWhereQuery(where string) string {
	return `SELECT ` + messageColumns + ` FROM messages WHERE ` + where + ` ORDER BY +id`
}

func (s *Store) messagesWhere(what, where string, args ...any) ([]Message, error) {
	rows, err := s.db.Query(messagesWhereQuery(where), args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, wrap(what, err)
		}
		out = append(out, m)
	}
	return out, wrap(what, rows.Err())
}

// SettleAbandoned saves an abandoned answer as interrupted, with the usage and cost given. It
// reports false when it was settled already (another Parley recovered it first), so that its
// usage is counted once.
func (s *Store) SettleAbandoned(m Message) (bool, error) {
	res, err := s.db.Exec(`UPDATE messages SET finish = ?, error = ?, prompt_tokens = ?, completion_tokens = ?, usage_estimated = 1,
		cost_usd = ?, cost_known = ? WHERE id = ? AND finish = ?`,
		string(chat.FinishInterrupted), abandoned, m.Usage.PromptTokens, m.Usage.CompletionTokens, m.Cost.USD, m.Cost.Known,
		m.ID, string(Streaming))
	if err != nil {
		return false, wrap("recovering an interrupted answer", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Append adds a message after the last one shown (its Seq and Parent are set here), shows it,
// and marks the conversation as updated.
func (s *Store) Append(m Message) (Message, error) { return s.appendAfter(m, -1) }

// AppendAfter adds a message after parent (0: as a first message), beside the versions already
// there, and shows it: editing a question or regenerating an answer.
func (s *Store) AppendAfter(m Message, parent int64) (Message, error) {
	return s.appendAfter(m, parent)
}

// appendAfter adds m after parent, or after the leaf when parent < 0.
func (s *Store) appendAfter(m Message, parent int64) (Message, error) {
	now := s.now()
	if m.Created.IsZero() {
		m.Created = now
	}
	m.Updated = now
	tx, err := s.db.Begin()
	if err != nil {
		return m, wrap("saving the message", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRow(`SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE conversation_id = ?`, m.ConversationID).Scan(&m.Seq); err != nil {
		return m, wrap("saving the message", err)
	}
	if parent < 0 {
		if err := tx.QueryRow(`SELECT coalesce((SELECT `+leafOf+`), 0)`, m.ConversationID).Scan(&parent); err != nil {
			return m, wrap("saving the message", err)
		}
	}
	m.Parent = parent
	if m.ID, err = insertMessage(tx, m); err != nil {
		return m, wrap("saving the message", err)
	}
	if _, err := tx.Exec(`UPDATE conversations SET updated = ?, leaf_id = ? WHERE id = ?`, ms(now), m.ID, m.ConversationID); err != nil {
		return m, wrap("saving the message", err)
	}
	return m, wrap("saving the message", tx.Commit())
}

// UpdateMessage saves a message's content, usage, cost, finish and error.
func (s *Store) UpdateMessage(m Message) error {
	ok, err := s.updateClaimed(m, "", "")
	if err == nil && !ok {
		return ErrNotFound
	}
	return err
}

// updateClaimed saves a message as UpdateMessage does, only while claim is its claim (""
// for an answer nobody claimed), and leaves next as its claim. It reports false when the
// message is gone or another Parley has claimed it.
func (s *Store) updateClaimed(m Message, claim, next string) (bool, error) {
	now := s.now()
	res, err := s.db.Exec(`UPDATE messages SET content = ?, model = ?, prompt_tokens = ?, cached_tokens = ?, completion_tokens = ?,
		reasoning_tokens = ?, usage_estimated = ?, cost_usd = ?, cost_known = ?, finish = ?, error = ?, updated = ?,
		thinking = ?, thinking_ms = ?, items = ?, cache_write_tokens = ?, service_tier = ?, api = ?, response_id = ?, claim = ?
		WHERE id = ? AND claim = ?`,
		m.Content, m.Model, m.Usage.PromptTokens, m.Usage.CachedTokens, m.Usage.CompletionTokens, m.Usage.ReasoningTokens,
		m.Usage.Estimated, m.Cost.USD, m.Cost.Known, string(m.Finish), m.Error, ms(now),
		m.Thinking, m.ThinkingTime.Milliseconds(), encodeItems(m), m.Usage.CacheWriteTokens, m.Usage.ServiceTier, m.API, m.ResponseID,
		next, m.ID, claim)
	if err != nil {
		return false, wrap("saving the answer", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	_, err = s.db.Exec(`UPDATE conversations SET updated = ? WHERE id = ?`, ms(now), m.ConversationID)
	return true, wrap("saving the answer", err)
}

// Message returns one message by id.
func (s *Store) Message(id int64) (Message, error) {
	m, err := scanMessage(s.db.QueryRow(`SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, wrap("reading the message", err)
}

// Totals are a conversation's message count (on the branch shown, as it reads), and its tokens
// and cost summed from all its answers (every version was paid for).
type Totals struct {
	Messages  int
	Tokens    int
	Cost      float64
	CostKnown bool
}

// Totals counts a conversation's messages and sums its answers.
func (s *Store) Totals(conversation int64) (Totals, error) {
	var t Totals
	var unknown int
	var tokens float64
	// total(), not sum(): an absurd count (a damaged or crafted import) must not overflow the
	// sum and fail every listing.
	err := s.db.QueryRow(`SELECT count(*), total(prompt_tokens) + total(completion_tokens), total(cost_usd),
		total(role = 'assistant' AND cost_known = 0) FROM messages WHERE conversation_id = ?`, conversation).
		Scan(&t.Messages, &tokens, &t.Cost, &unknown)
	t.Tokens = int(min(tokens, math.MaxInt64/2))
	t.CostKnown = unknown == 0
	if err == nil && t.Messages > 0 {
		// The path from the leaf up, by primary key: a walk as long as the branch, not the tree.
		err = s.db.QueryRow(`WITH RECURSIVE up(id) AS (SELECT `+leafOf+`
			UNION SELECT m.parent_id FROM messages m JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL AND m.conversation_id = ?1)
			SELECT count(*) FROM up JOIN messages m ON m.id = up.id AND m.conversation_id = ?1`, conversation).Scan(&t.Messages)
	}
	return t, wrap("adding up the conversation", err)
}
