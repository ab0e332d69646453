package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// transport wraps the HTTP transport to see every response's headers, success or failure,
// streamed or not (go-openai returns no response object for a failed stream), and to say on the
// wire what go-openai cannot.
type transport struct {
	base    http.RoundTripper
	project string
	limits  *RateLimits
	now     func() time.Time
}

// exchange is what the transport learned about one request, handed back through the context.
type exchange struct {
	mu        sync.Mutex
	model     string
	zeroTemp  bool       // send "temperature": 0, which go-openai would leave out
	files     []filePart // file parts go-openai cannot write, in place of their markers
	watchDone bool       // watch the streamed body for "data: [DONE]"
	done      bool       // it came
	status    int
	header    http.Header
	rateLimit *RateLimit
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// exchangeOf is the exchange a request's context carries, nil if none.
func exchangeOf(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	x := exchangeOf(req.Context())
	rewrite := x != nil && (x.zeroTemp || len(x.files) > 0) && req.Body != nil
	if t.project != "" || rewrite {
		req = req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	}
	if t.project != "" {
		req.Header.Set("OpenAI-Project", t.project)
	}
	if rewrite {
		if err := rewriteBody(req, x.zeroTemp, x.files); err != nil {
			return nil, err
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || x == nil {
		return resp, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.status, x.header = resp.StatusCode, resp.Header.Clone()
	if rl, ok := ParseRateLimit(resp.Header, t.now()); ok {
		rl.Endpoint, rl.Model = endpointOf(req), x.model
		x.rateLimit = &rl
		t.limits.record(rl)
	}
	if x.watchDone && resp.StatusCode == http.StatusOK {
		// A streamed request's 200 must be an event stream: a captive portal's page or a
		// whole JSON reply read as one would be taken for an empty answer. Compatible servers
		// label their streams loosely (text/plain, nothing): only what is surely something else
		// is refused.
		if ct := resp.Header.Get("Content-Type"); notEvents(ct) {
			resp.Body.Close()
			return nil, notAStream{ct}
		}
		resp.Body = &doneWatcher{ReadCloser: resp.Body, x: x}
	}
	return resp, nil
}

// notEvents tells a content type that cannot be Server-Sent Events: a web page, JSON, XML.
func notEvents(contentType string) bool {
	t := strings.ToLower(contentType)
	return !strings.Contains(t, "event-stream") && (strings.Contains(t, "html") || strings.Contains(t, "json") || strings.Contains(t, "xml"))
}

// sawDone tells whether the streamed body carried "data: [DONE]".
func (x *exchange) sawDone() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.done
}

// maxLine is the longest line of an event stream Parley reads: far beyond any real event, and
// short of what would exhaust memory (go-openai reads a line whole).
const maxLine = 16 << 20

// doneWatcher reads a Server-Sent Events body through, noting a "data: [DONE]" line (go-openai
// reports that line and a body that simply stops alike, as io.EOF) and refusing a line longer
// than maxLine.
type doneWatcher struct {
	io.ReadCloser
	x       *exchange
	line    []byte // the start of the line being read, enough to tell [DONE]
	long    bool   // the line is longer than that
	lineLen int    // the line's whole length so far
}

func (d *doneWatcher) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i]
		}
		if d.lineLen += len(part); d.lineLen > maxLine {
			return 0, errLineTooLong
		}
		if room := 64 - len(d.line); len(part) > room {
			d.line, d.long = append(d.line, part[:max(room, 0)]...), true
		} else {
			d.line = append(d.line, part...)
		}
		if i < 0 {
			break
		}
		d.endLine()
		b = b[i+1:]
	}
	if err == io.EOF {
		d.endLine() // a last line without its newline
	}
	return n, err
}

// endLine notes a line that is "data: [DONE]" (the space is optional in SSE).
func (d *doneWatcher) endLine() {
	if !d.long {
		if rest, ok := bytes.CutPrefix(bytes.TrimSpace(d.line), []byte("data:")); ok && string(bytes.TrimSpace(rest)) == "[DONE]" {
			d.x.mu.Lock()
			d.x.done = true
			d.x.mu.Unlock()
		}
	}
	d.line, d.long, d.lineLen = d.line[:0], false, 0
}

// checkRedirect follows a redirect only where the credentials stay safe: never from https to
// clear text, and to another origin (scheme, host or port) without the key and account headers.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return errDowngrade{from: first.Host, to: req.URL.Host}
	}
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		for _, h := range []string{"Authorization", "OpenAI-Organization", "OpenAI-Project"} {
			req.Header.Del(h)
		}
	}
	return nil
}

// errDowngrade is a redirect from https to http, refused.
type errDowngrade struct{ from, to string }

func (e errDowngrade) Error() string {
	return "refused a redirect from https://" + e.from + " to http://" + e.to
}

// endpointOf names the API endpoint of a request: its path after /v1.
func endpointOf(req *http.Request) string {
	p := req.URL.Path
	if i := strings.Index(p, "/v1/"); i >= 0 {
		return p[i+3:]
	}
	return p
}

// rewriteBody rewrites the JSON body of a cloned request with what go-openai cannot write:
// "temperature": 0, and file parts in place of their markers.
func rewriteBody(req *http.Request, zeroTemp bool, files []filePart) error {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return err
	}
	if zeroTemp {
		fields["temperature"] = json.RawMessage("0")
	}
	if len(files) > 0 {
		if fields["messages"], err = withFileParts(fields["messages"], files); err != nil {
			return err
		}
	}
	if body, err = json.Marshal(fields); err != nil {
		return err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return nil
}

// captured returns the status, headers and rate-limit snapshot of the exchange so far.
func (x *exchange) captured() (int, http.Header, *RateLimit) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.header, x.rateLimit
}

// withFileParts replaces each marker part ({"type":"file","text":marker}) of a messages array
// with the file part it stands for.
func withFileParts(raw json.RawMessage, files []filePart) (json.RawMessage, error) {
	var msgs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, err
	}
	byMarker := map[string]filePart{}
	for _, f := range files {
		byMarker[f.marker] = f
	}
	for _, m := range msgs {
		var parts []map[string]any
		if json.Unmarshal(m["content"], &parts) != nil {
			continue // plain text content
		}
		for i, p := range parts {
			if marker, _ := p["text"].(string); p["type"] == "file" {
				if f, ok := byMarker[marker]; ok {
					parts[i] = map[string]any{"type": "file", "file": map[string]any{"filename": f.name, "file_data": f.data}}
				}
			}
		}
		b, err := json.Marshal(parts)
		if err != nil {
			return nil, err
		}
		m["content"] = b
	}
	return json.Marshal(msgs)
}
