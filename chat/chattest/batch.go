package chattest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"time"
)

// The Files API (for batch input and output) and the Batch API, as OpenAI runs them: a JSONL
// file of requests is uploaded (purpose "batch"), a batch is made from it and validated, then
// runs, by the server's clock; its results come in an output file whose lines are in no
// particular order (join them on custom_id), failed requests in an error file; a batch past its
// window expires with the results it has.

const (
	filesPath   = "/v1/files"
	batchesPath = "/v1/batches"
	// maxBatchLines and maxBatchBytes are the Batch API's limits on an input file.
	maxBatchLines = 50_000
	maxBatchBytes = 200 << 20
)

type storedFile struct {
	id, name, purpose string
	data              []byte
	created           time.Time
}

func (f *storedFile) object() map[string]any {
	return map[string]any{"id": f.id, "object": "file", "bytes": len(f.data), "created_at": f.created.Unix(), "filename": f.name, "purpose": f.purpose, "status": "processed"}
}

type batchLine struct {
	CustomID string          `json:"custom_id"`
	Method   string          `json:"method"`
	URL      string          `json:"url"`
	Body     json.RawMessage `json:"body"`
}

type batchJob struct {
	id, inputFile, endpoint, key string
	created                      time.Time
	status                       string // validating, in_progress, completed, failed, expired, cancelled (the final ones set; the rest by the clock)
	errors                       []map[string]any
	lines                        []batchLine
	output, errorFile            string
	completed, failed            int
	model                        string
	usage                        map[string]int
	metadata                     map[string]any
}

func (s *Server) serveFiles(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, filesPath), "/")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		if err := req.ParseMultipartForm(maxBatchBytes + 1<<20); err != nil {
			s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "The upload must be multipart/form-data with a file and a purpose.", Type: "invalid_request_error"})
			return
		}
		purpose := req.FormValue("purpose")
		file, header, err := req.FormFile("file")
		if err != nil || purpose == "" {
			s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "Missing required parameter: 'file' or 'purpose'.", Type: "invalid_request_error"})
			return
		}
		data, _ := io.ReadAll(file)
		if purpose == "batch" && len(data) > maxBatchBytes {
			s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "Batch input files may be at most 200 MB.", Type: "invalid_request_error", Code: "file_too_large"})
			return
		}
		f := &storedFile{id: "file-" + randomHex(24), name: header.Filename, purpose: purpose, data: data, created: s.now()}
		s.keepFile(f)
		writeJSON(w, f.object())
	case rest != "":
		id, action, _ := strings.Cut(rest, "/")
		s.mu.Lock()
		f := s.files[id]
		s.mu.Unlock()
		switch {
		case f == nil:
			s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("No such File object: %s", id), Type: "invalid_request_error", Param: "id"})
		case action == "content" && r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(f.data)
		case action == "" && r.Method == http.MethodGet:
			writeJSON(w, f.object())
		default:
			s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
		}
	default:
		s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	}
}

func (s *Server) keepFile(f *storedFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*storedFile{}
	}
	s.files[f.id] = f
}

func (s *Server) serveBatches(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, batchesPath), "/")
	id, action, _ := strings.Cut(rest, "/")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		s.createBatch(w, r, body)
	case rest == "" && r.Method == http.MethodGet:
		s.mu.Lock()
		jobs := make([]*batchJob, 0, len(s.batches))
		for _, j := range s.batches {
			jobs = append(jobs, j)
		}
		s.mu.Unlock()
		sort.Slice(jobs, func(i, k int) bool {
			return jobs[i].created.After(jobs[k].created) || jobs[i].created.Equal(jobs[k].created) && jobs[i].id > jobs[k].id
		})
		var data []any
		for _, j := range jobs {
			data = append(data, s.batchObject(j))
		}
		if data == nil {
			data = []any{}
		}
		writeJSON(w, map[string]any{"object": "list", "data": data, "has_more": false})
	default:
		s.mu.Lock()
		j := s.batches[id]
		s.mu.Unlock()
		switch {
		case j == nil:
			s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("No batch found with id '%s'.", id), Type: "invalid_request_error"})
		case action == "cancel" && r.Method == http.MethodPost:
			s.mu.Lock()
			if j.status == "" {
				j.status = "cancelled"
			}
			s.mu.Unlock()
			writeJSON(w, s.batchObject(j))
		case action == "" && r.Method == http.MethodGet:
			writeJSON(w, s.batchObject(j))
		default:
			s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
		}
	}
}

