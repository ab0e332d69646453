package chattest

import (
	"encoding/json"
	"net/http"
)

// serveControl lets a test script a server that runs as a process:
//
//	POST /_chattest/faults    a JSON array of Fault
//	POST /_chattest/replies   a JSON array of answer texts
//	GET  /_chattest/requests  the requests received so far (bodies as JSON strings)
//	POST /_chattest/reset     forget faults, replies, requests and spent limits
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.URL.Path {
	case "POST " + controlPrefix + "faults":
		var faults []Fault
		if err := json.NewDecoder(r.Body).Decode(&faults); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.Fault(faults...)
	case "POST " + controlPrefix + "replies":
		var replies []string
		if err := json.NewDecoder(r.Body).Decode(&replies); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.Reply(replies...)
	case "GET " + controlPrefix + "requests":
		type wire struct {
			Method, Path string
			Header       http.Header
			Body         string
		}
		out := []wire{}
		for _, q := range s.Requests() {
			out = append(out, wire{q.Method, q.Path, q.Header, string(q.Body)})
		}
		writeJSON(w, out)
		return
	case "POST " + controlPrefix + "reset":
		s.Reset()
	default:
		http.NotFound(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
