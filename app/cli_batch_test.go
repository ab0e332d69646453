package app

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/settings"
)

// parley batch, the whole way: a broken file is refused with its line and nothing sent; a
// good one is priced, refused without --yes off a terminal, submitted with it, followed, and
// fetched into the history, each answer its own conversation tagged with the batch.
func TestBatchOnTheCommandLine(t *testing.T) {
	s, home := cliEnv(t, chattest.Options{Models: reasoningModels, Reply: func(r chattest.ChatRequest) string { return "Re: " + r.LastUser() }})
	t.Setenv("OPENAI_API_KEY", cliKey)
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.jsonl")
	os.WriteFile(broken, []byte(`{"prompt":"fine"}`+"\n"+`{"prompt":"no end"`+"\n"), 0o600)
	code, _, errOut := runParley(t, "", "batch", "submit", "-m", "gpt-5.6-sol", broken)
	if code != exitUsage || !strings.Contains(errOut, "broken.jsonl:2: not a JSON object") || len(s.Requests()) != 0 {
		t.Fatalf("%d %q, %d requests", code, errOut, len(s.Requests()))
	}

	good := filepath.Join(dir, "questions.jsonl")
	os.WriteFile(good, []byte(`{"prompt":"What is a batch?"}`+"\n"+`{"prompt":"Why half price?","effort":"low"}`+"\n"), 0o600)
	code, _, errOut = runParley(t, "", "batch", "submit", "-m", "gpt-5.6-sol", good)
	if code != exitUsage || !strings.Contains(errOut, "at batch price") || !strings.Contains(errOut, "add --yes") || len(s.Requests()) != 0 {
		t.Fatalf("without --yes: %d %q", code, errOut)
	}
	code, out, errOut := runParley(t, "", "batch", "submit", "-m", "gpt-5.6-sol", "--yes", "--json", good)
	var made []submitted
	if err := json.Unmarshal([]byte(out), &made); err != nil || code != 0 || len(made) != 1 || made[0].Requests != 2 || made[0].InputCostUSD == nil {
		t.Fatalf("%d %s %q", code, out, errOut)
	}
	id := made[0].ID

	code, out, _ = runParley(t, "", "batch", "status")
	if code != 0 || !strings.Contains(out, id+": completed, 2 of 2 answered") || !strings.Contains(out, "parley batch fetch "+id) {
		t.Fatalf("status %d %q", code, out)
	}
	code, out, _ = runParley(t, "", "batch", "list")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "questions.jsonl") {
		t.Fatalf("list %d %q", code, out)
	}
	code, out, _ = runParley(t, "", "batch", "fetch", id, "--json")
	var fetched fetchedBatch
	if err := json.Unmarshal([]byte(out), &fetched); err != nil || code != 0 || len(fetched.Saved) != 2 || fetched.CostUSD == nil || *fetched.CostUSD <= 0 {
		t.Fatalf("fetch %d %s", code, out)
	}
	st, err := store.Open(store.DefaultPath(filepath.Join(home, ".local", "share", "parley")))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, cid := range fetched.Saved {
		c, _ := st.Conversation(cid)
		msgs, _ := st.Messages(cid)
		if c.Batch != id || len(msgs) != 2 || msgs[1].Content != "Re: "+msgs[0].Content {
			t.Fatalf("%+v %+v", c, msgs)
		}
	}
	code, out, _ = runParley(t, "", "batch", "fetch", id)
	if code != 0 || !strings.Contains(out, "was fetched before: 2 conversations") {
		t.Fatalf("again %d %q", code, out)
	}
	meter, _ := settings.OpenMeter(filepath.Join(home, ".local", "share", "parley"), nil)
	prefs, _ := settings.OpenStore(filepath.Join(home, ".config", "parley"))
	p := prefs.Prefs().CurrentProfile()
	if r := meter.Reading(p, "gpt-5.6-sol"); r.TodayBatchCost <= 0 || r.TodayBatchCost != r.TodayCost {
		t.Fatalf("meter %+v", r)
	}
}

// parley ask --background names its response at once; parley history fetches an answer left
// running, saves it, and says so.
func TestBackgroundOnTheCommandLine(t *testing.T) {
	s, home := cliEnv(t, chattest.Options{Models: reasoningModels})
	t.Setenv("OPENAI_API_KEY", cliKey)
	s.Reply("Thought through.")
	code, out, errOut := runParley(t, "", "ask", "--api", "responses", "-m", "gpt-5.6-sol", "--background", "--json", "Think.")
	var r askResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || r.ResponseID == "" || r.Content != "Thought through." ||
		!strings.Contains(errOut, "asked in the background as "+r.ResponseID) {
		t.Fatalf("%d %s %q", code, out, errOut)
	}
	if code, _, errOut := runParley(t, "", "ask", "--api", "chat", "--background", "hi"); code != exitUsage || !strings.Contains(errOut, "Responses API") {
		t.Fatalf("on chat: %d %q", code, errOut)
	}

	// An answer a Parley left running: in the history with its response, and on the server.
	s.Reply("Finished while nobody watched.")
	req, _ := http.NewRequest("POST", os.Getenv("OPENAI_BASE_URL")+"/responses", strings.NewReader(`{"model":"gpt-5.6-sol","input":"Later?","background":true,"store":true}`))
	req.Header.Set("Authorization", "Bearer "+cliKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	st, err := store.Open(store.DefaultPath(filepath.Join(home, ".local", "share", "parley")))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conv, _ := st.CreateConversation(store.Conversation{Title: "Later?", Model: "gpt-5.6-sol", Profile: "default"})
	st.Append(store.Message{ConversationID: conv.ID, Role: chat.User, Content: "Later?"})
	st.Append(store.Message{ConversationID: conv.ID, Role: chat.Assistant, Model: "gpt-5.6-sol", Finish: chat.FinishBackground, ResponseID: created.ID})

	code, _, errOut = runParley(t, "", "history", "list")
	if code != 0 || !strings.Contains(errOut, `fetched the background answer in "Later?"`) {
		t.Fatalf("%d %q", code, errOut)
	}
	msgs, _ := st.Messages(conv.ID)
	if msgs[1].Content != "Finished while nobody watched." || msgs[1].Finish != chat.FinishStop || msgs[1].Usage.Estimated {
		t.Fatalf("%+v", msgs[1])
	}
}
