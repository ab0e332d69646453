package backup

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/store"
	"parley/settings"
)

const secretKey = "sk-proj-BACKUPtestKEY0123456789abcdefXYZ"

// home is one user's Parley: a history, usage records and presets in their own folders.
type home struct {
	dir string
	src Sources
}

func newHome(t *testing.T) home {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "data", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	meter, _ := settings.OpenMeter(filepath.Join(dir, "data"), nil)
	presets, _, _ := settings.OpenPresets(filepath.Join(dir, "config"))
	return home{dir: dir, src: Sources{History: st, Meter: meter, Presets: presets}}
}

// fill gives a history a branched conversation with a file, a plain one, usage and a preset.
func fill(t *testing.T, h home, tag string) {
	t.Helper()
	st := h.src.History
	c, _ := st.CreateConversation(store.Conversation{Title: "Branches " + tag, Model: "gpt-5.6", Pinned: true, SystemPrompt: "Be brief."})
	q, _ := st.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "Which tree? " + tag,
		Attachments: []store.Attachment{{Name: "bark.txt", Kind: chat.AttachText, MIME: "text/plain", Size: 9, Hash: "h-" + tag, Data: []byte("bark " + tag), Text: "bark " + tag}}})
	a, _ := st.AppendAfter(store.Message{ConversationID: c.ID, Role: chat.Assistant, Content: "Oak.", Model: "gpt-5.6", Usage: chat.Usage{PromptTokens: 10, CompletionTokens: 2}, Cost: chat.Cost{USD: 0.001, Known: true}, Thinking: "Trees…"}, q.ID)
	st.AppendAfter(store.Message{ConversationID: c.ID, Role: chat.Assistant, Content: "Birch.", Model: "gpt-5.6"}, q.ID)
	st.SwitchVersion(c.ID, a.ID, 0)
	p, _ := st.CreateConversation(store.Conversation{Title: "Plain " + tag})
	st.Append(store.Message{ConversationID: p.ID, Role: chat.User, Content: "Hello " + tag})
	// A batch still running, and one whose results were fetched (none: they all failed).
	req := []store.BatchRequest{{CustomID: "r1", Source: "prompts.jsonl:1", Prompt: "Name a tree " + tag, Model: "gpt-5.6-mini"}}
	st.AddBatch(store.Batch{ID: "batch_running_" + tag, Profile: "default", Source: "prompts.jsonl", Requests: req, EstimateUSD: 0.002, Status: "in_progress", Total: 1})
	st.SaveBatchResults(store.Batch{ID: "batch_done_" + tag, Profile: "work", Source: "more.jsonl", Requests: req, Status: "completed", Total: 1, Failed: 1}, nil)
	h.src.Meter.Record(settings.Spend{Profile: "default", Model: "gpt-5.6", Requests: 1, PromptTokens: 10, CompletionTokens: 2, CostUSD: 0.001, At: time.Now()})
	h.src.Presets.Save(settings.Preset{Name: "Pirate " + tag, SystemPrompt: "Talk like a pirate."})
}

// everything describes a history whole: each conversation, every message on every branch
// with its files, and the branch shown; then the batches.
func everything(t *testing.T, st *store.Store) string {
	t.Helper()
	convs, _ := st.Conversations(100, 0)
	var b strings.Builder
	for i := len(convs) - 1; i >= 0; i-- {
		c := convs[i]
		msgs, leaf, _ := st.Tree(c.ID)
		fmt.Fprintf(&b, "%s pinned=%v model=%s system=%q uid=%s\n", c.Title, c.Pinned, c.Model, c.SystemPrompt, c.UID)
		pos := map[int64]int{}
		for j, m := range msgs {
			pos[m.ID] = j + 1
			fmt.Fprintf(&b, "  %d<%d %s %q %s %+v %+v %q", j+1, pos[m.Parent], m.Role, m.Content, m.Model, m.Usage, m.Cost, m.Thinking)
			for _, a := range m.Attachments {
				data, _ := a.Bytes()
				fmt.Fprintf(&b, " [%s %q]", a.Name, data)
			}
			if m.ID == leaf {
				b.WriteString(" (shown)")
			}
			b.WriteString("\n")
		}
	}
	batches, err := st.Batches()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range batches {
		fmt.Fprintf(&b, "batch %s %s created=%d %s %+v est=%v %s %d/%d/%d cost=%v fetched=%v\n", x.ID, x.Profile, x.Created.UnixMilli(), x.Source, x.Requests,
			x.EstimateUSD, x.Status, x.Total, x.Completed, x.Failed, x.CostUSD, !x.Fetched.IsZero())
	}
	return b.String()
}

var bg = context.Background()

