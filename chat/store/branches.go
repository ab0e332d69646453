package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// shape is a conversation's tree without its text: each message's parent and place, in the
// order written, and the message shown last.
type shape struct {
	parent   map[int64]int64
	seq      map[int64]int
	children map[int64][]int64 // by parent (0: first messages), in the order written
	leaf     int64
}

// shapeOf reads a conversation's shape from the tree index alone.
func (s *Store) shapeOf(conversation int64) (shape, error) {
	t := shape{parent: map[int64]int64{}, seq: map[int64]int{}, children: map[int64][]int64{}}
	var leaf int64
	if err := s.db.QueryRow(`SELECT leaf_id FROM conversations WHERE id = ?`, conversation).Scan(&leaf); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	rows, err := s.db.Query(`SELECT id, seq, coalesce(parent_id, 0) FROM messages INDEXED BY messages_tree WHERE conversation_id = ? ORDER BY seq`, conversation)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	var newest int64
	for rows.Next() {
		var id, parent int64
		var seq int
		if err := rows.Scan(&id, &seq, &parent); err != nil {
			return t, err
		}
		t.parent[id], t.seq[id], newest = parent, seq, id
		t.children[parent] = append(t.children[parent], id)
	}
	t.leaf = leaf
	if _, ok := t.parent[leaf]; !ok {
		t.leaf = newest // the leaf is gone: the newest message never has a child
	}
	return t, rows.Err()
}

// path is the ids from message from (0: the first) to the leaf, and the seq of the first.
func (t shape) path(from int64) ([]int64, int) {
	var ids []int64
	seen := map[int64]bool{}
	for id := t.leaf; id != 0 && !seen[id]; id = t.parent[id] { // seen: a damaged file's loop ends
		if _, ok := t.parent[id]; !ok {
			break // a parent that is gone starts the path
		}
		seen[id] = true
		ids = append(ids, id)
		if id == from {
			break
		}
	}
	if len(ids) == 0 {
		return nil, 0
	}
	return ids, t.seq[ids[len(ids)-1]]
}

// after is how many messages are written at seq or later.
func (t shape) after(seq int) int {
	n := 0
	for _, s := range t.seq {
		if s >= seq {
			n++
		}
	}
	return n
}

// version is a message's place among its versions (from 1), and how many there are.
func (t shape) version(m Message) (int, int) {
	siblings := t.children[m.Parent]
	for i, id := range siblings {
		if id == m.ID {
			return i + 1, len(siblings)
		}
	}
	return 1, 1
}

// PathTo returns a message and those it follows, from the conversation's first: what was shown
// when it was written.
func (s *Store) PathTo(id int64) ([]Message, error) {
	rows, err := s.db.Query(`WITH RECURSIVE path(id) AS (SELECT ?1
		UNION SELECT m.parent_id FROM messages m JOIN path ON m.id = path.id WHERE m.parent_id IS NOT NULL)
		SELECT `+pathColumns+` FROM path JOIN messages m ON m.id = path.id ORDER BY m.seq`, id)
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
	t, err := s.shapeOf(conversation)
	if err != nil {
		return wrap("opening the branch", err)
	}
	if shown, _ := t.path(0); slices.Contains(shown, id) {
		return nil
	}
	tx, err := s.db.Begin()
	if err != nil {
		return wrap("opening the branch", err)
	}
	defer tx.Rollback()
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
	switch {
	case wasShown && parent.Valid:
		err = showBelow(tx, conversation, parent.Int64)
	case wasShown: // a first message: the newest left is shown
		_, err = tx.Exec(`UPDATE conversations SET leaf_id = 0 WHERE id = ?`, conversation)
	}
	if err != nil {
		return wrap("deleting the version", err)
	}
	if _, err := tx.Exec(`UPDATE conversations SET updated = ? WHERE id = ?`, ms(s.now()), conversation); err != nil {
		return wrap("deleting the version", err)
	}
	return wrap("deleting the version", tx.Commit())
}

// Tree is a conversation to import whole: Parents[i] is the index in Messages of message i's
// parent (-1 for a first message; parents come before their children), Current the index of
// the message shown last (-1: the last one).
type Tree struct {
	Conversation Conversation
	Messages     []Message
	Parents      []int
	Current      int
}

// check tells a tree whose parents or current message do not fit its messages.
func (t Tree) check() error {
	if len(t.Parents) != len(t.Messages) || t.Current >= len(t.Messages) {
		return errors.New("its messages and their parents do not match")
	}
	for i, p := range t.Parents {
		if p >= i {
			return fmt.Errorf("message %d comes before the message it follows", i+1)
		}
	}
	return nil
}