// createBatch makes a batch from an uploaded file and validates it at once: a file that breaks
// the rules fails the batch, with the line of each fault.
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		InputFileID      string         `json:"input_file_id"`
		Endpoint         string         `json:"endpoint"`
		CompletionWindow string         `json:"completion_window"`
		Metadata         map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.InputFileID == "" || req.Endpoint == "" {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "Missing required parameters: 'input_file_id' and 'endpoint'.", Type: "invalid_request_error"})
		return
	}
	if req.Endpoint != "/v1/responses" && req.Endpoint != "/v1/chat/completions" {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: fmt.Sprintf("Invalid value: '%s'. The batch endpoint must be one of /v1/responses, /v1/chat/completions, ...", req.Endpoint), Type: "invalid_request_error", Param: "endpoint"})
		return
	}
	if req.CompletionWindow != "24h" {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "Invalid value for 'completion_window': only '24h' is supported.", Type: "invalid_request_error", Param: "completion_window"})
		return
	}
	s.mu.Lock()
	f := s.files[req.InputFileID]
	s.mu.Unlock()
	if f == nil || f.purpose != "batch" {
		s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: fmt.Sprintf("No batch input file with id '%s'.", req.InputFileID), Type: "invalid_request_error", Param: "input_file_id"})
		return
	}
	j := &batchJob{id: "batch_" + randomHex(24), inputFile: f.id, endpoint: req.Endpoint, key: bearer(r), created: s.now(), metadata: req.Metadata}
	fail := func(line int, code, msg string) {
		j.errors = append(j.errors, map[string]any{"code": code, "message": msg, "param": nil, "line": line})
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(f.data))
	sc.Buffer(nil, maxBatchBytes)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var l batchLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			fail(n, "invalid_json_line", fmt.Sprintf("This line is not parseable as valid JSON: %v", err))
			continue
		}
		var b struct {
			Model string `json:"model"`
		}
		json.Unmarshal(l.Body, &b)
		switch {
		case l.CustomID == "":
			fail(n, "missing_required_parameter", "Missing 'custom_id'.")
		case seen[l.CustomID]:
			fail(n, "duplicate_custom_id", fmt.Sprintf("The custom_id '%s' is used more than once.", l.CustomID))
		case l.Method != "POST":
			fail(n, "invalid_method", "The method must be POST.")
		case l.URL != j.endpoint:
			fail(n, "mismatched_url", fmt.Sprintf("The url '%s' does not match the batch's endpoint '%s'.", l.URL, j.endpoint))
		case slices.Contains(s.opts.NoBatchModels, b.Model):
			fail(n, "model_not_found", fmt.Sprintf("The model '%s' is not supported by the Batch API.", b.Model))
		}
		seen[l.CustomID] = true
		if j.model == "" {
			j.model = b.Model
		}
		j.lines = append(j.lines, l)
	}
	switch {
	case n > maxBatchLines:
		fail(0, "too_many_requests", fmt.Sprintf("The input file has %d requests: a batch takes at most %d.", n, maxBatchLines))
	case len(j.lines) == 0 && len(j.errors) == 0:
		fail(0, "empty_file", "The input file holds no requests.")
	}
	if len(j.errors) > 0 {
		j.status = "failed"
	}
	s.mu.Lock()
	if s.batches == nil {
		s.batches = map[string]*batchJob{}
	}
	s.batches[j.id] = j
	s.mu.Unlock()
	writeJSON(w, s.batchObject(j))
}

