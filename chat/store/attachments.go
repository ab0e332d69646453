package store

import (
	"database/sql"
	"errors"
	"fmt"

	"parley/chat"
)

// Attachment is a file sent with a message. Its bytes are kept once per hash (blobs), read only
// when a request is built or the file opened.
type Attachment struct {
	ID       int64
	Name     string
	Kind     chat.AttachmentKind
	MIME     string
	Size     int64
	Hash     string
	Detail   string // "", "low", "high", "original"
	Width    int
	Height   int
	Pages    int
	Text     string // a text file's text, or what could be read of a PDF's
	Thumb    []byte // an image's thumbnail (PNG)
	Data     []byte // the bytes of a file not saved yet; nil once it is
	s        *Store // where a saved file's bytes are
	position int
}

// Bytes are the file's bytes: those it came with, or the history's copy.
func (a Attachment) Bytes() ([]byte, error) {
	switch {
	case a.Data != nil:
		return a.Data, nil
	case a.s != nil:
		return a.s.Blob(a.Hash)
	}
	return nil, fmt.Errorf("the file %q is not in the history", a.Name)
}

// Blob reads a file's bytes by their hash.
func (s *Store) Blob(hash string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRow(`SELECT data FROM blobs WHERE hash = ?`, hash).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("a file is missing from the history (%s…)", hash[:min(len(hash), 12)])
	}
	return data, wrap("reading an attached file", err)
}

// insertAttachments keeps a message's files: each file's bytes once, whatever the message.
func insertAttachments(tx *sql.Tx, message int64, as []Attachment) error {
	for i, a := range as {
		if a.Data != nil {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO blobs (hash, data, size) VALUES (?, ?, ?)`, a.Hash, a.Data, len(a.Data)); err != nil {
				return err
			}
		} else {
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM blobs WHERE hash = ?`, a.Hash).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("the file %q has no content to keep", a.Name)
			}
		}
		if _, err := tx.Exec(`INSERT INTO attachments (message_id, position, name, kind, mime, size, hash, detail, width, height, pages, text, thumb)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			message, i, a.Name, string(a.Kind), a.MIME, a.Size, a.Hash, a.Detail, a.Width, a.Height, a.Pages, a.Text, a.Thumb); err != nil {
			return err
		}
	}
	return nil
}

// attachmentsOf reads the files of a conversation's messages, by message (without their bytes).
func (s *Store) attachmentsOf(conversation int64) (map[int64][]Attachment, error) {
	rows, err := s.db.Query(`SELECT a.id, a.message_id, a.position, a.name, a.kind, a.mime, a.size, a.hash, a.detail, a.width, a.height, a.pages, a.text, a.thumb
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ? ORDER BY a.message_id, a.position`, conversation)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]Attachment{}
	for rows.Next() {
		var a Attachment
		var message int64
		var kind string
		if err := rows.Scan(&a.ID, &message, &a.position, &a.Name, &kind, &a.MIME, &a.Size, &a.Hash, &a.Detail, &a.Width, &a.Height, &a.Pages, &a.Text, &a.Thumb); err != nil {
			return nil, err
		}
		a.Kind, a.s = chat.AttachmentKind(kind), s
		out[message] = append(out[message], a)
	}
	return out, rows.Err()
}

// AttachedBytes is how many bytes the history keeps for files, each file once.
func (s *Store) AttachedBytes() (int64, error) {
	var n sql.NullInt64
	err := s.db.QueryRow(`SELECT sum(size) FROM blobs`).Scan(&n)
	return n.Int64, wrap("measuring the attached files", err)
}
