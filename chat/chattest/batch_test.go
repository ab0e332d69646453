package chattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// upload sends a batch input file as the Files API takes it, and returns its id.
func upload(t *testing.T, url string, data []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("purpose", "batch")
	fw, _ := mw.CreateFormFile("file", "prompts.jsonl")
	fw.Write(data)
	mw.Close()
	resp, err := http.Post(url+"/v1/files", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if json.Unmarshal(raw, &f) != nil || resp.StatusCode != 200 || f["purpose"] != "batch" {
		t.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	return f["id"].(string)
}

func batchLines(n int, model string) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"custom_id":"q-%03d","method":"POST","url":"/v1/responses","body":{"model":%q,"input":"Question %d"}}`+"\n", i, model, i)
	}
	return b.Bytes()
}

func createBatch(t *testing.T, url, file string) map[string]any {
	t.Helper()
	_, data := postJSON(t, url+"/v1/batches", `{"input_file_id":"`+file+`","endpoint":"/v1/responses","completion_window":"24h","metadata":{"parley":"test"}}`)
	var b map[string]any
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("%s", data)
	}
	return b
}

func fileLines(t *testing.T, url, id string) []map[string]any {
	t.Helper()
	resp, err := http.Get(url + "/v1/files/" + id + "/content")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// A batch runs on the server's clock; its output lines come in no particular order, each with
// its custom_id, and a request that fails lands in the error file with its error.
func TestBatchRunsAndShufflesItsOutput(t *testing.T) {
	clock := newClock()
	s, url := responsesServer(t, Options{Now: clock.Now, BatchTime: time.Hour})
	in := append(batchLines(30, "gpt-5.6-sol"), []byte(`{"custom_id":"bad","method":"POST","url":"/v1/responses","body":{"model":"gpt-0-none","input":"x"}}`+"\n")...)
	b := createBatch(t, url, upload(t, url, in))
	id := b["id"].(string)
	if b["status"] != "validating" || b["output_file_id"] != nil {
		t.Fatalf("created %v", b)
	}
	clock.Add(time.Minute)
	if s.Batch(id) != "in_progress" {
		t.Fatalf("after a minute: %s", s.Batch(id))
	}
	clock.Add(time.Hour)
	_, got := getJSON(t, url+"/v1/batches/"+id)
	counts := got["request_counts"].(map[string]any)
	if got["status"] != "completed" || counts["total"].(float64) != 31 || counts["completed"].(float64) != 30 || counts["failed"].(float64) != 1 {
		t.Fatalf("completed %v", got)
	}
	out := fileLines(t, url, got["output_file_id"].(string))
	inOrder := true
	seen := map[string]bool{}
	for i, l := range out {
		cid := l["custom_id"].(string)
		seen[cid] = true
		if cid != fmt.Sprintf("q-%03d", i) {
			inOrder = false
		}
		body := l["response"].(map[string]any)["body"].(map[string]any)
		if body["status"] != "completed" || body["object"] != "response" {
			t.Fatalf("line %d: %v", i, l)
		}
	}
	if len(seen) != 30 || inOrder {
		t.Fatalf("output: %d distinct, in input order %v", len(seen), inOrder)
	}
	errs := fileLines(t, url, got["error_file_id"].(string))
	if len(errs) != 1 || errs[0]["custom_id"] != "bad" || !strings.Contains(mustJSONs(errs[0]["error"]), "does not exist") {
		t.Fatalf("errors %v", errs)
	}
	if u := got["usage"].(map[string]any); u["input_tokens"].(float64) == 0 || u["output_tokens"].(float64) == 0 {
		t.Fatalf("usage %v", u)
	}
	_, list := getJSON(t, url+"/v1/batches")
	if data := list["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != id {
		t.Fatalf("list %v", list)
	}
}

// A file that breaks the rules fails the batch at once, with the line of each fault; nothing
// runs.
func TestBatchValidation(t *testing.T) {
	_, url := responsesServer(t, Options{NoBatchModels: []string{"gpt-6.1-terra"}})
	for _, c := range []struct {
		name string
		in   []byte
		code string
		line float64
	}{
		{"broken line", append(batchLines(2, "gpt-5.6-sol"), []byte("{\"custom_id\": \"x\", \n")...), "invalid_json_line", 3},
		{"empty", []byte("\n\n"), "empty_file", 0},
		{"too many", batchLines(50_001, "gpt-5.6-sol"), "too_many_requests", 0},
		{"no batch model", batchLines(1, "gpt-6.1-terra"), "model_not_found", 1},
		{"duplicate", append(batchLines(1, "gpt-5.6-sol"), batchLines(1, "gpt-5.6-sol")...), "duplicate_custom_id", 2},
	} {
		b := createBatch(t, url, upload(t, url, c.in))
		errs, _ := b["errors"].(map[string]any)
		if b["status"] != "failed" || errs == nil {
			t.Fatalf("%s: %v", c.name, b)
		}
		first := errs["data"].([]any)[0].(map[string]any)
		if first["code"] != c.code || first["line"].(float64) != c.line {
			t.Fatalf("%s: %v", c.name, first)
		}
	}
}

// A batch past its window expires with the results it has.
func TestBatchExpiresWithHalf(t *testing.T) {
	clock := newClock()
	_, url := responsesServer(t, Options{Now: clock.Now, BatchTime: 30 * time.Hour})
	b := createBatch(t, url, upload(t, url, batchLines(10, "gpt-5.6-sol")))
	clock.Add(25 * time.Hour)
	_, got := getJSON(t, url+"/v1/batches/"+b["id"].(string))
	if got["status"] != "expired" || got["request_counts"].(map[string]any)["completed"].(float64) != 5 {
		t.Fatalf("expired %v", got)
	}
	if out := fileLines(t, url, got["output_file_id"].(string)); len(out) != 5 {
		t.Fatalf("kept %d", len(out))
	}
}

// Cancelling a batch before it ran keeps it from running.
func TestBatchCancel(t *testing.T) {
	clock := newClock()
	_, url := responsesServer(t, Options{Now: clock.Now, BatchTime: time.Hour})
	b := createBatch(t, url, upload(t, url, batchLines(3, "gpt-5.6-sol")))
	_, data := postJSON(t, url+"/v1/batches/"+b["id"].(string)+"/cancel", "")
	clock.Add(2 * time.Hour)
	_, got := getJSON(t, url+"/v1/batches/"+b["id"].(string))
	if !strings.Contains(string(data), `"cancelled"`) || got["status"] != "cancelled" || got["output_file_id"] != nil {
		t.Fatalf("cancel %s / %v", data, got)
	}
}
