package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

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
	// 2: what the Responses API brings (the model's thinking, the output items replayed on the
	// next turn, cache writes, the service tier), how a conversation asks; thinking is searched.
	`
ALTER TABLE messages ADD COLUMN thinking TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN thinking_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN items TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN service_tier TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN api TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN effort TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN pro INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN service_tier TEXT NOT NULL DEFAULT '';
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content || char(10) || new.thinking);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, thinking ON messages BEGIN
	DELETE FROM messages_fts WHERE rowid = -old.id;
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content || char(10) || new.thinking);
END;
`,
	// 3: asynchronous answers. A background answer names its response on OpenAI; whichever
	// Parley follows it holds its claim (so only one saves it). A batch's requests are kept to
	// build its conversations when its results come; a conversation made from one names it.
	`
ALTER TABLE messages ADD COLUMN response_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN claim TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_pending ON messages (finish) WHERE response_id != '';
ALTER TABLE conversations ADD COLUMN batch_id TEXT NOT NULL DEFAULT '';
CREATE TABLE batches (
	id           TEXT    PRIMARY KEY,
	profile      TEXT    NOT NULL DEFAULT '',
	created      INTEGER NOT NULL,
	source       TEXT    NOT NULL DEFAULT '',
	requests     TEXT    NOT NULL,
	estimate_usd REAL    NOT NULL DEFAULT 0,
	status       TEXT    NOT NULL DEFAULT '',
	total        INTEGER NOT NULL DEFAULT 0,
	completed    INTEGER NOT NULL DEFAULT 0,
	failed       INTEGER NOT NULL DEFAULT 0,
	cost_usd     REAL    NOT NULL DEFAULT 0,
	fetched      INTEGER NOT NULL DEFAULT 0
);
`,
	// 4: attachments. A file's bytes are kept once, by their hash, however often it is attached,
	// and go when the last message holding it does. Search finds a file by its name, and a text
	// file by its text.
	`
CREATE TABLE blobs (
	hash TEXT    PRIMARY KEY,
	data BLOB    NOT NULL,
	size INTEGER NOT NULL
);
CREATE TABLE attachments (
	id         INTEGER PRIMARY KEY,
	message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	mime       TEXT    NOT NULL,
	size       INTEGER NOT NULL,
	hash       TEXT    NOT NULL REFERENCES blobs (hash),
	detail     TEXT    NOT NULL DEFAULT '',
	width      INTEGER NOT NULL DEFAULT 0,
	height     INTEGER NOT NULL DEFAULT 0,
	pages      INTEGER NOT NULL DEFAULT 0,
	text       TEXT    NOT NULL DEFAULT '',
	thumb      BLOB
);
CREATE INDEX attachments_by_message ON attachments (message_id, position);
CREATE INDEX attachments_by_hash ON attachments (hash);
CREATE TRIGGER attachments_drop_blob AFTER DELETE ON attachments BEGIN
	DELETE FROM blobs WHERE hash = old.hash AND NOT EXISTS (SELECT 1 FROM attachments WHERE hash = old.hash);
END;
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content || char(10) || new.thinking);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, thinking ON messages BEGIN
	DELETE FROM messages_fts WHERE rowid = -old.id;
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content || char(10) || new.thinking ||
		coalesce((SELECT char(10) || group_concat(name || char(10) || text, char(10)) FROM attachments WHERE message_id = new.id), ''));
END;
CREATE TRIGGER attachments_fts AFTER INSERT ON attachments BEGIN
	DELETE FROM messages_fts WHERE rowid = -new.message_id;
	INSERT INTO messages_fts (rowid, content) SELECT -m.id, m.content || char(10) || m.thinking ||
		coalesce((SELECT char(10) || group_concat(name || char(10) || text, char(10)) FROM attachments WHERE message_id = m.id), '')
		FROM messages m WHERE m.id = new.message_id;
END;
`,
	// 5: branches. A message follows its parent (NULL: it opens the conversation), so editing a
	// question or regenerating an answer adds a version beside the old one instead of replacing
	// it; a conversation shows the path that ends at its leaf. No foreign keys here on purpose:
	// a cascade down a 10,000-message chain would pass SQLite's recursion limit. A conversation
	// has its own id for merging backups (uid), names what it was imported from (source), and
	// may ask at a temperature of its own (a preset's; NULL: the profile's). While bulk_insert
	// holds a row (inside an import's transaction only), the full-text index is filled by the
	// importer in one statement, not by the triggers a row at a time.
	`
ALTER TABLE messages ADD COLUMN parent_id INTEGER;
UPDATE messages SET parent_id = (SELECT p.id FROM messages p
	WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq ORDER BY p.seq DESC LIMIT 1);
CREATE INDEX messages_by_parent ON messages (parent_id);
CREATE INDEX messages_tree ON messages (conversation_id, seq, parent_id);
ALTER TABLE conversations ADD COLUMN leaf_id INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET leaf_id = coalesce((SELECT id FROM messages WHERE conversation_id = conversations.id ORDER BY seq DESC LIMIT 1), 0);
ALTER TABLE conversations ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE conversations SET uid = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX conversations_by_uid ON conversations (uid);
ALTER TABLE conversations ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX conversations_by_source ON conversations (source) WHERE source != '';
ALTER TABLE conversations ADD COLUMN temperature REAL;
CREATE TABLE bulk_insert (active INTEGER);
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN NOT EXISTS (SELECT 1 FROM bulk_insert) BEGIN
	INSERT INTO messages_fts (rowid, content) VALUES (-new.id, new.content || char(10) || new.thinking);
END;
DROP TRIGGER attachments_fts;
CREATE TRIGGER attachments_fts AFTER INSERT ON attachments WHEN NOT EXISTS (SELECT 1 FROM bulk_insert) BEGIN
	DELETE FROM messages_fts WHERE rowid = -new.message_id;
	INSERT INTO messages_fts (rowid, content) SELECT -m.id, ` + indexedText + `
		FROM messages m WHERE m.id = new.message_id;
END;
`,
	// 6: answers being written, found at every start (store.Abandoned) without reading every
	// message. The query names 'streaming' itself: SQLite uses a partial index only then.
	`
CREATE INDEX messages_being_written ON messages (updated) WHERE finish = 'streaming';
`,
}

