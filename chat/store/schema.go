package store

import "fmt"

// migrations bring the schema from one version to the next; the database's user_version says
// how many have run. Append, never edit.
var migrations = []string{
	// 1: conversations, messages, and the full-text index kept in step by triggers.
	`
CREATE TABLE conversations (
	id            INTEGER PRIMARY KEY,
	title         TEXT    NOT NULL,
	profile       TEXT    NOT NULL DEFAULT '',
	model         TEXT    NOT NULL DEFAULT '',
	system_prompt TEXT    NOT NULL DEFAULT '',
	created       INTEGER NOT NULL,
	updated       INTEGER NOT NULL,
	pinned        INTEGER NOT NULL DEFAULT 0,
	quick         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_by_recency ON conversations (pinned DESC, updated DESC, id DESC);

CREATE TABLE messages (
	id                INTEGER PRIMARY KEY,
	conversation_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	seq               INTEGER NOT NULL,
	role              TEXT    NOT NULL,
	content           TEXT    NOT NULL,
	model             TEXT    NOT NULL DEFAULT '',
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	cached_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
	usage_estimated   INTEGER NOT NULL DEFAULT 0,
	cost_usd          REAL    NOT NULL DEFAULT 0,
	cost_known        INTEGER NOT NULL DEFAULT 0,
	finish            TEXT    NOT NULL DEFAULT '',
	error             TEXT    NOT NULL DEFAULT '',
	created           INTEGER NOT NULL,
	updated           INTEGER NOT NULL,
	UNIQUE (conversation_id, seq)
);

-- The index holds no text of its own (content = ''): its rowid is the message id negated, so
-- walking it in its natural order gives the newest messages first.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	content, content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	DELETE FROM messages_fts WHERE rowid = -old.id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
	DELETE FROM messages_fts WHERE rowid = -old.id;
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content);
END;
`,
}

// migrate runs the migrations the database has not seen, each in its own transaction.
func (s *Store) migrate() error {
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return wrap("reading the history's version", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the history was written by a newer Parley (schema %d, this one knows %d): update Parley", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return wrap("updating the history", err)
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return wrap(fmt.Sprintf("updating the history to schema %d", v+1), err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return wrap("updating the history", err)
		}
		if err := tx.Commit(); err != nil {
			return wrap("updating the history", err)
		}
	}
	return nil
}
