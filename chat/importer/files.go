package importer

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"strings"

	"parley/chat/attach"
	"parley/chat/store"
)

// files are the files an export's zip holds beside its conversations (images and documents
// sent in them), by their ChatGPT file id ("file-AbC123", "file_00000000abc"). Nothing of the
// zip is ever written to disk: a file's bytes go into the history, its name is its base name,
// so a name like "../../x" cannot reach outside.
type files struct {
	byID map[string]*zip.File
}

func indexZip(z *zip.Reader) *files {
	f := &files{byID: map[string]*zip.File{}}
	for _, e := range z.File {
		if e.FileInfo().IsDir() {
			continue
		}
		if id := fileID(path.Base(strings.ReplaceAll(e.Name, `\`, "/"))); id != "" {
			if _, taken := f.byID[id]; !taken {
				f.byID[id] = e
			}
		}
	}
	return f
}

// fileID is the id a zip entry's name begins with: "file-AbC123-photo.png" is "file-AbC123",
// "file_0000abc-5f1e….png" is "file_0000abc".
func fileID(name string) string {
	for _, prefix := range []string{"file-", "file_"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			end := strings.IndexAny(rest, "-.")
			if end < 0 {
				end = len(rest)
			}
			if end > 0 {
				return prefix + rest[:end]
			}
		}
	}
	return ""
}

// pointerID is the file id of an asset pointer ("file-service://file-AbC123",
// "sediment://file_0000abc").
func pointerID(pointer string) string {
	if i := strings.LastIndex(pointer, "://"); i >= 0 {
		pointer = pointer[i+3:]
	}
	return fileID(pointer)
}

// attachment reads the file with that id from the zip as an attachment, named name (its own
// name in the zip when empty). ok is false when the zip does not hold it; err says why a file
// it holds cannot be attached.
func (f *files) attachment(id, name string) (a store.Attachment, ok bool, err error) {
	e := f.byID[id]
	if e == nil {
		return a, false, nil
	}
	if name == "" {
		name = path.Base(strings.ReplaceAll(e.Name, `\`, "/"))
		if len(name) > len(id)+1 && strings.HasPrefix(name, id) {
			name = name[len(id)+1:] // "file-AbC123-photo.png" was "photo.png"
		}
	}
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if e.UncompressedSize64 > attach.MaxBytes {
		return a, true, fmt.Errorf("%s is %s, past what Parley attaches", name, attach.Size(int64(e.UncompressedSize64)))
	}
	rc, err := e.Open()
	if err != nil {
		return a, true, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, attach.MaxBytes+1))
	if err != nil {
		return a, true, fmt.Errorf("%s: %w", name, err)
	}
	file, err := attach.FromBytes(name, data)
	if err != nil {
		return a, true, err
	}
	return file.Stored(""), true, nil
}
