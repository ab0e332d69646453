package markdown

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/store"
)

// shape is a tree as text: each message with the message it follows, and the one shown.
func shape(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	msgs, leaf, err := st.Tree(id)
	if err != nil {
		t.Fatal(err)
	}
	content := map[int64]string{0: "-"}
	var b strings.Builder
	for _, m := range msgs {
		content[m.ID] = m.Content
		fmt.Fprintf(&b, "%s<%s ", m.Content, content[m.Parent])
	}
	return b.String() + "shown:" + content[leaf]
}

// branchy builds a conversation with an edited question and a regenerated answer.
func branchy(t *testing.T, st *store.Store) store.Conversation {
	t.Helper()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c, _ := st.CreateConversation(store.Conversation{Title: "Branches", Model: "gpt-5.6", Created: at, Updated: at})
	add := func(parent int64, role chat.Role, text string) store.Message {
		at = at.Add(time.Minute)
		m, err := st.AppendAfter(store.Message{ConversationID: c.ID, Role: role, Content: text, Created: at, Finish: chat.FinishStop}, parent)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	q := add(0, chat.User, "Which tree?")
	a1 := add(q.ID, chat.Assistant, "Oak.")
	add(a1.ID, chat.User, "Why oak?")
	add(q.ID, chat.Assistant, "Birch, with a code block:\n\n```go\nfmt.Println(\"birch\")\n```")
	e := add(0, chat.User, "Which rock?")
	add(e.ID, chat.Assistant, "Granite ⛰️.")
	st.SwitchVersion(c.ID, a1.ID, 0) // show the oak branch
	return c
}

// An export of every branch reads back as the same tree, showing the same branch; exported
// again it is the same file. An export of the branch shown holds that branch only.
func TestAllBranchesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, _ := store.Open(filepath.Join(dir, "a.db"))
	defer src.Close()
	c := branchy(t, src)
	want := shape(t, src, c.ID)
	if want != "Which tree?<- Oak.<Which tree? Why oak?<Oak. Birch, with a code block:\n\n```go\nfmt.Println(\"birch\")\n```<Which tree? Which rock?<- Granite ⛰️.<Which rock? shown:Why oak?" {
		t.Fatal(want)
	}
	path := filepath.Join(dir, "branches.md")
	if err := ExportTo(src, c.ID, path, true); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	if !strings.Contains(string(first), "*⑂ Another version, after: “Which tree?”*") || !strings.Contains(string(first), "*⑂ Another version, after: “the beginning”*") {
		t.Fatalf("a reader cannot tell where a branch starts:\n%s", first)
	}
	dst, _ := store.Open(filepath.Join(dir, "b.db"))
	defer dst.Close()
	got, n, err := ImportFile(dst, path)
	if err != nil || n != 6 {
		t.Fatal(n, err)
	}
	if shape(t, dst, got.ID) != want {
		t.Fatalf("read back as\n%s\nnot\n%s", shape(t, dst, got.ID), want)
	}
	again := filepath.Join(dir, "again.md")
	if err := ExportTo(dst, got.ID, again, true); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(again); string(second) != string(first) {
		t.Fatalf("the second export differs:\n%s\n---\n%s", first, second)
	}
	// The branch shown only: a chain, no numbers.
	shown := filepath.Join(dir, "shown.md")
	ExportTo(src, c.ID, shown, false)
	b, _ := os.ReadFile(shown)
	if strings.Contains(string(b), "Birch") || strings.Contains(string(b), `"node"`) || !strings.Contains(string(b), "Why oak?") {
		t.Fatalf("the export of the branch shown:\n%s", b)
	}
}

// Damaged numbering is refused with the message it is in, and nothing is imported.
func TestDamagedBranchesAreRefused(t *testing.T) {
	dir := t.TempDir()
	src, _ := store.Open(filepath.Join(dir, "a.db"))
	defer src.Close()
	c := branchy(t, src)
	msgs, leaf, _ := src.Tree(c.ID)
	good := string(RenderBranches(c, msgs, leaf))
	for name, bad := range map[string]string{
		"a parent after":   strings.Replace(good, `"node":2,"parent":1`, `"node":2,"parent":3`, 1),
		"out of order":     strings.Replace(good, `"node":3,`, `"node":4,`, 1),
		"current too far":  strings.Replace(good, "current_node: 3", "current_node: 9", 1),
		"half numbered":    strings.Replace(good, `,"node":2,"parent":1`, ``, 1),
		"negative current": strings.Replace(good, "current_node: 3", "current_node: -1", 1),
	} {
		if bad == good {
			t.Fatalf("%s: the test changed nothing", name)
		}
		if _, _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%s: taken", name)
		}
	}
}