// batchObject is the batch as the API shows it now, run to where the clock says.
func (s *Server) batchObject(j *batchJob) map[string]any {
	s.advance(j)
	s.mu.Lock()
	defer s.mu.Unlock()
	window := s.opts.BatchWindow
	if window == 0 {
		window = 24 * time.Hour
	}
	status := j.status
	if status == "" {
		status = "in_progress"
		if s.now().Before(j.created.Add(time.Second)) && s.opts.BatchTime > 0 {
			status = "validating"
		}
	}
	o := map[string]any{"id": j.id, "object": "batch", "endpoint": j.endpoint, "input_file_id": j.inputFile, "completion_window": "24h",
		"status": status, "created_at": j.created.Unix(), "expires_at": j.created.Add(window).Unix(), "metadata": j.metadata,
		"output_file_id": nilIfEmpty(j.output), "error_file_id": nilIfEmpty(j.errorFile), "model": j.model, "errors": nil,
		"request_counts": map[string]any{"total": len(j.lines), "completed": j.completed, "failed": j.failed}}
	if len(j.errors) > 0 {
		o["errors"] = map[string]any{"object": "list", "data": j.errors}
	}
	if j.usage != nil {
		o["usage"] = j.usage
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// advance runs a batch when the clock says it is done (or expired, with half its requests).
func (s *Server) advance(j *batchJob) {
	s.mu.Lock()
	window := s.opts.BatchWindow
	if window == 0 {
		window = 24 * time.Hour
	}
	now, took := s.now(), s.opts.BatchTime
	if j.status != "" || now.Before(j.created.Add(min(took, window))) {
		s.mu.Unlock()
		return
	}
	lines := j.lines
	final := "completed"
	if took > window {
		lines, final = lines[:len(lines)/2], "expired"
	}
	j.status = "finalizing" // taken: no other request runs it
	s.mu.Unlock()

	var out, errs [][]byte
	completed, failed := 0, 0
	usage := map[string]int{"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
	for _, l := range lines {
		body := l.Body
		if j.endpoint == "/v1/chat/completions" {
			body = withField(body, "stream", false)
		}
		req := httptest.NewRequest(http.MethodPost, l.URL, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+j.key)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		resp := rec.Result()
		data, _ := io.ReadAll(resp.Body)
		reqID := resp.Header.Get("x-request-id")
		if resp.StatusCode == http.StatusOK {
			completed++
			var u struct {
				Usage map[string]any `json:"usage"`
			}
			json.Unmarshal(data, &u)
			for _, k := range [][2]string{{"input_tokens", "prompt_tokens"}, {"output_tokens", "completion_tokens"}} {
				for _, name := range k {
					if v, ok := u.Usage[name].(float64); ok {
						usage[k[0]] += int(v)
					}
				}
			}
			line, _ := json.Marshal(map[string]any{"id": "batch_req_" + randomHex(24), "custom_id": l.CustomID,
				"response": map[string]any{"status_code": 200, "request_id": reqID, "body": json.RawMessage(data)}, "error": nil})
			out = append(out, line)
			continue
		}
		failed++
		var e struct {
			Error struct {
				Code    any    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(data, &e)
		line, _ := json.Marshal(map[string]any{"id": "batch_req_" + randomHex(24), "custom_id": l.CustomID, "response": nil,
			"error": map[string]any{"code": fmt.Sprint(e.Error.Code), "message": e.Error.Message}})
		errs = append(errs, line)
	}
	usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
	// In no particular order, as the real output file: a client that trusts the order is wrong.
	shuffle := func(lines [][]byte) {
		sort.Slice(lines, func(a, b int) bool {
			return fmt.Sprint(sha256.Sum256(lines[a])) < fmt.Sprint(sha256.Sum256(lines[b]))
		})
	}
	shuffle(out)
	shuffle(errs)
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := func(name string, lines [][]byte) string {
		if len(lines) == 0 {
			return ""
		}
		f := &storedFile{id: "file-" + randomHex(24), name: name, purpose: "batch_output", data: append(bytes.Join(lines, []byte("\n")), '\n'), created: now}
		if s.files == nil {
			s.files = map[string]*storedFile{}
		}
		s.files[f.id] = f
		return f.id
	}
	j.output, j.errorFile = keep(j.id+"_output.jsonl", out), keep(j.id+"_error.jsonl", errs)
	j.completed, j.failed, j.usage, j.status = completed, failed, usage, final
}

// withField sets one field of a JSON object.
func withField(body json.RawMessage, key string, v any) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	m[key] = v
	b, _ := json.Marshal(m)
	return b
}

// Batch returns a batch's status, for tests.
func (s *Server) Batch(id string) string {
	s.mu.Lock()
	j := s.batches[id]
	s.mu.Unlock()
	if j == nil {
		return ""
	}
	return s.batchObject(j)["status"].(string)
}
