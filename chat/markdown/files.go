package markdown

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"parley/chat/store"
)

// ExportTo writes one conversation's export to path.
func ExportTo(st *store.Store, id int64, path string) error {
	c, err := st.Conversation(id)
	if err != nil {
		return err
	}
	msgs, err := st.Messages(id)
	if err != nil {
		return err
	}
	return WriteFile(path, Render(c, msgs))
}

// ExportAll writes every conversation into dir, one file each with a safe, unique name, never
// overwriting a file that is there already. It returns how many it wrote.
func ExportAll(st *store.Store, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("creating %s: %w", dir, err)
	}
	taken := map[string]bool{}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			taken[strings.ToLower(e.Name())] = true
		}
	}
	count := 0
	for offset := 0; ; offset += 500 {
		convs, err := st.Conversations(500, offset)
		if err != nil {
			return count, err
		}
		for _, c := range convs {
			msgs, err := st.Messages(c.ID)
			if err != nil {
				return count, err
			}
			if err := WriteFile(filepath.Join(dir, FileName(c, taken)), Render(c, msgs)); err != nil {
				return count, err
			}
			count++
		}
		if len(convs) < 500 {
			return count, nil
		}
	}
}

// ImportFile reads a Parley export into the history and returns the new conversation and how
// many messages it holds.
func ImportFile(st *store.Store, path string) (store.Conversation, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return store.Conversation{}, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	c, msgs, err := Parse(data)
	if err != nil {
		return c, 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	c, err = st.Import(c, msgs)
	return c, len(msgs), err
}

// WriteFile writes a file in one step: a full disk leaves the old file (or none), never half of
// the new one.
func WriteFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil { // a conversation is the user's alone
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
