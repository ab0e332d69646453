package batch

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

const testKey = "sk-proj-batchTESTkey0123456789abcdefABCD"

var sol = chat.ModelInfo{ContextWindow: 1_050_000, Reasoning: true, Efforts: []string{"none", "low", "medium", "high"},
	Price: chat.Price{Input: 5, CachedInput: 0.5, Output: 30, Tiers: map[string]float64{"batch": 0.5, "flex": 0.5}, Known: true}}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type rig struct {
	server  *chattest.Server
	client  *chat.Client
	hist    *store.Store
	batcher *Batcher
	clock   *clock
	spends  []chat.Answer
}

func newRig(t *testing.T, opts chattest.Options) *rig {
	t.Helper()
	r := &rig{clock: &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}}
	opts.Key, opts.Now = testKey, r.clock.Now
	opts.Models = append([]string{"gpt-5.6-sol", "gpt-6.1-terra"}, chattest.DefaultModels...)
	if opts.Reply == nil {
		opts.Reply = func(req chattest.ChatRequest) string { return "Answer to: " + req.LastUser() }
	}
	r.server = chattest.New(opts)
	ts := httptest.NewServer(r.server)
	t.Cleanup(ts.Close)
	r.client = chat.New(chat.Config{BaseURL: ts.URL + "/v1", APIKey: testKey, API: chat.APIResponses,
		Models: func(id string) chat.ModelInfo { return sol }}, nil)
	hist, err := store.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	r.hist = hist
	r.batcher = New(Deps{History: func() (*store.Store, error) { return hist, nil },
		Record: func(profile, model string, a chat.Answer) error { r.spends = append(r.spends, a); return nil }})
	return r
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A JSONL input with faults is refused whole, every fault with its line, before anything is
// read further or sent.
func TestReadRefusesBrokenInput(t *testing.T) {
	big := strings.Repeat(`{"prompt":"q"}`+"\n", chat.MaxBatchLines+1)
	for _, c := range []struct {
		name, content string
		want          []string
	}{
		{"broken", `{"prompt":"one"}` + "\n" + `{"prompt": "two"` + "\n\n" + `{"promt":"three"}` + "\n" + `{"prompt":""}` + "\n" + `{"prompt":"five","effort":3}`,
			[]string{"broken.jsonl:2: not a JSON object", `broken.jsonl:4: unknown field "promt"`, `broken.jsonl:5: "prompt" is missing or empty`, `broken.jsonl:6: "effort" must be a string`}},
		{"empty", "\n\n  \n", []string{"holds no prompts"}},
		{"toomany", big, []string{"50,001 prompts: a batch takes at most 50,000"}},
		{"latin1", "{\"prompt\":\"caf\xe9\"}\n", []string{"latin1.jsonl:1: not UTF-8 text"}},
	} {
		_, err := Read(write(t, c.name+".jsonl", c.content))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: %q lacks %q", c.name, err, w)
			}
		}
	}
	ok, err := Read(write(t, "fine.jsonl", `{"prompt":"one"}`+"\n"+`{"prompt":"two","model":"gpt-6.1-terra","system":"Be terse.","effort":"low"}`))
	if err != nil || len(ok) != 2 || ok[1].Model != "gpt-6.1-terra" || ok[1].Source != "fine.jsonl:2" || ok[1].Effort != "low" {
		t.Fatalf("%+v %v", ok, err)
	}
}

// A folder gives one prompt per .md or .txt file, by name; other files are left alone; an
// empty one is a fault.
func TestReadAFolder(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"b.md": "# Second\nExplain B.", "a.txt": "Explain A.", "notes.pdf": "%PDF", "c.md": "  \n"} {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
	}
	_, err := Read(dir)
	if err == nil || !strings.Contains(err.Error(), "c.md: empty") {
		t.Fatalf("%v", err)
	}
	os.Remove(filepath.Join(dir, "c.md"))
	prompts, err := Read(dir)
	if err != nil || len(prompts) != 2 || prompts[0].Source != "a.txt" || prompts[1].Prompt != "# Second\nExplain B." {
		t.Fatalf("%+v %v", prompts, err)
	}
}

