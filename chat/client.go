package chat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"parley/chat/tokens"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config says where to send requests and how. Only BaseURL and APIKey matter to most callers.
type Config struct {
	BaseURL string // default DefaultBaseURL
	APIKey  string // may be empty for local servers that take none
	// NoKey says why APIKey is empty when a key should have been there (the keychain could not
	// be read): a refusal then says that, not that no key is set.
	NoKey   string
	OrgID   string // sent as OpenAI-Organization
	Project string // sent as OpenAI-Project
	// Models describes a model; nil knows nothing but what the model's name says.
	Models func(id string) ModelInfo
	// Transport carries the HTTP requests (nil: Go's default, which honours HTTPS_PROXY).
	Transport http.RoundTripper
	// MaxRetries is how often a failed request is sent again (0: 2, as the official SDKs;
	// negative: never).
	MaxRetries int
	// IdleTimeout ends a stream that brings no answer for this long: no text, no usage, no end
	// (0: 90 s, 5 min for reasoning models, which think in silence). Chunks with nothing in them
	// do not count.
	IdleTimeout time.Duration
	// FirstByteTimeout ends a request whose response has not begun after this long (0: 60 s).
	FirstByteTimeout time.Duration
	// Now, Sleep and Jitter are the clock and randomness, replaceable in tests.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func() float64 // in [0, 1)
	// Counter counts tokens (nil: tokens.Default()).
	Counter *tokens.Counter
	// API is the protocol: APIResponses, APIChat, or APIAuto (""): the Responses API on
	// OpenAI, Chat Completions on compatible servers.
	API string
	// NoResponses says the server answered 404 on /v1/responses before: APIAuto uses Chat
	// Completions there. OnNoResponses hears it when it happens, to remember it.
	NoResponses   bool
	OnNoResponses func()
	// Store keeps responses on OpenAI (store: true); by default nothing is kept there and
	// reasoning is carried from turn to turn in encrypted items.
	Store bool
}

// Client talks to one OpenAI-compatible endpoint with one key. It is safe for concurrent use.
type Client struct {
	cfg    Config
	api    *openai.Client
	http   *http.Client // go-openai's, for the calls it does not have
	limits *RateLimits
	host   string
	openai bool // the endpoint is OpenAI itself, not a compatible server

	mu   sync.Mutex
	wire Wire // the protocol in use; Automatic may fall back to Chat Completions once

	countPrompt func(Request) (Fit, error) // Fit; a test sees when it runs
}

// withDefaults fills what the model client and the Admin API client share: OpenAI's endpoint
// without a trailing slash, the default transport, the official retries, the real clock.
func (cfg Config) withDefaults() Config {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	return cfg
}

// New returns a Client. notify, if not nil, hears every rate-limit snapshot as it arrives.
func New(cfg Config, notify func(RateLimit)) *Client {
	cfg = cfg.withDefaults()
	if cfg.Models == nil {
		cfg.Models = func(id string) ModelInfo { return ModelInfo{ID: id} }
	}
	if cfg.Counter == nil {
		cfg.Counter = tokens.Default()
	}
	c := &Client{cfg: cfg, limits: NewRateLimits(notify)}
	c.countPrompt = c.Fit
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		c.host = u.Host
		c.openai = strings.HasSuffix(u.Hostname(), "openai.com")
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.OrgID = cfg.OrgID
	c.http = &http.Client{
		Transport:     &transport{base: cfg.Transport, project: cfg.Project, limits: c.limits, now: cfg.Now},
		CheckRedirect: checkRedirect,
	}
	oc.HTTPClient = c.http
	c.api = openai.NewClientWithConfig(oc)
	c.wire = completions{api: c.api}
	if cfg.API == APIResponses || (cfg.API != APIChat && c.openai && !cfg.NoResponses) {
		c.wire = responses{api: c.api, store: cfg.Store}
	}
	return c
}