// ImportTree stores a whole conversation as it was (see Tree). A conversation with a Source
// already in the history is not added again (ErrImported).
func (s *Store) ImportTree(c Conversation, msgs []Message, parents []int, current int) (Conversation, error) {
	added, err := s.ImportTrees([]Tree{{Conversation: c, Messages: msgs, Parents: parents, Current: current}})
	switch {
	case err != nil:
		return c, err
	case added[0].ID == 0:
		return c, ErrImported
	}
	return added[0], nil
}

// ImportTrees stores whole conversations in one transaction: all of them or, on an error,
// none. Those whose Source or UID is in the history already (or earlier in trees) are left
// out: their ID stays 0 in what it returns.
func (s *Store) ImportTrees(trees []Tree) ([]Conversation, error) {
	for _, t := range trees {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("importing %q: %w", t.Conversation.Title, err)
		}
	}
	tx, err := s.db.Begin()
	if err != nil {
		return nil, wrap("importing conversations", err)
	}
	defer tx.Rollback()
	out := make([]Conversation, len(trees))
	var kept []Tree
	sources := map[string]bool{}
	for i, t := range trees {
		c := t.Conversation
		if c.Source != "" || c.UID != "" {
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM conversations WHERE (source = ?1 AND ?1 != '') OR (uid = ?2 AND ?2 != '')`, c.Source, c.UID).Scan(&n); err != nil {
				return nil, wrap("importing conversations", err)
			}
			if n > 0 || sources["s"+c.Source] || sources["u"+c.UID] {
				out[i] = c
				continue
			}
			sources["s"+c.Source], sources["u"+c.UID] = c.Source != "", c.UID != ""
		}
		if c.UID == "" {
			c.UID = newUID()
		}
		if c.ID, err = insertConversation(tx, c); err != nil {
			return nil, wrap("importing conversations", err)
		}
		out[i], t.Conversation = c, c
		kept = append(kept, t)
	}
	if err := insertTrees(tx, kept); err != nil {
		return nil, wrap("importing conversations", err)
	}
	return out, wrap("importing conversations", tx.Commit())
}

// insertTree adds a new conversation's messages and shows current.
func insertTree(tx *sql.Tx, c Conversation, msgs []Message, parents []int, current int) error {
	return insertTrees(tx, []Tree{{Conversation: c, Messages: msgs, Parents: parents, Current: current}})
}

// insertTrees adds the messages of new conversations (their ID set), and shows each one's
// current message. Their ids are given here, so that many rows go in one statement (oldest
// first, so the table stays compact), and the full-text index is filled after them in one
// statement, newest first: its rows are the messages' ids negated, and it writes out what it
// holds whenever a row does not come after the one before. Filled by the triggers, a row at a
// time, importing a 100,000-message export spent most of its time merging the index's tiny
// segments.
func insertTrees(tx *sql.Tx, trees []Tree) error {
	type row struct {
		m  Message
		id int64
	}
	var first int64
	if err := tx.QueryRow(`SELECT coalesce(max(id), 0) + 1 FROM messages`).Scan(&first); err != nil {
		return err
	}
	var rows []row
	next := first
	for _, t := range trees {
		base := next
		for i, m := range t.Messages {
			m.ConversationID, m.Seq, m.Parent = t.Conversation.ID, i, 0
			if p := t.Parents[i]; p >= 0 {
				m.Parent = base + int64(p)
			}
			if m.Created.IsZero() {
				m.Created = t.Conversation.Created
			}
			if m.Updated.IsZero() {
				m.Updated = m.Created
			}
			rows = append(rows, row{m, next})
			next++
		}
	}
	if _, err := tx.Exec(`INSERT INTO bulk_insert (active) VALUES (1)`); err != nil {
		return err
	}
	// Many rows a statement, but not too many: the driver binds parameters in a time that
	// grows with their count squared.
	const perStatement = 50
	for start := 0; start < len(rows); start += perStatement {
		end := min(start+perStatement, len(rows))
		args := make([]any, 0, (end-start)*25)
		for _, r := range rows[start:end] {
			args = append(append(args, r.id), messageValues(r.m)...)
		}
		values := strings.Repeat(`(?, `+valuesRow[1:]+`, `, end-start)
		if _, err := tx.Exec(`INSERT INTO messages (id, `+insertColumns+`) VALUES `+strings.TrimSuffix(values, ", "), args...); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := insertAttachments(tx, r.id, r.m.Attachments); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO messages_fts (rowid, content) SELECT -m.id, `+indexedText+`
		FROM messages m WHERE m.id >= ? AND m.id < ? ORDER BY m.id DESC`, first, next); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM bulk_insert`); err != nil {
		return err
	}
	base := first
	for _, t := range trees {
		if n := len(t.Messages); n > 0 {
			current := t.Current
			if current < 0 {
				current = n - 1
			}
			if _, err := tx.Exec(`UPDATE conversations SET leaf_id = ? WHERE id = ?`, base+int64(current), t.Conversation.ID); err != nil {
				return err
			}
			base += int64(n)
		}
	}
	return nil
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
