package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// A conversation is a tree: each message follows its parent, and a message with several
// children has versions (a question edited and sent again, an answer regenerated). What is
// shown, and sent, is the path from the first message to the conversation's leaf. Recursive
// queries use UNION, not UNION ALL, so that a damaged file with a loop in it still ends.

// leafOf is the SQL for the message a conversation (?1) shows last: its leaf, or its newest
// message when the leaf is gone (the newest message never has a child, being written last).
const leafOf = `coalesce(
	(SELECT c.leaf_id FROM conversations c WHERE c.id = ?1 AND EXISTS (SELECT 1 FROM messages x WHERE x.id = c.leaf_id AND x.conversation_id = ?1)),
	(SELECT x.id FROM messages x WHERE x.conversation_id = ?1 ORDER BY x.seq DESC LIMIT 1))`

// below is the SQL for a message (?1) and every message after it, on every branch.
const below = `WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)`

// ErrImported says a conversation from that source is already in the history.
var ErrImported = errors.New("this conversation was imported before")

// countVersions sets each message's place among its versions.
func (s *Store) countVersions(conversation int64, path []Message) error {
	if len(path) == 0 {
		return nil
	}
	rows, err := s.db.Query(`SELECT id, coalesce(parent_id, 0) FROM messages WHERE conversation_id = ? ORDER BY seq`, conversation)
	if err != nil {
		return err
	}
	defer rows.Close()
	children := map[int64][]int64{}
	for rows.Next() {
		var id, parent int64
		if err := rows.Scan(&id, &parent); err != nil {
			return err
		}
		children[parent] = append(children[parent], id)
	}
	for i := range path {
		versions := children[path[i].Parent]
		path[i].Versions = max(len(versions), 1)
		path[i].Version = 1
		for j, id := range versions {
			if id == path[i].ID {
				path[i].Version = j + 1
			}
		}
	}
	return rows.Err()
}

// PathTo returns a message and those it follows, from the conversation's first: what was shown
// when it was written.
func (s *Store) PathTo(id int64) ([]Message, error) {
	rows, err := s.db.Query(`WITH RECURSIVE path(id) AS (SELECT ?1
		UNION SELECT m.parent_id FROM messages m JOIN path ON m.id = path.id WHERE m.parent_id IS NOT NULL)
		SELECT `+messageColumns+` FROM messages WHERE id IN path ORDER BY seq`, id)
	if err != nil {
		return nil, wrap("reading the conversation", err)
	}
	out, err := s.scanMessages(rows)
	if err != nil || len(out) == 0 {
		return nil, wrap("reading the conversation", err)
	}
	files, err := s.attachmentsOf(out[0].ConversationID)
	for i := range out {
		out[i].Attachments = files[out[i].ID]
	}
	return out, wrap("reading the conversation's files", err)
}

// SwitchVersion shows another version of a message: delta -1 the one before, +1 the one after
// (kept within the first and the last). What follows it is the newest branch below that
// version. It returns the version now shown.
func (s *Store) SwitchVersion(conversation, id int64, delta int) (int64, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return 0, wrap("switching versions", err)
	}
	defer tx.Rollback()
	var parent sql.NullInt64
	if err := tx.QueryRow(`SELECT parent_id FROM messages WHERE id = ? AND conversation_id = ?`, id, conversation).Scan(&parent); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, ErrNotFound
		}
		return 0, wrap("switching versions", err)
	}
	siblings, err := ids(tx, `SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY seq`, conversation, parent)
	if err != nil {
		return 0, wrap("switching versions", err)
	}
	target := id
	for i, sib := range siblings {
		if sib == id {
			target = siblings[min(max(i+delta, 0), len(siblings)-1)]
		}
	}
	if err := showBelow(tx, conversation, target); err != nil {
		return 0, wrap("switching versions", err)
	}
	return target, wrap("switching versions", tx.Commit())
}

// ShowMessage makes a message shown: when it is on another branch (a search found it there),
// the conversation switches to the newest branch through it.
func (s *Store) ShowMessage(conversation, id int64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return wrap("opening the branch", err)
	}
	defer tx.Rollback()
	var shown bool
	err = tx.QueryRow(`WITH RECURSIVE path(id) AS (SELECT `+leafOf+`
		UNION SELECT m.parent_id FROM messages m JOIN path ON m.id = path.id WHERE m.parent_id IS NOT NULL)
		SELECT EXISTS (SELECT 1 FROM path WHERE id = ?2)`, conversation, id).Scan(&shown)
	if err != nil || shown {
		return wrap("opening the branch", err)
	}
	if err := showBelow(tx, conversation, id); err != nil {
		return wrap("opening the branch", err)
	}
	return wrap("opening the branch", tx.Commit())
}