// A backup restored into an empty history gives the same history, usage and presets; restored
// again it adds nothing; restored into another history it merges. It never holds the key.
func TestBackupAndRestore(t *testing.T) {
	a := newHome(t)
	fill(t, a, "A")
	os.WriteFile(filepath.Join(a.dir, "config", "note-with-key.txt"), []byte(secretKey), 0o600) // a key elsewhere on disk
	path := filepath.Join(t.TempDir(), "parley.backup")
	w, err := Write(a.src, path)
	if err != nil || w.Conversations != 2 || w.Bytes == 0 {
		t.Fatalf("%+v %v", w, err)
	}
	if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(secretKey)) || bytes.Contains(data, []byte("sk-proj-")) {
		t.Fatal("the backup holds a key")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}

	b := newHome(t)
	r, err := Restore(bg, b.src, path, nil)
	if err != nil || r.Added != 2 || r.Already != 0 || r.Batches != 2 || r.UsageDays != 1 || r.PresetsAdded != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if got, want := everything(t, b.src.History), everything(t, a.src.History); got != want || !strings.Contains(got, "batch batch_running_A") || !strings.Contains(got, "fetched=true") {
		t.Fatalf("restored:\n%s\nwas:\n%s", got, want)
	}
	if got, want := r.Report(), "Restored 2 conversations, 2 batches, 1 day of usage records and 1 preset."; got != want {
		t.Fatalf("report %q, want %q", got, want)
	}
	if day, _ := b.src.Meter.Today(); day != 12 {
		t.Fatalf("usage restored: %d tokens today", day)
	}
	again, err := Restore(bg, b.src, path, nil)
	if err != nil || again.Added != 0 || again.Already != 2 || again.Batches != 0 || again.UsageDays != 0 || again.PresetsAdded != 0 {
		t.Fatalf("restoring twice: %+v %v", again, err)
	}
	// A batch known here already keeps where it stands here (it went on after the backup).
	b.src.History.SetBatchStatus("batch_running_A", "completed", 1, 1, 0)
	if again, err := Restore(bg, b.src, path, nil); err != nil || again.Batches != 0 {
		t.Fatalf("restoring after the batch went on: %+v %v", again, err)
	}
	if x, _ := b.src.History.Batch("batch_running_A"); x.Status != "completed" || x.Completed != 1 {
		t.Fatalf("the backup's older state replaced the batch's: %+v", x)
	}

	// Into a history with conversations of its own: both are kept.
	c := newHome(t)
	fill(t, c, "C")
	var done []int
	r, err = Restore(bg, c.src, path, func(n, total int) { done = append(done, n, total) })
	if err != nil || r.Added != 2 {
		t.Fatalf("%+v %v", r, err)
	}
	if n, _ := c.src.History.CountConversations(); n != 4 {
		t.Fatalf("%d conversations after merging", n)
	}
	if bs, _ := c.src.History.Batches(); r.Batches != 2 || len(bs) != 4 {
		t.Fatalf("%d batches added, %d in all", r.Batches, len(bs))
	}
	if fmt.Sprint(done) != "[1 2 2 2]" {
		t.Fatalf("progress %v", done)
	}
	// The backup file itself is left as it was.
	if fi, _ := os.Stat(path); fi.Size() != w.Bytes {
		t.Fatal("restoring changed the backup")
	}
}

// A plain history file (history.db copied from another machine) restores too.
func TestRestoreAHistoryFile(t *testing.T) {
	a := newHome(t)
	fill(t, a, "A")
	copyPath := filepath.Join(t.TempDir(), "history.db")
	if err := a.src.History.CopyTo(copyPath); err != nil {
		t.Fatal(err)
	}
	b := newHome(t)
	if r, err := Restore(bg, b.src, copyPath, nil); err != nil || r.Added != 2 || r.UsageDays != 0 {
		t.Fatalf("%+v %v", r, err)
	}
}

// The wrong file is refused with the reason, and nothing changes.
func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	b := newHome(t)
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite3", "file:"+other)
	db.Exec(`CREATE TABLE photos (id INTEGER)`)
	db.Close()
	for name, path := range map[string]string{
		"text":     write(t, dir, "notes.txt", "not a database"),
		"empty":    write(t, dir, "empty.backup", ""),
		"other db": other,
		"missing":  filepath.Join(dir, "nowhere.backup"),
	} {
		if _, err := Restore(bg, b.src, path, nil); err == nil {
			t.Errorf("%s: restored", name)
		}
	}
	if n, _ := b.src.History.CountConversations(); n != 0 {
		t.Fatal("a refused restore changed the history")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(b.src.History.Path()), ".restoring-*"))
	if len(left) != 0 {
		t.Fatalf("left behind %v", left)
	}
}

func write(t *testing.T, dir, name, body string) string {
	p := filepath.Join(dir, name)
	os.WriteFile(p, []byte(body), 0o600)
	return p
}

// Stopped halfway, a restore keeps the conversations it brought (each whole) and leaves the
// usage and presets; restoring again brings the rest, and nothing twice.
func TestRestoreStoppedHalfwayFinishesLater(t *testing.T) {
	a := newHome(t)
	fill(t, a, "A")
	fill(t, a, "B")
	path := filepath.Join(t.TempDir(), "parley.backup")
	if _, err := Write(a.src, path); err != nil {
		t.Fatal(err)
	}
	b := newHome(t)
	ctx, stop := context.WithCancel(bg)
	r, err := Restore(ctx, b.src, path, func(done, total int) {
		if done == 2 {
			stop() // as Stop or Esc in the window, Ctrl+C on the command line
		}
	})
	if err != nil || !r.Stopped || r.Added != 2 || r.UsageDays != 0 || r.PresetsAdded != 0 {
		t.Fatalf("stopped: %+v %v", r, err)
	}
	if n, _ := b.src.History.CountConversations(); n != 2 {
		t.Fatalf("%d conversations after stopping, want the 2 restored", n)
	}
	if rep := r.Report(); !strings.Contains(rep, "Stopped after restoring 2 conversations") || !strings.Contains(rep, "again brings the rest") {
		t.Fatalf("report: %q", rep)
	}
	r, err = Restore(bg, b.src, path, nil)
	if err != nil || r.Stopped || r.Added != 2 || r.Already != 2 || r.UsageDays == 0 || r.PresetsAdded != 2 {
		t.Fatalf("restored again: %+v %v", r, err)
	}
	if got, want := everything(t, b.src.History), everything(t, a.src.History); got != want {
		t.Fatalf("after finishing:\n%s\nwas:\n%s", got, want)
	}
}
