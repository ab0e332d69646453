package chattest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Background mode (background: true): the response is made at once, queued, then in progress,
// then done, as the server's clock says; it can be fetched (GET /v1/responses/{id}), re-attached
// to when it was streamed (GET ...?stream=true&starting_after=N), and cancelled
// (POST .../cancel); it is kept for BackgroundTTL, then gone.

// bgResponse is a background response the server keeps.
type bgResponse struct {
	plan     respPlan
	created  time.Time
	events   []sseEvent // its whole event stream, for re-attaching
	streamed bool       // it was created with stream: true, and can be streamed again
	status   string     // set when the server ended it otherwise: cancelled, failed
	errCode  string
	errMsg   string
}

// Background options, on Options.
func (s *Server) bgTimes() (queue, run, ttl time.Duration) {
	ttl = s.opts.BackgroundTTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	return s.opts.BackgroundQueue, s.opts.BackgroundRun, ttl
}

// statusAt is a background response's status by the server's clock.
func (s *Server) statusAt(b *bgResponse, now time.Time) string {
	if b.status != "" {
		return b.status
	}
	queue, run, _ := s.bgTimes()
	switch {
	case now.Before(b.created.Add(queue)):
		return "queued"
	case now.Before(b.created.Add(queue + run)):
		return "in_progress"
	}
	return b.plan.status // completed, or incomplete
}

// object is the response object as a fetch sees it now.
func (s *Server) bgObject(b *bgResponse, now time.Time) map[string]any {
	status := s.statusAt(b, now)
	done := status == "completed" || status == "incomplete"
	o := b.plan.object(status, done)
	o["background"] = true
	if status == "failed" {
		o["error"] = map[string]any{"code": b.errCode, "message": b.errMsg}
	}
	return o
}

// startBackground answers a background create: the object, queued, at once; or, streamed, the
// events as they come (a client cut off re-attaches with starting_after).
func (s *Server) startBackground(w http.ResponseWriter, r *http.Request, req ResponsesRequest, p respPlan, fault Fault) {
	b := &bgResponse{plan: p, created: s.now(), events: p.events(true), streamed: req.Stream}
	s.mu.Lock()
	if s.background == nil {
		s.background = map[string]*bgResponse{}
	}
	s.background[p.id] = b
	s.mu.Unlock()
	if req.Stream {
		s.streamResponse(w, r, p, fault, b.events)
		return
	}
	o := b.plan.object("queued", false)
	o["background"] = true
	writeJSON(w, o)
}

// serveResponseByID answers GET /v1/responses/{id} (streamed with starting_after, or not) and
// POST /v1/responses/{id}/cancel.
func (s *Server) serveResponseByID(w http.ResponseWriter, r *http.Request, rest string, fault Fault) {
	id, action, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	b := s.background[id]
	now := s.now()
	_, _, ttl := s.bgTimes()
	if b != nil && now.After(b.created.Add(ttl)) {
		delete(s.background, id)
		b = nil
	}
	s.mu.Unlock()
	if b == nil {
		s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Response with id '%s' not found.", id), Type: "invalid_request_error", Param: "response_id"})
		return
	}
	switch {
	case action == "cancel" && r.Method == http.MethodPost:
		s.mu.Lock()
		if st := s.statusAt(b, now); st == "queued" || st == "in_progress" {
			b.status = "cancelled"
		}
		o := s.bgObject(b, now)
		s.mu.Unlock()
		writeJSON(w, o)
	case action == "" && r.Method == http.MethodGet && r.URL.Query().Get("stream") == "true":
		s.mu.Lock()
		status := s.statusAt(b, now)
		s.mu.Unlock()
		if !b.streamed || status == "cancelled" || status == "failed" {
			why := "it was not created with stream=true"
			if b.streamed {
				why = "it is " + status
			}
			s.writeError(w, http.StatusBadRequest, apiErrorSpec{Message: "This response cannot be streamed: " + why + ".", Type: "invalid_request_error", Param: "stream"})
			return
		}
		after, err := strconv.Atoi(r.URL.Query().Get("starting_after"))
		if err != nil {
			after = -1
		}
		var rest []sseEvent
		for _, e := range b.events {
			if e.seq > after {
				rest = append(rest, e)
			}
		}
		s.streamResponse(w, r, b.plan, fault, rest)
	case action == "" && r.Method == http.MethodGet:
		s.mu.Lock()
		o := s.bgObject(b, now)
		s.mu.Unlock()
		writeJSON(w, o)
	default:
		s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	}
}

// EndBackground ends a background response on the server's side, as a failure (code and
// message) or a cancellation (code "cancelled").
func (s *Server) EndBackground(id, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.background[id]; b != nil {
		if code == "cancelled" {
			b.status = "cancelled"
			return
		}
		b.status, b.errCode, b.errMsg = "failed", code, message
	}
}

// BackgroundIDs lists the background responses the server keeps.
func (s *Server) BackgroundIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.background {
		ids = append(ids, id)
	}
	return ids
}

// BackgroundStatus is a background response's status now ("" when the server has none).
func (s *Server) BackgroundStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.background[id]; b != nil {
		return s.statusAt(b, s.now())
	}
	return ""
}
