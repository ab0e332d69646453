package chat

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/chat/chattest"
)

// Answers that were never answers: each is a plain failure, not an empty finished answer, and
// none costs more than its one time limit.
func TestResponsesThatAreNotAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault chattest.Fault
		kind  Kind
		says  string
		idle  time.Duration // how long the client waits for the answer to move on: 300ms unless said
	}{
		{"a captive portal's page", chattest.Fault{Kind: chattest.HTML}, BadResponse, "answered with a web page", 0},
		{"a whole JSON reply to a streamed request", chattest.Fault{Kind: chattest.PlainJSON}, BadResponse, "a whole JSON reply", 0},
		{"only empty chunks", chattest.Fault{Kind: chattest.Empty, After: 0, Wait: 20 * time.Millisecond}, NetworkTrouble, "sent no answer for 300ms", 0},
		// The size limit, not the idle limit, is under test: reading 16 MB under -race on a busy
		// machine can take longer than 300ms without an event, which would end it as silence.
		{"a line without end", chattest.Fault{Kind: chattest.HugeLine, After: 0, Size: 20 << 20}, BadResponse, "more than 16 MB", time.Minute},
		{"a server that never answers", chattest.Fault{Kind: chattest.Silent}, NetworkTrouble, "sent nothing back for 300ms", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idle := cmp.Or(tc.idle, 300*time.Millisecond)
			r := newRig(t, chattest.Options{}, func(c *Config) { c.IdleTimeout, c.FirstByteTimeout = idle, 300*time.Millisecond })
			r.server.Fault(tc.fault)
			begin := time.Now()
			_, a := collect(t, r.client, context.Background(), ask("hi"))
			if a.Finish != FinishFailed || a.Err == nil || a.Err.Kind != tc.kind || !strings.Contains(a.Err.Message, tc.says) {
				t.Fatalf("finish %q err %+v", a.Finish, a.Err)
			}
			if n := len(r.server.Requests()); n != 1 {
				t.Fatalf("sent %d times: waiting again would only double the wait", n)
			}
			if tc.idle == 0 && time.Since(begin) > 5*time.Second {
				t.Fatalf("took %v", time.Since(begin))
			}
		})
	}
	t.Run("a stream labelled loosely is still read", func(t *testing.T) {
		r := newRig(t, chattest.Options{StreamType: "text/plain; charset=utf-8"}, nil)
		r.server.Reply("fine")
		if _, a := collect(t, r.client, context.Background(), ask("hi")); a.Err != nil || a.Content != "fine" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("empty chunks mid-answer end it as interrupted", func(t *testing.T) {
		r := newRig(t, chattest.Options{}, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })
		r.server.Reply(strings.Repeat("word ", 20))
		r.server.Fault(chattest.Fault{Kind: chattest.Empty, After: 4, Wait: 20 * time.Millisecond})
		_, a := collect(t, r.client, context.Background(), ask("hi"))
		if a.Finish != FinishInterrupted || a.Content == "" || !strings.Contains(a.Err.Message, "stopped sending in the middle") {
			t.Fatalf("%q %+v", a.Finish, a.Err)
		}
	})
}

// The key never follows a redirect to clear text, nor to another origin.
func TestTheKeyDoesNotFollowRedirects(t *testing.T) {
	// Another origin (the same host, another port) that records what it is sent.
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(other.Close)
	r := newRig(t, chattest.Options{}, nil)
	r.server.Fault(chattest.Fault{Kind: chattest.Redirect, Location: other.URL + "/v1/chat/completions"})
	_, a := collect(t, r.client, context.Background(), ask("hi"))
	if got == nil {
		t.Fatal("the redirect was not followed at all")
	}
	if v := got.Get("Authorization"); v != "" {
		t.Fatalf("the key went to another origin: %q", v)
	}
	if a.Err == nil {
		t.Fatal("no error")
	}

	// https to http: refused outright.
	secure := httptest.NewTLSServer(chattest.New(chattest.Options{Key: testKey}))
	t.Cleanup(secure.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the clear-text server, with Authorization %q", r.Header.Get("Authorization"))
	}))
	t.Cleanup(plain.Close)
	c := New(Config{BaseURL: secure.URL + "/v1", APIKey: testKey, Transport: secure.Client().Transport, Sleep: func(context.Context, time.Duration) error { return nil }}, nil)
	redirecting := secure.Config.Handler.(*chattest.Server)
	redirecting.Fault(chattest.Fault{Kind: chattest.Redirect, Location: plain.URL + "/v1/chat/completions", Times: 3})
	_, a = collect(t, c, context.Background(), ask("hi"))
	if a.Err == nil || !strings.Contains(a.Err.Message, "clear text") || strings.Contains(a.Err.Error(), testKey) {
		t.Fatalf("%+v", a.Err)
	}
}