// indexedText is what the full-text index holds of a message m: its text, its thinking, and its
// files' names and text.
const indexedText = `m.content || char(10) || m.thinking ||
		coalesce((SELECT char(10) || group_concat(name || char(10) || text, char(10)) FROM attachments WHERE message_id = m.id), '')`

// backupsKept is how many backups taken before migrations are kept.
const backupsKept = 3

// migrate runs the migrations the database has not seen, each in its own transaction.
func (s *Store) migrate() error {
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return wrap("reading the history's version", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the history was written by a newer Parley (schema %d, this one knows %d): update Parley", version, len(migrations))
	}
	backup := ""
	if version > 0 && version < len(migrations) {
		var err error
		if backup, err = s.backUp(version); err != nil {
			return err // no migration without a copy to come back to
		}
	}
	for v := version; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return wrap("updating the history", err)
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			err = wrap(fmt.Sprintf("updating the history to schema %d", v+1), err)
			if backup != "" {
				return migrationFailed{err: err, backup: backup}
			}
			return err
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

// backUp copies the history, whole and consistent, beside itself before a migration
// ("history.db.before-schema-2-20261202-101500"), and keeps the last few.
func (s *Store) backUp(version int) (string, error) {
	path := fmt.Sprintf("%s.before-schema-%d-%s", s.path, version+1, s.now().Format("20060102-150405"))
	if _, err := s.db.Exec(`VACUUM INTO ?`, path); err != nil {
		return "", wrap("backing up the history before updating it", err)
	}
	os.Chmod(path, 0o600)
	old, _ := filepath.Glob(s.path + ".before-schema-*")
	sort.Strings(old)
	for len(old) > backupsKept {
		os.Remove(old[0])
		old = old[1:]
	}
	return path, nil
}

// migrationFailed is a migration that failed after the history was backed up.
type migrationFailed struct {
	err    error
	backup string
}

func (e migrationFailed) Error() string { return e.err.Error() }
func (e migrationFailed) Unwrap() error { return e.err }

// putBack replaces the history with the copy taken before a migration that failed: the
// migrations before it in the same start had changed it already.
func putBack(path string, failed migrationFailed) error {
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	data, err := os.ReadFile(failed.backup)
	if err == nil {
		err = os.WriteFile(path, data, 0o600)
	}
	if err != nil {
		return fmt.Errorf("%w; putting back the copy taken before also failed (%v): it is %s", failed.err, err, failed.backup)
	}
	return fmt.Errorf("%w. Your history was put back as it was before, from the copy taken first (%s): nothing is lost, and this Parley cannot use it until this is fixed", failed.err, failed.backup)
}
