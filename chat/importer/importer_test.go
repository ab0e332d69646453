package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/markdown"
	"parley/chat/store"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// zipOf writes a zip of the entries (name → bytes) and returns its path.
func zipOf(t testing.TB, entries ...any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.zip")
	f, _ := os.Create(path)
	w := zip.NewWriter(f)
	for i := 0; i < len(entries); i += 2 {
		e, _ := w.Create(entries[i].(string))
		e.Write(entries[i+1].([]byte))
	}
	w.Close()
	f.Close()
	return path
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func chartPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		img.Set(x, 47-x/2, color.RGBA{200, 40, 40, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// trees describes every imported conversation: its title, then each message (role, the start of
// its text, the message it follows, its files, thinking) and the one shown.
func trees(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	convs, err := st.Conversations(100, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range convs {
		msgs, leaf, err := st.Tree(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		short := map[int64]string{0: "-"}
		var b strings.Builder
		for _, m := range msgs {
			s := []rune(strings.ReplaceAll(m.Content, "\n", " "))
			short[m.ID] = string(s[:min(len(s), 14)])
			fmt.Fprintf(&b, "%s:%s<%s", m.Role, short[m.ID], short[m.Parent])
			for _, a := range m.Attachments {
				fmt.Fprintf(&b, " [%s %d]", a.Name, a.Size)
			}
			if m.Thinking != "" {
				b.WriteString(" (thought)")
			}
			if m.Model != "" {
				b.WriteString(" " + m.Model)
			}
			b.WriteString("\n")
		}
		out[c.Title] = b.String() + "shown:" + short[leaf]
	}
	return out
}

// A ChatGPT export as downloaded: branches come in as branches with the branch shown, hidden
// and tool nodes are left out (and counted), thoughts go with their answer, images and files
// come from the zip, unknown content is kept as text with a note, a damaged conversation
// imports what it can. Imported again, it adds nothing.
func TestChatGPTExport(t *testing.T) {
	st := openStore(t)
	path := zipOf(t, "conversations.json", fixture(t, "chatgpt-conversations.json"),
		"file-Chart7Qx-sales.png", chartPNG(), "file-Notes9Zz-notes.txt", []byte("March: closed for two weeks (works)\n"),
		"user.json", []byte(`{"id":"user-1","email":"someone@example.com"}`), "chat.html", []byte("<html></html>"))
	var seen []Progress
	sum, err := Run(context.Background(), st, path, Options{Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Format != ChatGPT || sum.Conversations != 3 || sum.Messages != 11 || sum.Already != 0 || len(sum.Failed) != 0 || sum.Stopped != "" {
		t.Fatalf("%+v", sum)
	}
	if len(seen) != 3 || seen[2].Conversations != 3 || seen[2].Fraction < 0.99 || seen[0].Fraction >= seen[2].Fraction {
		t.Fatalf("progress %+v", seen)
	}
	for why, n := range map[string]int{skipHidden: 2, skipTools: 2, skipRecap: 1, skipLoop: 2} {
		if sum.Skipped[why] != n {
			t.Errorf("skipped %q: %d, want %d (%v)", why, sum.Skipped[why], n, sum.Skipped)
		}
	}
	for what, n := range map[string]int{noteUnknown: 1, noteNoParent: 1, noteNoCurrent: 1} {
		if sum.Notes[what] != n {
			t.Errorf("note %q: %d, want %d (%v)", what, sum.Notes[what], n, sum.Notes)
		}
	}
	got := trees(t, st)
	want := map[string]string{
		"Rust lifetimes ⏳": "user:What does 'a m<-\nassistant:It ties the ou<What does 'a m gpt-4o\n" +
			"user:Explain 'a in <-\nassistant:The returned r<Explain 'a in  gpt-4o\nassistant:'a says: the r<Explain 'a in  gpt-4o-mini\nshown:The returned r",
		"Plot sales data": "user:Why does this <- [sales.png " + fmt.Sprint(len(chartPNG())) + "] [notes.txt 36]\nassistant:March sales fe<Why does this  (thought) o3\n" +
			"user:*(Imported fro<March sales fe\nassistant:| Month | Sale<*(Imported fro o3\nshown:| Month | Sale",
		"Untitled (ChatGPT)": "user:A question who<-\nassistant:An answer<A question who gpt-4\nshown:An answer",
	}
	for title, tree := range want {
		if got[title] != tree {
			t.Errorf("%s:\n%s\nwant\n%s", title, got[title], tree)
		}
	}
	// Message by message where it matters: thinking, times, finish, the unknown kept.
	c := conversationTitled(t, st, "Plot sales data")
	msgs, _ := st.Messages(c.ID)
	if msgs[1].Thinking != "Reading the chart\n\nThe March bar is lower; check the notes for a holiday." || msgs[0].Created.Unix() != 1730000001 {
		t.Fatalf("%q %v", msgs[1].Thinking, msgs[0].Created)
	}
	if msgs[1].ThinkingTime != 12*time.Second { // "Thought for 12 seconds"
		t.Fatalf("thinking time %v", msgs[1].ThinkingTime)
	}
	if !strings.Contains(msgs[2].Content, "“future_widget”") || !strings.Contains(msgs[2].Content, "Show it as a table") {
		t.Fatalf("the unknown content: %q", msgs[2].Content)
	}
	if data, _ := msgs[0].Attachments[0].Bytes(); !bytes.Equal(data, chartPNG()) || msgs[0].Attachments[0].Kind != chat.AttachImage {
		t.Fatal("the image is not the zip's")
	}
	rust := conversationTitled(t, st, "Rust lifetimes ⏳")
	if rust.Source != "chatgpt:66f1e3a0-0001-8000-9000-rustlifetimes" || rust.Model != "gpt-4o" || rust.Created.Unix() != 1727000000 {
		t.Fatalf("%+v", rust)
	}
	tree, _, _ := st.Tree(rust.ID)
	if tree[4].Finish != chat.FinishLength {
		t.Fatalf("a cut answer came in as %q", tree[4].Finish)
	}
	if hits, _ := st.Search("日本語で", 10); len(hits) != 1 {
		t.Fatalf("the Japanese question is not found: %+v", hits)
	}
	for _, words := range []string{"closed for two weeks", "lifetime", "holiday"} { // a file's text, an answer, a thought
		if hits, _ := st.Search(words, 10); len(hits) == 0 {
			t.Fatalf("%q is not found", words)
		}
	}
	// Again: nothing added.
	again, err := Run(context.Background(), st, path, Options{})
	if err != nil || again.Already != 3 || again.Conversations != 0 {
		t.Fatalf("%+v %v", again, err)
	}
	if n, _ := st.CountConversations(); n != 3 {
		t.Fatalf("%d conversations after importing twice", n)
	}
}

func conversationTitled(t testing.TB, st *store.Store, title string) store.Conversation {
	t.Helper()
	convs, _ := st.Conversations(100, 0)
	for _, c := range convs {
		if c.Title == title {
			return c
		}
	}
	t.Fatalf("no conversation %q", title)
	return store.Conversation{}
}

// Its conversations.json alone (no zip): the files it refers to are named in the message and
// listed in the summary.
func TestChatGPTConversationsJSONAlone(t *testing.T) {
	st := openStore(t)
	path := filepath.Join(t.TempDir(), "conversations.json")
	os.WriteFile(path, fixture(t, "chatgpt-conversations.json"), 0o600)
	sum, err := Run(context.Background(), st, path, Options{Want: ChatGPT})
	if err != nil || sum.Conversations != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
	if strings.Join(sum.MissingFiles, ",") != "file-Chart7Qx,notes.txt" {
		t.Fatalf("missing %v", sum.MissingFiles)
	}
	msgs, _ := st.Messages(conversationTitled(t, st, "Plot sales data").ID)
	if !strings.Contains(msgs[0].Content, "📎 *notes.txt (not in the export)*") {
		t.Fatalf("%q", msgs[0].Content)
	}
}

// An export split over several files is read whole, in order, from the zip or from any of its
// files on disk.
func TestSplitExport(t *testing.T) {
	whole := string(fixture(t, "chatgpt-conversations.json"))
	cut := strings.Index(whole, "\n{\"title\": \"Plot sales data\"")
	first, second := whole[:cut-1]+"]", "["+whole[cut+1:]
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "conversations-000.json"), []byte(first), 0o600)
	os.WriteFile(filepath.Join(dir, "conversations-001.json"), []byte(second), 0o600)
	st := openStore(t)
	sum, err := Run(context.Background(), st, filepath.Join(dir, "conversations-001.json"), Options{})
	if err != nil || sum.Conversations != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
	st2 := openStore(t)
	sum, err = Run(context.Background(), st2, zipOf(t, "conversations-001.json", []byte(second), "conversations-000.json", []byte(first)), Options{})
	if err != nil || sum.Conversations != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
}

// A Claude export: documents with their text, images named, thinking kept, tool use left out,
// branches by parent_message_uuid with the branch shown.
func TestClaudeExport(t *testing.T) {
	st := openStore(t)
	sum, err := Run(context.Background(), st, zipOf(t, "conversations.json", fixture(t, "claude-conversations.json"), "users.json", []byte("[]")), Options{Want: Claude})
	if err != nil || sum.Format != Claude || sum.Conversations != 2 || sum.Messages != 6 {
		t.Fatalf("%+v %v", sum, err)
	}
	got := trees(t, st)
	want := map[string]string{
		"Regex for ISO dates": "user:Write a regex <- [samples.csv 38]\nassistant:```regex ^\\d{4<Write a regex  (thought)\nshown:```regex ^\\d{4",
		"Café names ☕":        "user:Name a café<-\nassistant:Le Petit Grain<Name a café\nassistant:Bean There.<Name a café\nuser:Shorter?<Bean There.\nshown:Shorter?",
	}
	for title, tree := range want {
		if got[title] != tree {
			t.Errorf("%s:\n%s\nwant\n%s", title, got[title], tree)
		}
	}
	if sum.Skipped[skipTools] != 2 || strings.Join(sum.MissingFiles, ",") != "screenshot.png" {
		t.Fatalf("%+v", sum)
	}
}

// The wrong file gets a precise message and imports nothing.
func TestWrongFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	st := openStore(t)
	claude := write("conversations.json", string(fixture(t, "claude-conversations.json")))
	if _, err := Run(context.Background(), st, claude, Options{Want: ChatGPT}); err == nil || !strings.Contains(err.Error(), "this is a Claude export, not a ChatGPT one") {
		t.Fatalf("%v", err)
	}
	for name, body := range map[string]string{
		"settings.json": `{"theme": "dark"}`,
		"numbers.json":  `[1, 2, 3]`,
		"objects.json":  `[{"name": "not a conversation"}]`,
		"empty.json":    ``,
		"notes.txt":     "just some notes",
	} {
		_, err := Run(context.Background(), st, write(name, body), Options{})
		if !errors.Is(err, ErrNotExport) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Run(context.Background(), st, zipOf(t, "photos/cat.jpg", []byte("jpeg")), Options{}); !errors.Is(err, ErrNotExport) {
		t.Errorf("a zip without conversations: %v", err)
	}
	if _, err := Run(context.Background(), st, write("broken.zip", "PK\x03\x04 and then nothing"), Options{}); err == nil || !strings.Contains(err.Error(), "damaged zip") {
		t.Errorf("a damaged zip: %v", err)
	}
	if n, _ := st.CountConversations(); n != 0 {
		t.Fatalf("%d conversations imported from wrong files", n)
	}
}

// A file cut off in the middle of a conversation imports those before it, whole, and says so.
func TestTruncatedExport(t *testing.T) {
	whole := fixture(t, "chatgpt-conversations.json")
	cut := bytes.Index(whole, []byte(`"tool-2"`))
	path := filepath.Join(t.TempDir(), "conversations.json")
	os.WriteFile(path, whole[:cut], 0o600)
	st := openStore(t)
	sum, err := Run(context.Background(), st, path, Options{})
	if err != nil || sum.Conversations != 1 || !strings.Contains(sum.Stopped, "ends early or is damaged after 1 conversations") {
		t.Fatalf("%+v %v", sum, err)
	}
	if got := trees(t, st); len(got) != 1 || got["Rust lifetimes ⏳"] == "" {
		t.Fatalf("%v", got)
	}
}

// A zip whose names climb out of any folder writes nothing anywhere: files go into the history,
// under their base name.
func TestZipPathTraversal(t *testing.T) {
	conv := `[{"title": "Evil", "create_time": 1, "mapping": {"u": {"id": "u", "message": {"id": "u", "author": {"role": "user"}, "content": {"content_type": "multimodal_text", "parts": [{"content_type": "image_asset_pointer", "asset_pointer": "file-service://file-Evil1"}, "look"]}, "metadata": {}, "recipient": "all"}, "parent": null, "children": []}}, "current_node": "u", "id": "evil"}]`
	dir := t.TempDir()
	work := filepath.Join(dir, "a", "b")
	os.MkdirAll(work, 0o700)
	old, _ := os.Getwd()
	os.Chdir(work)
	defer os.Chdir(old)
	path := zipOf(t, "conversations.json", []byte(conv), "../../file-Evil1-evil.png", chartPNG(), "/etc/file-Evil2-x.png", chartPNG())
	st := openStore(t)
	sum, err := Run(context.Background(), st, path, Options{})
	if err != nil || sum.Conversations != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if got := trees(t, st)["Evil"]; got != "user:look<- [evil.png "+fmt.Sprint(len(chartPNG()))+"]\nshown:look" {
		t.Fatal(got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("something was written beside the work folder: %v", entries)
	}
}

// Imported, exported with every branch, imported again: the same trees.
func TestImportExportRoundTrip(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, zipOf(t, "conversations.json", fixture(t, "chatgpt-conversations.json"),
		"file-Chart7Qx-sales.png", chartPNG(), "file-Notes9Zz-notes.txt", []byte("March: closed for two weeks (works)\n")), Options{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := markdown.ExportAll(st, dir, true); err != nil {
		t.Fatal(err)
	}
	back := openStore(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, f := range files {
		if _, _, err := markdown.ImportFile(back, f); err != nil {
			t.Fatal(err)
		}
	}
	a, b := trees(t, st), trees(t, back)
	if len(a) != 3 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("imported:\n%v\nround trip:\n%v", a, b)
	}
}

// Cancelling stops between conversations: each imported is whole.
func TestCancelStopsBetweenConversations(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	sum, err := Run(ctx, st, zipOf(t, "conversations.json", fixture(t, "chatgpt-conversations.json")), Options{Progress: func(p Progress) {
		if p.Conversations == 1 {
			cancel()
		}
	}})
	if err != nil || sum.Conversations != 1 || sum.Stopped != "the import was cancelled" {
		t.Fatalf("%+v %v", sum, err)
	}
}

// A "Thought for …" recap gives the answer its thinking time: the export's seconds when it has
// them, else the line's words; a line without a time gives none.
func TestRecapDurations(t *testing.T) {
	recap := func(line, metadata string) *gptMessage {
		var g gptMessage
		raw := `{"content": {"content_type": "reasoning_recap", "content": ` + strconv.Quote(line) + `}, "metadata": {` + metadata + `}}`
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			t.Fatal(err)
		}
		return &g
	}
	// The time a message gives the answer below it, as the import reads it.
	thoughtFor := func(g *gptMessage) time.Duration {
		c := newConverted()
		m, _, _, _ := c.gptMessage(g, nil, time.Time{})
		return m.ThinkingTime
	}
	for _, c := range []struct {
		line, metadata string
		want           time.Duration
	}{
		{"Thought for 12 seconds", "", 12 * time.Second},
		{"Thought for 1 second", "", time.Second},
		{"Thought for 1m 5s", "", 65 * time.Second},
		{"Thought for 2 minutes", "", 2 * time.Minute},
		{"Thought for 1 minute and 30 seconds", "", 90 * time.Second},
		{"Thought for a few seconds", "", 0},
		{"Thought for a few seconds", `"finished_duration_sec": 4`, 4 * time.Second},
		{"Thought for 12 seconds", `"finished_duration_sec": 12.5`, 12500 * time.Millisecond},
		{"Thought for 12 seconds", `"finished_duration_sec": -3`, 12 * time.Second},
	} {
		if got := thoughtFor(recap(c.line, c.metadata)); got != c.want {
			t.Errorf("%q with {%s}: %v, want %v", c.line, c.metadata, got, c.want)
		}
	}
	var text gptMessage
	json.Unmarshal([]byte(`{"content": {"content_type": "text", "parts": ["Thought for 12 seconds"]}}`), &text)
	if got := thoughtFor(&text); got != 0 {
		t.Errorf("an ordinary message saying it: %v", got)
	}
}