// Preparing prices the input at batch price (half the standard one), one batch per model, and
// refuses an effort the model does not take, with its line.
func TestPrepareAtBatchPrice(t *testing.T) {
	r := newRig(t, chattest.Options{})
	prompts := []Prompt{{Source: "p:1", Prompt: strings.Repeat("A question about batches. ", 40)}, {Source: "p:2", Prompt: "Another.", Model: "gpt-6.1-terra"}}
	plan, err := r.batcher.Prepare(r.client, "p.jsonl", prompts, Defaults{Model: "gpt-5.6-sol", Effort: "high"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Groups) != 2 || plan.Requests() != 2 || plan.Groups[0].Model != "gpt-5.6-sol" {
		t.Fatalf("%+v", plan.Groups)
	}
	g := plan.Groups[0]
	standard := chat.CostOf(chat.Usage{PromptTokens: g.InputTokens}, sol.Price)
	if g.InputTokens < 200 || g.InputCost.USD != standard.USD/2 || g.OutputPerMillion != 15 || !plan.InputCost().Known {
		t.Fatalf("tokens %d cost %v (standard %v) output %v", g.InputTokens, g.InputCost, standard, g.OutputPerMillion)
	}
	_, err = r.batcher.Prepare(r.client, "p.jsonl", []Prompt{{Source: "p:7", Prompt: "x", Effort: "max"}}, Defaults{Model: "gpt-5.6-sol"})
	if err == nil || !strings.Contains(err.Error(), `p:7: gpt-5.6-sol does not take the effort "max"`) {
		t.Fatalf("%v", err)
	}
}

// The whole way: submitted, not fetchable while it runs, then its answers saved as
// conversations tagged with it, each joined to its own question (the output comes shuffled),
// the failed request reported with its error, the cost counted once at batch price; fetching
// again saves nothing twice.
func TestSubmitAndFetch(t *testing.T) {
	r := newRig(t, chattest.Options{BatchTime: time.Hour})
	var prompts []Prompt
	for i := range 12 {
		prompts = append(prompts, Prompt{Source: fmt.Sprintf("q.jsonl:%d", i+1), Prompt: fmt.Sprintf("Question number %d?", i+1)})
	}
	prompts = append(prompts, Prompt{Source: "q.jsonl:13", Prompt: "To a missing model.", Model: "gpt-0-gone"})
	plan, err := r.batcher.Prepare(r.client, "q.jsonl", prompts, Defaults{Model: "gpt-5.6-sol"})
	if err != nil {
		t.Fatal(err)
	}
	made, err := r.batcher.Submit(context.Background(), r.client, plan, "work")
	if err != nil || len(made) != 2 {
		t.Fatalf("%+v %v", made, err)
	}
	var notDone ErrNotDone
	if _, err := r.batcher.Fetch(context.Background(), r.client, made[0].ID, "work"); !errors.As(err, &notDone) {
		t.Fatalf("fetched a running batch: %v", err)
	}
	r.clock.Add(2 * time.Hour)
	rep, err := r.batcher.Fetch(context.Background(), r.client, made[0].ID, "work")
	if err != nil || len(rep.Saved) != 12 || len(rep.Failed) != 0 || !rep.Cost.Known || rep.Cost.USD == 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	for _, c := range rep.Saved {
		msgs, _ := r.hist.Messages(c.ID)
		if c.Batch != made[0].ID || len(msgs) != 2 || msgs[1].Content != "Answer to: "+msgs[0].Content || msgs[1].Usage.ServiceTier != "batch" {
			t.Fatalf("conversation %+v: %+v", c, msgs)
		}
	}
	if len(r.spends) != 12 {
		t.Fatalf("counted %d", len(r.spends))
	}
	again, err := r.batcher.Fetch(context.Background(), r.client, made[0].ID, "work")
	if err != nil || !again.Already || len(again.Saved) != 12 || len(r.spends) != 12 {
		t.Fatalf("again: %+v %v, counted %d", again, err, len(r.spends))
	}
	missing, err := r.batcher.Fetch(context.Background(), r.client, made[1].ID, "work")
	if err != nil || len(missing.Saved) != 0 || len(missing.Failed) != 1 || missing.Failed[0].Request.Source != "q.jsonl:13" || !strings.Contains(missing.Failed[0].Err, "does not exist") {
		t.Fatalf("%+v %v", missing, err)
	}
}

// An expired batch keeps the answers it has, and says which requests never ran.
func TestExpiredBatchKeepsWhatItHas(t *testing.T) {
	r := newRig(t, chattest.Options{BatchTime: 30 * time.Hour})
	var prompts []Prompt
	for i := range 8 {
		prompts = append(prompts, Prompt{Source: fmt.Sprint(i), Prompt: fmt.Sprintf("Q%d", i)})
	}
	plan, _ := r.batcher.Prepare(r.client, "q", prompts, Defaults{Model: "gpt-5.6-sol"})
	made, _ := r.batcher.Submit(context.Background(), r.client, plan, "work")
	r.clock.Add(25 * time.Hour)
	rep, err := r.batcher.Fetch(context.Background(), r.client, made[0].ID, "work")
	if err != nil || rep.Batch.Status != "expired" || len(rep.Saved) != 4 || len(rep.NotRun) != 4 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// A batch made elsewhere (another program, another computer) is fetched from its own input.
func TestFetchABatchMadeElsewhere(t *testing.T) {
	r := newRig(t, chattest.Options{})
	plan, _ := r.batcher.Prepare(r.client, "q", []Prompt{{Source: "1", Prompt: "Made elsewhere?", System: "Be kind."}}, Defaults{Model: "gpt-5.6-sol"})
	file, _ := r.client.UploadBatchFile(context.Background(), "x.jsonl", plan.Groups[0].input)
	b, err := r.client.CreateBatch(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.batcher.Fetch(context.Background(), r.client, b.ID, "work")
	if err != nil || len(rep.Saved) != 1 || rep.Saved[0].SystemPrompt != "Be kind." || rep.Saved[0].Title != "Made elsewhere?" {
		t.Fatalf("%+v %v", rep, err)
	}
}

// The server refusing a batch in validation names the input's own lines.
func TestRefusedBatchNamesTheLines(t *testing.T) {
	r := newRig(t, chattest.Options{NoBatchModels: []string{"gpt-6.1-terra"}})
	plan, _ := r.batcher.Prepare(r.client, "q.jsonl", []Prompt{{Source: "q.jsonl:4", Prompt: "x", Model: "gpt-6.1-terra"}}, Defaults{})
	_, err := r.batcher.Submit(context.Background(), r.client, plan, "work")
	if err == nil || !strings.Contains(err.Error(), "q.jsonl:4: OpenAI refused it: The model 'gpt-6.1-terra' is not supported by the Batch API.") {
		t.Fatalf("%v", err)
	}
}
