package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeBigExport writes a ChatGPT conversations.json of convs conversations of perConv visible
// messages each (a hidden root and system node first, an edited question with two answers in
// one conversation of ten), answers of a few paragraphs with code, and returns its path.
func writeBigExport(tb testing.TB, convs, perConv int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "conversations.json")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	prose := strings.Repeat("The answer explains the trade-offs in plain words, with an example. ", 8)
	code := "```go\nfunc retry(ctx context.Context, f func() error) error {\n\tfor i := 0; i < 3; i++ {\n\t\tif err := f(); err == nil {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn errors.New(\"gave up\")\n}\n```"
	node := func(id, parent string, children []string, role, text string, t float64, model string) map[string]any {
		msg := map[string]any{"id": id, "author": map[string]any{"role": role, "name": nil, "metadata": map[string]any{}},
			"create_time": t, "update_time": nil, "content": map[string]any{"content_type": "text", "parts": []string{text}},
			"status": "finished_successfully", "end_turn": role == "assistant", "weight": 1.0,
			"metadata": map[string]any{"model_slug": model, "finish_details": map[string]any{"type": "stop"}}, "recipient": "all", "channel": nil}
		var p any
		if parent != "" {
			p = parent
		}
		return map[string]any{"id": id, "message": msg, "parent": p, "children": children}
	}
	w.WriteString("[")
	for c := range convs {
		if c > 0 {
			w.WriteString(",\n")
		}
		start := 1.7e9 + float64(c)*3600
		mapping := map[string]any{
			"root": map[string]any{"id": "root", "message": nil, "parent": nil, "children": []string{"sys"}},
			"sys":  node("sys", "root", []string{"m0"}, "system", "", start, ""),
		}
		mapping["sys"].(map[string]any)["message"].(map[string]any)["metadata"] = map[string]any{"is_visually_hidden_from_conversation": true}
		parent, last := "sys", ""
		for i := range perConv {
			id := "m" + strconv.Itoa(i)
			next := []string{}
			if i+1 < perConv {
				next = []string{"m" + strconv.Itoa(i+1)}
			}
			role, text, model := "user", fmt.Sprintf("Question %d of conversation %d: how should I retry a flaky call, and when should I give up? ✓", i, c), ""
			if i%2 == 1 {
				role, text, model = "assistant", fmt.Sprintf("Answer %d.\n\n%s\n\n%s\n\n%s", i, prose, code, prose), "gpt-4o"
			}
			if c%10 == 0 && i == perConv-2 { // an edited question beside the last one, answered too
				next = append(next, "edit")
				mapping["edit"] = node("edit", parent, []string{"edit-a"}, "user", "The same question, worded again", start+float64(i)*60+30, "")
				mapping["edit-a"] = node("edit-a", "edit", []string{}, "assistant", "Another answer.", start+float64(i)*60+31, "gpt-4o")
			}
			_ = next
			mapping[id] = node(id, parent, next, role, text, start+float64(i)*60, model)
			parent, last = id, id
		}
		conv := map[string]any{"title": fmt.Sprintf("Conversation %d", c), "create_time": start, "update_time": start + 3000,
			"mapping": mapping, "moderation_results": []any{}, "current_node": last, "conversation_id": fmt.Sprintf("conv-%06d", c),
			"default_model_slug": "gpt-4o", "id": fmt.Sprintf("conv-%06d", c), "is_archived": false, "safe_urls": []any{}}
		b, _ := json.Marshal(conv)
		w.Write(b)
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

// peakRSS is the process's peak resident memory since resetPeak, in MB (Linux).
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkImportChatGPT5000 imports a 5,000-conversation, 100,000-message ChatGPT export into
// an empty history: the time, the process's peak memory while it runs, and how long a sidebar
// page read takes while it runs (p99).
func BenchmarkImportChatGPT5000(b *testing.B) {
	path := writeBigExport(b, 5000, 20)
	fi, _ := os.Stat(path)
	for range b.N {
		st := openStore(b)
		runtime.GC()
		resetPeak()
		stop := make(chan struct{})
		var worst atomic.Int64
		go func() { // the sidebar, reading its first page while the import runs
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				begin := time.Now()
				st.Conversations(50, 0)
				if d := time.Since(begin).Microseconds(); d > worst.Load() {
					worst.Store(d)
				}
			}
		}()
		begin := time.Now()
		sum, err := Run(context.Background(), st, path, Options{})
		took := time.Since(begin)
		close(stop)
		if err != nil || sum.Conversations != 5000 || sum.Messages != 5000*20+500*2 {
			b.Fatalf("%+v %v", sum.Progress, err)
		}
		b.ReportMetric(took.Seconds(), "s/import")
		b.ReportMetric(peakRSS(), "MB-peak-RSS")
		b.ReportMetric(float64(worst.Load())/1000, "ms-worst-sidebar-page")
		b.ReportMetric(float64(fi.Size())/(1<<20), "MB-export")
	}
}
