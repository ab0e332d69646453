package markdown

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"parley/chat/attach"
	"parley/chat/store"
)

// ExportTo writes one conversation's export to path, and its files into a folder beside it
// named after it ("Title.files"), linked from the export: the branch shown, or every branch.
func ExportTo(st *store.Store, id int64, path string, allBranches bool) error {
	c, err := st.Conversation(id)
	if err != nil {
		return err
	}
	return export(st, c, path, allBranches)
}

// export writes a conversation's export and its files.
func export(st *store.Store, c store.Conversation, path string, allBranches bool) error {
	msgs, leaf, err := Messages(st, c.ID, allBranches)
	if err != nil {
		return err
	}
	paths, err := writeFiles(msgs, path)
	if err != nil {
		return err
	}
	return WriteFile(path, render(c, msgs, paths, leaf))
}

// Messages are what an export of a conversation holds: the branch shown (leaf -1), or every
// branch and the message shown last.
func Messages(st *store.Store, id int64, allBranches bool) (msgs []store.Message, leaf int64, err error) {
	if allBranches {
		return st.Tree(id)
	}
	msgs, err = st.Messages(id)
	return msgs, -1, err
}

// writeFiles writes a conversation's attachments beside its export at path, each once, under
// names unique in the folder; it returns their paths relative to the export, by attachment.
func writeFiles(msgs []store.Message, path string) (map[int64]string, error) {
	folder := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".files"
	paths := map[int64]string{}
	written := map[string]string{} // hash and name → the name written
	taken := map[string]bool{}
	for _, m := range msgs {
		for _, a := range m.Attachments {
			key := a.Hash + "/" + a.Name
			name, ok := written[key]
			if !ok {
				name = uniqueName(a.Name, taken)
				data, err := a.Bytes()
				if err != nil {
					return nil, err
				}
				dir := filepath.Join(filepath.Dir(path), folder)
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return nil, fmt.Errorf("creating %s: %w", dir, err)
				}
				if err := WriteFile(filepath.Join(dir, name), data); err != nil {
					return nil, err
				}
				written[key] = name
			}
			paths[a.ID] = folder + "/" + name
		}
	}
	return paths, nil
}

// uniqueName is a safe file name for an attachment, unique among those taken ("a (2).png").
func uniqueName(name string, taken map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '_'
		}
		return r
	}, filepath.Base(name))
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s (%d)%s", stem, i, ext)
	}
	taken[strings.ToLower(name)] = true
	return name
}

// ExportAll writes every conversation into dir (the branch shown, or all of them), one file each
// with a safe, unique name, never overwriting a file that is there already. It returns how many
// it wrote.
func ExportAll(st *store.Store, dir string, allBranches bool) (int, error) {
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
			if err := export(st, c, filepath.Join(dir, FileName(c, taken)), allBranches); err != nil {
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
	c, msgs, refs, tree, err := parse(data)
	if err != nil {
		return c, 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err := readFiles(msgs, refs, path); err != nil {
		return c, 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	c, err = st.ImportTree(c, msgs, tree.parents, tree.current)
	return c, len(msgs), err
}

// readFiles reads back the attachments an export links to, from beside it, as they were: all of
// them, or the import stops with the file that is missing.
func readFiles(msgs []store.Message, refs [][]fileRef, path string) error {
	for i := range msgs {
		for j := range msgs[i].Attachments {
			ref := refs[i][j]
			if ref.Path == "" {
				return fmt.Errorf("the file %q was not exported with the conversation (only its name is in the file)", ref.Name)
			}
			f, err := attach.Read(filepath.Join(filepath.Dir(path), filepath.FromSlash(ref.Path)))
			if err != nil {
				return fmt.Errorf("the conversation's file %s: %w", ref.Path, err)
			}
			a := f.Stored(ref.Detail)
			a.Name = ref.Name
			msgs[i].Attachments[j] = a
		}
	}
	return nil
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