// API is the protocol the client speaks: APIResponses or APIChat.
func (c *Client) API() string {
	if _, ok := c.currentWire().(responses); ok {
		return APIResponses
	}
	return APIChat
}

func (c *Client) currentWire() Wire {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wire
}

// fallBack turns an Automatic client whose server has no Responses API (a 404 on the route, not
// on the model) to Chat Completions, and says so once. It reports whether it did.
func (c *Client) fallBack(e *Error) bool {
	if c.cfg.API == APIResponses || e.Status != 404 || e.Code == "model_not_found" {
		return false
	}
	c.mu.Lock()
	_, was := c.wire.(responses)
	c.wire = completions{api: c.api}
	c.mu.Unlock()
	if was && c.cfg.OnNoResponses != nil {
		c.cfg.OnNoResponses()
	}
	return was
}

// BaseURL is where the client sends requests.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// RateLimits is the latest rate-limit snapshot per endpoint and model.
func (c *Client) RateLimits() *RateLimits { return c.limits }

// Model describes a model as the client knows it, filling in what the name tells.
func (c *Client) Model(id string) ModelInfo {
	m := c.cfg.Models(id)
	m.ID = id
	if m.Encoding == "" {
		m.Encoding = tokens.EncodingFor(id)
	}
	if !m.Reasoning {
		m.Reasoning = IsReasoning(id)
	}
	return m
}

