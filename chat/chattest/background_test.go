package chattest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, data)
	}
	return resp.StatusCode, m
}

// A background response is answered at once as queued, then moves through in progress to
// completed as the clock runs, can be fetched whole, and is gone after its time.
func TestBackgroundResponseLifecycle(t *testing.T) {
	clock := newClock()
	s, url := responsesServer(t, Options{Now: clock.Now, BackgroundQueue: 5 * time.Second, BackgroundRun: time.Minute, BackgroundTTL: time.Hour})
	s.Reply("Thought about it for a long time.")
	resp, data := postJSON(t, url+"/v1/responses", `{"model":"gpt-5.6-sol","input":"Think hard.","background":true,"store":true}`)
	var created map[string]any
	json.Unmarshal(data, &created)
	if resp.StatusCode != 200 || created["status"] != "queued" || created["background"] != true {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	id := created["id"].(string)
	for _, step := range []struct {
		after  time.Duration
		status string
	}{{0, "queued"}, {10 * time.Second, "in_progress"}, {time.Minute, "completed"}} {
		clock.Add(step.after)
		code, got := getJSON(t, url+"/v1/responses/"+id)
		if code != 200 || got["status"] != step.status {
			t.Fatalf("after %v: %d %v", step.after, code, got["status"])
		}
		if step.status == "completed" && !strings.Contains(string(mustJSON(got["output"])), "Thought about it") {
			t.Fatalf("completed without its text: %v", got["output"])
		}
	}
	clock.Add(2 * time.Hour)
	if code, got := getJSON(t, url+"/v1/responses/"+id); code != 404 || !strings.Contains(mustJSONs(got), "not found") {
		t.Fatalf("expired: %d %v", code, got)
	}
}

func mustJSON(v any) []byte  { b, _ := json.Marshal(v); return b }
func mustJSONs(v any) string { return string(mustJSON(v)) }

// Cancel stops a running response; a finished one stays as it was. A failure ended on the
// server's side shows its error.
func TestBackgroundCancelAndFailure(t *testing.T) {
	clock := newClock()
	s, url := responsesServer(t, Options{Now: clock.Now, BackgroundRun: time.Minute})
	s.Reply("one")
	s.Reply("two")
	_, a := postJSON(t, url+"/v1/responses", `{"model":"gpt-5.6-sol","input":"a","background":true}`)
	_, b := postJSON(t, url+"/v1/responses", `{"model":"gpt-5.6-sol","input":"b","background":true}`)
	var ra, rb map[string]any
	json.Unmarshal(a, &ra)
	json.Unmarshal(b, &rb)
	_, cancelled := postJSON(t, url+"/v1/responses/"+ra["id"].(string)+"/cancel", "")
	if !strings.Contains(string(cancelled), `"status":"cancelled"`) {
		t.Fatalf("cancel: %s", cancelled)
	}
	s.EndBackground(rb["id"].(string), "server_error", "The model crashed.")
	clock.Add(2 * time.Minute)
	if _, got := getJSON(t, url+"/v1/responses/"+ra["id"].(string)); got["status"] != "cancelled" {
		t.Fatalf("cancelled one became %v", got["status"])
	}
	_, got := getJSON(t, url+"/v1/responses/"+rb["id"].(string))
	if got["status"] != "failed" || !strings.Contains(mustJSONs(got["error"]), "The model crashed.") {
		t.Fatalf("failed one: %v", got)
	}
	if len(s.BackgroundIDs()) != 2 {
		t.Fatalf("kept %v", s.BackgroundIDs())
	}
}

// A background stream cut short is picked up where it stopped: the events after
// starting_after, numbered on, nothing repeated, nothing missing.
func TestBackgroundStreamResumes(t *testing.T) {
	s, url := responsesServer(t, Options{})
	s.Reply("Every word of this answer arrives exactly once.")
	s.Fault(Fault{Kind: Cut, After: 3, Path: responsesPath})
	resp, err := http.Post(url+"/v1/responses", "application/json", strings.NewReader(`{"model":"gpt-5.6-sol","input":"go","background":true,"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	evs := sseEvents(t, first)
	if len(evs) < 3 || evs[0].name != "response.created" || evs[1].name != "response.queued" {
		t.Fatalf("began with %v", evs)
	}
	last := evs[len(evs)-1]
	if strings.HasPrefix(last.name, "response.completed") {
		t.Fatal("the drop did not cut the stream")
	}
	id := evs[0].data["response"].(map[string]any)["id"].(string)
	seq := int(last.data["sequence_number"].(float64))
	resp2, err := http.Get(url + "/v1/responses/" + id + "?stream=true&starting_after=" + itoa(seq))
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	more := sseEvents(t, rest)
	if len(more) == 0 || int(more[0].data["sequence_number"].(float64)) != seq+1 || more[len(more)-1].name != "response.completed" {
		t.Fatalf("resumed with %v", more)
	}
	var text strings.Builder
	for _, e := range append(evs, more...) {
		if e.name == "response.output_text.delta" {
			text.WriteString(e.data["delta"].(string))
		}
	}
	if text.String() != "Every word of this answer arrives exactly once." {
		t.Fatalf("text %q", text.String())
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