// showBelow makes the conversation show the newest branch through message id.
func showBelow(tx *sql.Tx, conversation, id int64) error {
	var leaf int64
	err := tx.QueryRow(below+` SELECT id FROM messages WHERE id IN sub AND conversation_id = ?2 ORDER BY seq DESC LIMIT 1`, id, conversation).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE conversations SET leaf_id = ? WHERE id = ?`, leaf, conversation)
	return err
}

// DeleteVersion deletes a message and everything after it on every branch, with their files.
// When the conversation showed it, it shows the newest of what is left beside it.
func (s *Store) DeleteVersion(conversation, id int64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return wrap("deleting the version", err)
	}
	defer tx.Rollback()
	var parent sql.NullInt64
	if err := tx.QueryRow(`SELECT parent_id FROM messages WHERE id = ? AND conversation_id = ?`, id, conversation).Scan(&parent); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return wrap("deleting the version", err)
	}
	var leaf sql.NullInt64
	var wasShown bool
	if err := tx.QueryRow(`SELECT `+leafOf, conversation).Scan(&leaf); err != nil {
		return wrap("deleting the version", err)
	}
	if err := tx.QueryRow(below+` SELECT EXISTS (SELECT 1 FROM sub WHERE id = ?2)`, id, leaf.Int64).Scan(&wasShown); err != nil {
		return wrap("deleting the version", err)
	}
	if _, err := tx.Exec(below+` DELETE FROM messages WHERE id IN sub`, id); err != nil {
		return wrap("deleting the version", err)
	}
	if wasShown {
		leaf := int64(0) // none: the newest message
		if parent.Valid {
			leaf = parent.Int64
		}
		if _, err := tx.Exec(`UPDATE conversations SET leaf_id = ? WHERE id = ?`, leaf, conversation); err != nil {
			return wrap("deleting the version", err)
		}
		if parent.Valid {
			if err := showBelow(tx, conversation, parent.Int64); err != nil {
				return wrap("deleting the version", err)
			}
		}
	}
	if _, err := tx.Exec(`UPDATE conversations SET updated = ? WHERE id = ?`, ms(s.now()), conversation); err != nil {
		return wrap("deleting the version", err)
	}
	return wrap("deleting the version", tx.Commit())
}

// ImportTree stores a whole conversation as it was: parents[i] is the index of message i's
// parent in msgs (-1 for a first message; parents come first), current the index of the
// message shown last (-1: the last one). A conversation with a Source already in the history
// is not added again (ErrImported).
func (s *Store) ImportTree(c Conversation, msgs []Message, parents []int, current int) (Conversation, error) {
	if len(parents) != len(msgs) || current >= len(msgs) {
		return c, errors.New("importing the conversation: its messages and their parents do not match")
	}
	tx, err := s.db.Begin()
	if err != nil {
		return c, wrap("importing the conversation", err)
	}
	defer tx.Rollback()
	if c.Source != "" {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM conversations WHERE source = ?`, c.Source).Scan(&n); err != nil {
			return c, wrap("importing the conversation", err)
		}
		if n > 0 {
			return c, ErrImported
		}
	}
	if c.UID == "" {
		c.UID = newUID()
	}
	if c.ID, err = insertConversation(tx, c); err != nil {
		return c, wrap("importing the conversation", err)
	}
	if err := insertTree(tx, c, msgs, parents, current); err != nil {
		return c, wrap("importing the conversation", err)
	}
	return c, wrap("importing the conversation", tx.Commit())
}

// insertTree adds a new conversation's messages, parents before children, and shows current.
func insertTree(tx *sql.Tx, c Conversation, msgs []Message, parents []int, current int) error {
	saved := make([]int64, len(msgs))
	for i, m := range msgs {
		m.ConversationID, m.Seq, m.Parent = c.ID, i, 0
		if p := parents[i]; p >= i {
			return fmt.Errorf("message %d comes before the message it follows", i+1)
		} else if p >= 0 {
			m.Parent = saved[p]
		}
		if m.Created.IsZero() {
			m.Created = c.Created
		}
		if m.Updated.IsZero() {
			m.Updated = m.Created
		}
		id, err := insertMessage(tx, m)
		if err != nil {
			return err
		}
		saved[i] = id
	}
	if len(msgs) == 0 {
		return nil
	}
	if current < 0 {
		current = len(msgs) - 1
	}
	_, err := tx.Exec(`UPDATE conversations SET leaf_id = ? WHERE id = ?`, saved[current], c.ID)
	return err
}

// chain is the parents of messages that each follow the one before.
func chain(n int) []int {
	parents := make([]int, n)
	for i := range parents {
		parents[i] = i - 1
	}
	return parents
}

func ids(tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Tree returns every message of a conversation, on every branch, each branch after the message
// it follows (depth first, versions in the order they were written), and the message shown
// last: what an export of all branches writes.
func (s *Store) Tree(conversation int64) ([]Message, int64, error) {
	rows, err := s.db.Query(`SELECT `+messageColumns+` FROM messages WHERE conversation_id = ? ORDER BY seq`, conversation)
	if err != nil {
		return nil, 0, wrap("reading the conversation", err)
	}
	all, err := s.scanMessages(rows)
	if err != nil {
		return nil, 0, wrap("reading the conversation", err)
	}
	files, err := s.attachmentsOf(conversation)
	if err != nil {
		return nil, 0, wrap("reading the conversation's files", err)
	}
	var leaf int64
	if err := s.db.QueryRow(`SELECT coalesce(`+leafOf+`, 0)`, conversation).Scan(&leaf); err != nil {
		return nil, 0, wrap("reading the conversation", err)
	}
	known := make(map[int64]bool, len(all))
	for _, m := range all {
		known[m.ID] = true
	}
	children := map[int64][]Message{}
	for _, m := range all {
		m.Attachments = files[m.ID]
		parent := m.Parent
		if !known[parent] {
			parent = 0 // its parent is gone (a damaged file): it starts a branch of its own
		}
		children[parent] = append(children[parent], m)
	}
	out := make([]Message, 0, len(all))
	stack := slices.Clone(children[0])
	slices.Reverse(stack)
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m.Versions = len(children[m.Parent])
		out = append(out, m)
		next := slices.Clone(children[m.ID])
		slices.Reverse(next)
		stack = append(stack, next...)
	}
	return out, leaf, nil
}