// Fit counts the request and fits it to the model's context window, as Stream will.
func (c *Client) Fit(req Request) (Fit, error) {
	return FitRequest(c.cfg.Counter, c.Model(req.Model), req)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Models lists the chat models the endpoint offers, sorted, non-chat models left out.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	x := &exchange{}
	list, err := c.api.ListModels(withExchange(ctx, x))
	if err != nil {
		return nil, c.classify(err, "")
	}
	var ids []string
	for _, m := range list.Models {
		if IsChatModel(m.ID) {
			ids = append(ids, m.ID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func (c *Client) classify(err error, model string) *Error {
	e := classify(err, model, c.host, c.cfg.APIKey)
	if e != nil && e.Kind == InvalidKey && c.cfg.APIKey == "" && c.cfg.NoKey != "" {
		e.Message = "This server needs an API key, and Parley could not read yours: " + c.cfg.NoKey
		e.Action = "Fix the keychain, or open Settings and use a key for this session only."
	}
	return e
}

// Stream sends the request and streams the answer as events, ending with Done. Cancelling ctx
// is the user's Stop: the stream ends at once and the answer keeps what had arrived. Read the
// channel until it is closed.
func (c *Client) Stream(ctx context.Context, req Request) <-chan Event {
	events := make(chan Event, 64)
	go func() {
		defer close(events)
		a := c.answer(ctx, req, func(e Event) { events <- e })
		events <- Done{Answer: a}
	}()
	return events
}

// answer does the work of Stream, emitting every event but Done, and returns the answer.
func (c *Client) answer(ctx context.Context, req Request, emit func(Event)) Answer {
	model := c.Model(req.Model)
	a := Answer{Model: req.Model, Started: c.cfg.Now()}
	var usage *Usage

	var counted *promptCount // the exact count of the prompt
	end := func(finish Finish, e *Error) Answer {
		if counted != nil {
			f := counted.wait()
			a.EstimatedPrompt = f.PromptTokens
			emit(Prepared{PromptTokens: f.PromptTokens, Dropped: a.Dropped})
		}
		return c.settle(a, model, usage, finish, e, emit)
	}
	// early ends an answer cancelled by the user's Stop, or failed while waiting.
	early := func(err error) Answer {
		if ctx.Err() != nil {
			return end(FinishStopped, nil)
		}
		return end("", c.classify(err, req.Model))
	}

	fit, exact, err := c.prepare(req, model)
	if err != nil {
		return end("", c.classify(err, req.Model))
	}
	counted, a.Dropped = exact, fit.Dropped
	call := Call{Request: req, Model: model, Messages: fit.Messages, OpenAI: c.openai, sent: counted.start}

	for attempt := 0; ; attempt++ {
		if err := c.pace(ctx, model.ID, fit.PromptTokens+req.MaxOutput, emit); err != nil {
			return early(err)
		}
		var e *Error
		var header http.Header
		usage, e, header = c.attempt(ctx, call, &a, emit)
		switch {
		case e == nil:
			return end("", nil)
		case ctx.Err() != nil && a.ResponseID != "":
			return end(FinishBackground, nil) // it runs on, on OpenAI
		case ctx.Err() != nil:
			return end(FinishStopped, nil)
		case a.ResponseID != "":
			// A background response goes on whatever happened to its stream: follow it, never
			// ask again (that would pay twice).
			var u *Usage
			var finish Finish
			u, finish, e = c.follow(ctx, call, &a, emit, true, false)
			if u != nil {
				usage = u
			}
			return end(finish, e)
		case a.Content == "" && c.fallBack(e):
			attempt-- // the same request, on Chat Completions: not a retry
			continue
		// Never retry once text has been shown: the partial answer stays, marked interrupted.
		case a.Content != "" || attempt >= c.cfg.MaxRetries || !shouldRetry(e, header):
			return end("", e)
		}
		wait, named := serverWait(header, c.cfg.Now())
		if named && wait > maxServerWait {
			e.RetryAfter = wait
			e.Action = fmt.Sprintf("The server asks to wait %s; try again then.", wait.Round(time.Second))
			return end("", e)
		}
		if !named {
			wait = backoff(attempt+1, c.cfg.Jitter())
		}
		e.RetryAfter = wait
		emit(Wait{Duration: wait, Until: c.cfg.Now().Add(wait), Reason: e.Message, Attempt: attempt + 1})
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return early(err)
		}
		a.Retries++
	}
}

// settle ends the answer however it ended: the usage the server reported or, when none came (a
// compatible server, a cut or stopped stream), Parley's own count, marked estimated.
func (c *Client) settle(a Answer, model ModelInfo, usage *Usage, finish Finish, e *Error, emit func(Event)) Answer {
	if e != nil {
		a.Err = e
		emit(Failure{Err: e})
		if finish == "" {
			finish = FinishFailed
			if a.Content != "" {
				finish = FinishInterrupted
			}
		}
	}
	if finish != "" {
		a.Finish = finish
	}
	switch {
	case usage != nil:
		a.Usage = *usage
	case a.Content != "" || a.Finish == FinishStop || a.Finish == FinishLength:
		completion, _ := c.cfg.Counter.Text(model.Encoding, a.Content)
		a.Usage = Usage{PromptTokens: a.EstimatedPrompt, CompletionTokens: completion, Estimated: true}
	}
	a.Cost = CostOf(a.Usage, model.Price)
	a.Ended = c.cfg.Now()
	return a
}

// prepare fits the request to the context window. Loading a tokenizer takes a hundred
// milliseconds of CPU or more the first time, so when the request is certain to fit (every token
// is at least one byte, so its bytes bound its tokens) it goes out at once and the exact count
// runs once the request is written, while the model thinks, instead of competing with sending
// it; Prepared reports it when it is done. A request that may not fit is counted first.
func (c *Client) prepare(req Request, model ModelInfo) (Fit, *promptCount, error) {
	bound := upperBound(req)
	reserve := reserveFor(model, req)
	rl, paced := c.limits.Latest(c.currentWire().Endpoint(), model.ID)
	tight := paced && rl.LimitTokens > 0 && bound+req.MaxOutput > rl.RemainingTokens
	if (model.ContextWindow > 0 && bound+reserve > model.ContextWindow) || tight || hasAttachments(req) {
		fit, err := c.countPrompt(req)
		return fit, countedAlready(fit), err
	}
	return Fit{Messages: req.Messages, PromptTokens: bound, Window: model.ContextWindow, Reserve: reserve},
		&promptCount{count: func() Fit { fit, _ := c.countPrompt(req); return fit }, done: make(chan struct{})}, nil
}

// promptCount is the exact count of a prompt, made once in the background: from when the request
// has been written, or when the answer ends without its having been.
type promptCount struct {
	once  sync.Once
	count func() Fit
	done  chan struct{} // closed once fit is set
	fit   Fit
}

func countedAlready(fit Fit) *promptCount {
	k := &promptCount{fit: fit, done: make(chan struct{})}
	k.once.Do(func() { close(k.done) })
	return k
}

// start begins the count, once.
func (k *promptCount) start() {
	k.once.Do(func() {
		go func() {
			k.fit = k.count()
			close(k.done)
		}()
	})
}

// wait returns the count, starting it if nothing has yet.
func (k *promptCount) wait() Fit {
	k.start()
	<-k.done
	return k.fit
}

// hasAttachments tells a request with files: their tokens are not bounded by the text's bytes,
// and a file the model cannot take must be refused before sending.
func hasAttachments(req Request) bool {
	for _, m := range req.Messages {
		if len(m.Attachments) > 0 {
			return true
		}
	}
	return false
}

// upperBound is at least the prompt's token count, without a tokenizer: every token is at
// least one byte, and the framing is a few tokens a message.
func upperBound(req Request) int {
	n := 3 + len(req.System) + 3 + len(System)
	for _, m := range req.Messages {
		n += 3 + len(m.Role) + len(m.Name) + 1 + len(m.Content)
	}
	return n
}

// TooLargeForLimit is a request larger than the whole per-minute token limit: no wait makes it
// fit, so it is never retried.
func TooLargeForLimit(need, limit int, model string) *Error {
	return &Error{
		Kind: RateLimited, Code: CodeTooLargeForLimit,
		Message: fmt.Sprintf("This request needs about %s tokens, more than the %s tokens per minute this account may send to %s at all.", Thousands(need), Thousands(limit), quote(model)),
		Action:  "Shorten the conversation (start a new chat), pick a model with a higher limit, or raise the usage tier in Settings.",
	}
}

// CodeTooLargeForLimit marks the error of a request larger than its whole rate limit.
const CodeTooLargeForLimit = "request_too_large_for_limit"

// Thousands writes a count with thousands separators, as every figure Parley shows.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pace waits, announcing it, when the latest rate-limit snapshot says this request would not
// fit the remaining allowance.
func (c *Client) pace(ctx context.Context, model string, need int, emit func(Event)) error {
	rl, ok := c.limits.Latest(c.currentWire().Endpoint(), model)
	if !ok {
		return nil
	}
	if rl.LimitTokens > 0 && need > rl.LimitTokens {
		return TooLargeForLimit(need, rl.LimitTokens, model)
	}
	wait, reason := rl.Wait(need, c.cfg.Now())
	if wait <= 0 {
		return nil
	}
	emit(Wait{Duration: wait, Until: c.cfg.Now().Add(wait), Reason: reason})
	return c.cfg.Sleep(ctx, wait)
}

// attempt sends the request once and reads the stream. It returns the reported usage (nil if
// none came) or the error, with the response headers that say whether and when to retry. An
// answer is finished only when the protocol says so: a body that just ends is a cut.
func (c *Client) attempt(ctx context.Context, call Call, a *Answer, emit func(Event)) (*Usage, *Error, http.Header) {
	wire := c.currentWire()
	a.API = c.API()
	idle := c.cfg.IdleTimeout
	if idle == 0 {
		idle = 90 * time.Second
		if call.Model.Reasoning {
			idle = 5 * time.Minute
		}
	}
	firstByte := c.cfg.FirstByteTimeout
	if firstByte == 0 {
		firstByte = time.Minute
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Until the response begins, the first-byte limit runs; then the idle limit, started again
	// by everything that brings the answer on.
	watchdog := time.AfterFunc(firstByte, func() { cancel(timeout{errNoAnswer, firstByte}) })
	defer watchdog.Stop()

	if call.sent != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { call.sent() }})
	}
	x := &exchange{model: call.Model.ID}
	var stream Stream
	var err error
	if call.resume != nil {
		stream, err = c.reattach(withExchange(ctx, x), *call.resume)
	} else {
		stream, err = wire.Open(withExchange(ctx, x), call)
	}
	_, header, rl := x.captured()
	if rl != nil {
		a.RateLimit = rl
		emit(*rl)
	}
	if err != nil {
		return nil, c.classify(causeOf(ctx, err), call.Model.ID), header
	}
	defer stream.Close()
	quiet := errNothing // what the silence is called: nothing came yet, or the answer stopped
	if a.Content != "" {
		quiet = errStalled
	}
	watchdog.Stop()
	watchdog = time.AfterFunc(idle, func() { cancel(timeout{quiet, idle}) })

	var text, thinking strings.Builder // a retry thinks again from the start; a stream picked up goes on
	text.WriteString(a.Content)
	defer func() { a.Content, a.Thinking = text.String(), thinking.String() }()
	a.Finish = ""
	if call.resume == nil {
		a.Items = nil
	} else {
		thinking.WriteString(a.Thinking)
	}
	var usage *Usage
	var thoughtFrom time.Time // when the model began to think, until its first word
	for {
		chunk, err := stream.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return usage, c.classify(causeOf(ctx, err), call.Model.ID), header
		}
		if call.Request.Background && chunk.ResponseID != "" && a.ResponseID == "" {
			a.ResponseID = chunk.ResponseID
			a.noteStatus(cmp.Or(chunk.Status, "queued"), emit)
		}
		if a.ResponseID != "" {
			a.seq = chunk.Seq
			a.noteStatus(chunk.Status, emit)
		}
		if chunk.Text == "" && chunk.Thinking == "" && chunk.Item == nil && chunk.Usage == nil && chunk.Finish == "" {
			if chunk.Model != "" {
				a.Model = chunk.Model
			}
			continue // a chunk with nothing in it (a keep-alive, a role): not an answer
		}
		if (text.Len() == 0 && chunk.Text != "") || chunk.Thinking != "" {
			quiet = errStalled
		}
		if chunk.Thinking != "" {
			if thoughtFrom.IsZero() {
				thoughtFrom = c.cfg.Now()
			}
			thinking.WriteString(chunk.Thinking)
			emit(Thinking{Text: chunk.Thinking})
		}
		if chunk.Text != "" && !thoughtFrom.IsZero() && a.ThinkingTime == 0 {
			a.ThinkingTime = c.cfg.Now().Sub(thoughtFrom)
		}
		if chunk.Item != nil {
			a.Items = append(a.Items, chunk.Item)
		}
		if !watchdog.Stop() {
			return usage, c.classify(causeOf(ctx, context.Cause(ctx)), call.Model.ID), header
		}
		watchdog = time.AfterFunc(idle, func() { cancel(timeout{quiet, idle}) })
		if chunk.Model != "" {
			a.Model = chunk.Model
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
			emit(UsageReport{Usage: *chunk.Usage})
		}
		if chunk.Text != "" {
			text.WriteString(chunk.Text)
			emit(Delta{Text: chunk.Text})
		}
		if chunk.Finish != "" {
			a.Finish = chunk.Finish
		}
	}
	if a.Finish == "" {
		return usage, c.cut(), header
	}
	return usage, nil, header
}

// cut is the error of a body that ended before the protocol's end.
func (c *Client) cut() *Error {
	where := c.host
	if where == "" {
		where = "the server"
	}
	return &Error{
		Kind: NetworkTrouble, Retryable: true, cause: errCut,
		Message: "The connection to " + where + " closed before the answer was finished.",
		Action:  "Continue the answer, or try again.",
	}
}

// causeOf prefers the reason a context was cancelled (a stall) to the error it caused.
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// Plural counts a thing in words: "1 day", "3 days" (many "": one with an s).
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	if many == "" {
		many = one + "s"
	}
	return Thousands(n) + " " + many
}