// A key the keychain would not give is not a key the server refused.
func TestAKeyThatCouldNotBeReadIsNotCalledRefused(t *testing.T) {
	r := newRig(t, chattest.Options{}, func(c *Config) { c.APIKey, c.NoKey = "", "The keychain is locked." })
	_, a := collect(t, r.client, context.Background(), ask("hi"))
	if a.Err == nil || strings.Contains(a.Err.Message, "refused") || !strings.Contains(a.Err.Message, "could not read yours: The keychain is locked.") {
		t.Fatalf("%+v", a.Err)
	}
}

// The probe of a hostile server: every fault the test server can play, both framings, before
// and after text. Each ends in time, as a finished answer only when it really finished, or as a
// failure in plain words that holds no key.
func TestEveryFaultEndsInPlainWords(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("the key followed a redirect to another origin")
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(other.Close)
	faults := []chattest.Fault{
		{Kind: chattest.RateLimit, Times: 5}, {Kind: chattest.Quota}, {Kind: chattest.Status, Status: 500, Times: 5},
		{Kind: chattest.Status, Status: 503, Times: 5}, {Kind: chattest.Status, Status: 400}, {Kind: chattest.Status, Status: 403},
		{Kind: chattest.Status, Status: 404}, {Kind: chattest.Status, Status: 408, Times: 5}, {Kind: chattest.Status, Status: 409, Times: 5},
		{Kind: chattest.Status, Status: 422}, {Kind: chattest.Status, Status: 502, Times: 5}, {Kind: chattest.Delay, Wait: 50 * time.Millisecond},
		{Kind: chattest.Silent}, {Kind: chattest.HTML}, {Kind: chattest.PlainJSON}, {Kind: chattest.Redirect, Location: other.URL + "/v1/chat/completions"},
	}
	for _, after := range []int{0, 5} {
		for _, k := range []chattest.FaultKind{chattest.Cut, chattest.Truncate, chattest.Stall, chattest.ErrorEvent, chattest.Malformed,
			chattest.Split, chattest.Empty, chattest.HugeLine} {
			for _, framing := range []chattest.Framing{chattest.Chunked, chattest.CloseDelimited} {
				faults = append(faults, chattest.Fault{Kind: k, After: after, Framing: framing, Times: 5, Size: 17 << 20, Wait: 20 * time.Millisecond})
			}
		}
	}
	survived := 0
	for _, f := range faults {
		name := fmt.Sprintf("%s/%d/after %d/%s", f.Kind, f.Status, f.After, f.Framing)
		t.Run(name, func(t *testing.T) {
			r := newRig(t, chattest.Options{}, func(c *Config) { c.IdleTimeout, c.FirstByteTimeout = 300*time.Millisecond, 300*time.Millisecond })
			long := strings.Repeat("piece ", 30)
			r.server.Reply(long, long, long)
			r.server.Fault(f)
			begin := time.Now()
			_, a := collect(t, r.client, context.Background(), ask("hi"))
			if d := time.Since(begin); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			switch {
			case a.Err == nil:
				if a.Finish != FinishStop || a.Content != long {
					t.Fatalf("no error, but finish %q and %d bytes of %d", a.Finish, len(a.Content), len(long))
				}
			default:
				if a.Finish == FinishStop || a.Err.Message == "" || a.Err.Action == "" {
					t.Fatalf("finish %q, error %+v", a.Finish, a.Err)
				}
				if a.Content != "" && a.Finish != FinishInterrupted {
					t.Fatalf("text came but the answer is %q", a.Finish)
				}
				for _, s := range []string{a.Err.Error(), a.Err.UserMessage()} {
					if strings.Contains(s, testKey) || strings.Contains(s, testKey[8:20]) {
						t.Fatalf("the key is in %q", s)
					}
				}
			}
			survived++
		})
	}
	t.Logf("fault kinds survived: %d of %d", survived, len(faults))
}
