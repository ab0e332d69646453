package store

import (
	"context"
	"fmt"
)

// CopyTo writes a whole, consistent copy of the history to path (which must not exist), even
// while other Parley processes write to it.
func (s *Store) CopyTo(path string) error {
	_, err := s.db.Exec(`VACUUM INTO ?`, path)
	return wrap("copying the history", err)
}

// MergeFrom adds the conversations of another history (a backup) that this one does not hold,
// by their uid: each whole, with every branch, the branch shown and its files. progress hears
// how many of src's conversations were looked at, of how many. It returns how many were added,
// and how many were here already. Once ctx is done it stops between two conversations, keeps
// those it has read (each whole) and returns ctx's error: merging again adds the rest.
func (s *Store) MergeFrom(ctx context.Context, src *Store, progress func(done, total int)) (added, already int, err error) {
	total, err := src.CountConversations()
	if err != nil {
		return 0, 0, err
	}
	var batch []Tree
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := s.ImportTrees(batch)
		if err != nil {
			return err
		}
		for _, c := range out {
			if c.ID == 0 {
				already++
			} else {
				added++
			}
		}
		batch, size = nil, 0
		return nil
	}
	done := 0
	for after := int64(0); ; {
		rows, err := src.db.Query(`SELECT `+conversationColumns+` FROM conversations WHERE id > ? ORDER BY id LIMIT 100`, after)
		if err != nil {
			return added, already, wrap("reading the backup", err)
		}
		var convs []Conversation
		for rows.Next() {
			c, err := scanConversation(rows)
			if err != nil {
				rows.Close()
				return added, already, wrap("reading the backup", err)
			}
			convs = append(convs, c)
		}
		rows.Close()
		if len(convs) == 0 {
			break
		}
		for _, c := range convs {
			if ctx.Err() != nil {
				if err := flush(); err != nil {
					return added, already, err
				}
				return added, already, ctx.Err()
			}
			after = c.ID
			t, n, err := src.treeOf(c)
			if err != nil {
				return added, already, fmt.Errorf("reading %q from the backup: %w", c.Title, err)
			}
			batch, size = append(batch, t), size+n
			if len(batch) >= 50 || size >= 64<<20 {
				if err := flush(); err != nil {
					return added, already, err
				}
			}
			done++
			if progress != nil {
				progress(done, total)
			}
		}
	}
	return added, already, flush()
}

// treeOf reads a conversation whole, as ImportTrees takes it, its files' bytes included, and
// how many bytes it holds.
func (s *Store) treeOf(c Conversation) (Tree, int, error) {
	msgs, leaf, err := s.Tree(c.ID)
	if err != nil {
		return Tree{}, 0, err
	}
	t := Tree{Conversation: c, Messages: msgs, Parents: make([]int, len(msgs)), Current: -1}
	t.Conversation.ID = 0
	index := make(map[int64]int, len(msgs))
	size := 0
	for i, m := range msgs {
		index[m.ID] = i
		t.Parents[i] = -1
		if p, ok := index[m.Parent]; ok {
			t.Parents[i] = p
		}
		if m.ID == leaf {
			t.Current = i
		}
		size += len(m.Content) + len(m.Thinking)
		for j, a := range m.Attachments {
			data, err := a.Bytes()
			if err != nil {
				return Tree{}, 0, err
			}
			m.Attachments[j].Data = data
			size += len(data)
		}
	}
	return t, size, nil
}

// MergeBatchesFrom adds the batches another history (a backup) knows and this one does not, by
// their id, as it last saw them: a batch still running when the backup was made can have its
// results fetched here, and a fetched one stays listed beside the conversations its results
// made (which MergeFrom brings). A batch this history knows already is left as it is. It returns
// how many were added.
func (s *Store) MergeBatchesFrom(src *Store) (int, error) {
	batches, err := src.Batches()
	if err != nil || len(batches) == 0 {
		return 0, wrap("reading the backup's batches", err)
	}
	tx, err := s.db.Begin()
	if err != nil {
		return 0, wrap("restoring the batches", err)
	}
	defer tx.Rollback()
	added := 0
	for _, b := range batches {
		values, err := batchValues(b)
		if err != nil {
			return 0, err
		}
		res, err := tx.Exec(`INSERT OR IGNORE`+intoBatches, values...)
		if err != nil {
			return 0, wrap("restoring the batches", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	return added, wrap("restoring the batches", tx.Commit())
}
