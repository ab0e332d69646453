package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// plainRequest is one request to an endpoint go-openai does not cover, or covers without the
// fields Parley needs (the Admin API, the Batch API): plain HTTP, in the engine's ways.
type plainRequest struct {
	method, url, contentType string
	body                     []byte
}

// doPlain sends a plain request with cfg's key, retried as the official SDKs retry (the wait
// the server names first, else backoff), and decodes a JSON answer into out (a *[]byte takes
// the body as it is). classify puts a transport failure in plain words, refused an error
// status; unreadable says that a 2xx answer was not what was asked for.
func doPlain(ctx context.Context, cfg Config, hc *http.Client, r plainRequest, out any,
	classify func(error) *Error, refused func(status int, body []byte) *Error, unreadable string) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, r.method, r.url, bytes.NewReader(r.body))
		if err != nil {
			return err
		}
		if cfg.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
		}
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		if cfg.OrgID != "" {
			req.Header.Set("OpenAI-Organization", cfg.OrgID)
		}
		resp, err := hc.Do(req)
		var e *Error
		var header http.Header
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e = classify(err)
		} else {
			header = resp.Header
			data, rerr := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
			resp.Body.Close()
			switch {
			case rerr != nil:
				e = classify(rerr)
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				if raw, ok := out.(*[]byte); ok {
					*raw = data
					return nil
				}
				if out == nil {
					return nil
				}
				if err := json.Unmarshal(data, out); err != nil {
					return &Error{Kind: BadResponse, Message: unreadable, Action: "Try again later.", Detail: Redact(err.Error(), cfg.APIKey)}
				}
				return nil
			default:
				e = refused(resp.StatusCode, data)
			}
		}
		if attempt >= cfg.MaxRetries || !shouldRetry(e, orEmpty(header)) {
			return e
		}
		wait, named := serverWait(orEmpty(header), cfg.Now())
		if named && wait > maxServerWait {
			return e
		}
		if !named {
			wait = backoff(attempt+1, cfg.Jitter())
		}
		if err := cfg.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func orEmpty(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h
}
