package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"parley/chat"
	"parley/chat/store"
	"parley/settings"
)

// askResult is what `parley ask --json` prints.
type askResult struct {
	Content               string        `json:"content"`
	Model                 string        `json:"model"`
	FinishReason          string        `json:"finish_reason"`
	Usage                 askUsage      `json:"usage"`
	EstimatedPromptTokens int           `json:"estimated_prompt_tokens"`
	CostUSD               *float64      `json:"cost_usd"`
	Retries               int           `json:"retries"`
	RateLimit             *askRateLimit `json:"ratelimit"`
	Error                 string        `json:"error,omitempty"`
	Conversation          int64         `json:"conversation,omitempty"`
}

type askUsage struct {
	PromptTokens     int  `json:"prompt_tokens"`
	CompletionTokens int  `json:"completion_tokens"`
	TotalTokens      int  `json:"total_tokens"`
	CachedTokens     int  `json:"cached_tokens,omitempty"`
	ReasoningTokens  int  `json:"reasoning_tokens,omitempty"`
	Estimated        bool `json:"estimated,omitempty"`
}

type askRateLimit struct {
	LimitRequests     int    `json:"limit_requests"`
	RemainingRequests int    `json:"remaining_requests"`
	LimitTokens       int    `json:"limit_tokens"`
	RemainingTokens   int    `json:"remaining_tokens"`
	ResetRequests     string `json:"reset_requests"`
	ResetTokens       string `json:"reset_tokens"`
}

const askUsageText = `[-m MODEL] [-s SYSTEM] [--profile NAME] [--json] [--no-save] [PROMPT...]

Asks one question and streams the answer to standard output. The prompt is the arguments, or
standard input when there are none.`

func (c *cli) ask(args []string) int {
	fs := c.flags("ask", askUsageText)
	model := fs.String("m", "", "the model (default: the profile's)")
	system := fs.String("s", "", "the system prompt (default: the profile's)")
	profileName := fs.String("profile", "", "the profile to use (default: the current one)")
	asJSON := fs.Bool("json", false, "print one JSON object at the end instead of streaming text")
	noSave := fs.Bool("no-save", false, "do not keep the exchange in history")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	prompt := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 {
		if isTerminal(c.stdin) {
			fmt.Fprintln(c.stderr, "parley: type your question, then press Ctrl+D")
		}
		data, err := io.ReadAll(c.stdin)
		if err != nil {
			return c.fail(exitFailure, fmt.Errorf("reading the prompt: %w", err))
		}
		prompt = string(data)
	}
	if strings.TrimSpace(prompt) == "" {
		fmt.Fprintln(c.stderr, "parley: nothing to ask: give a prompt as arguments or on standard input")
		return exitUsage
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	if *model == "" {
		*model = p.Model
	}
	if *system == "" {
		*system = p.SystemPrompt
	}
	client, ep := c.svc.client(p, nil)
	if ep.KeyErr != nil {
		fmt.Fprintln(c.stderr, "parley: warning:", plain(ep.KeyErr))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	req := chat.Request{Model: *model, System: *system, Messages: []chat.Message{{Role: chat.User, Content: prompt}}, Temperature: p.Temperature, MaxOutput: p.MaxOutput}
	saver := c.saver(p, req, *noSave)

	var a chat.Answer
	endsWithNewline := true
	for e := range client.Stream(ctx, req) {
		switch e := e.(type) {
		case chat.Delta:
			saver.grow(e.Text)
			if !*asJSON {
				io.WriteString(c.stdout, e.Text)
				endsWithNewline = strings.HasSuffix(e.Text, "\n")
			}
		case chat.Wait:
			fmt.Fprintf(c.stderr, "parley: waiting %s: %s%s\n", e.Duration.Round(100*time.Millisecond), e.Reason, retryOf(e.Attempt))
		case chat.Done:
			a = e.Answer
		}
	}
	if !*asJSON && !endsWithNewline {
		fmt.Fprintln(c.stdout)
	}
	if err := c.svc.record(p.Name, *model, a); err != nil {
		fmt.Fprintln(c.stderr, "parley: warning:", err)
	}
	id, err := saver.finish(a)
	if err != nil {
		fmt.Fprintln(c.stderr, "parley: warning: the exchange was not saved in history:", plain(err))
	}
	if *asJSON {
		c.printJSON(a, id)
	}
	switch {
	case a.Finish == chat.FinishStopped:
		return exitCanceled
	case a.Err != nil:
		if !*asJSON || a.Content == "" {
			c.fail(exitFailure, a.Err)
		}
		return exitFailure
	}
	return exitOK
}

func retryOf(attempt int) string {
	if attempt == 0 {
		return ""
	}
	return fmt.Sprintf(" (retry %d)", attempt)
}

func (c *cli) printJSON(a chat.Answer, conversation int64) {
	r := askResult{
		Content: a.Content, Model: a.Model, FinishReason: string(a.Finish),
		Usage: askUsage{
			PromptTokens: a.Usage.PromptTokens, CompletionTokens: a.Usage.CompletionTokens, TotalTokens: a.Usage.Total(),
			CachedTokens: a.Usage.CachedTokens, ReasoningTokens: a.Usage.ReasoningTokens, Estimated: a.Usage.Estimated,
		},
		EstimatedPromptTokens: a.EstimatedPrompt, Retries: a.Retries, Conversation: conversation,
	}
	if a.Cost.Known {
		r.CostUSD = &a.Cost.USD
	}
	if rl := a.RateLimit; rl != nil {
		r.RateLimit = &askRateLimit{
			LimitRequests: rl.LimitRequests, RemainingRequests: rl.RemainingRequests,
			LimitTokens: rl.LimitTokens, RemainingTokens: rl.RemainingTokens,
			ResetRequests: rl.ResetRequests.String(), ResetTokens: rl.ResetTokens.String(),
		}
	}
	if a.Err != nil {
		r.Error = plain(a.Err)
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}

// askSaver keeps an exchange of `parley ask` in the history as it happens: the question at
// once, the answer checkpointed every second, so even a killed process leaves it behind. The
// history opens alongside the request, not before it: text that arrives first waits in memory.
type askSaver struct {
	ready chan struct{} // closed when the history is ready (or could not be)

	mu      sync.Mutex
	conv    store.Conversation
	draft   *store.Draft
	err     error
	pending strings.Builder
}

func (c *cli) saver(p settings.Profile, req chat.Request, noSave bool) *askSaver {
	s := &askSaver{ready: make(chan struct{})}
	if noSave {
		close(s.ready)
		return s
	}
	go func() {
		defer close(s.ready)
		st, err := c.svc.history()
		if err != nil {
			s.fail(err)
			return
		}
		if w := st.Warning(); w != "" {
			fmt.Fprintln(c.stderr, "parley:", w)
		}
		question := req.Messages[len(req.Messages)-1].Content
		conv, err := st.CreateConversation(store.Conversation{Title: store.TitleFrom(question), Profile: p.Name, Model: req.Model, SystemPrompt: req.System})
		if err == nil {
			_, err = st.Append(store.Message{ConversationID: conv.ID, Role: chat.User, Content: question})
		}
		var draft *store.Draft
		if err == nil {
			draft, err = st.StartAnswer(conv.ID, req.Model)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.conv, s.draft, s.err = conv, draft, err
		if draft != nil && s.pending.Len() > 0 {
			draft.Append(s.pending.String())
			s.pending.Reset()
		}
	}()
	return s
}

func (s *askSaver) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *askSaver) grow(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft != nil {
		s.draft.Append(text)
	} else if s.err == nil {
		s.pending.WriteString(text)
	}
}

// finish saves the answer as it ended (an answer that never began is not kept) and returns the
// conversation's id.
func (s *askSaver) finish(a chat.Answer) (int64, error) {
	<-s.ready
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft == nil {
		return s.conv.ID, s.err
	}
	if a.Content == "" && a.Finish != chat.FinishStop && a.Finish != chat.FinishLength {
		return s.conv.ID, s.draft.Discard()
	}
	_, err := s.draft.Finish(a)
	return s.conv.ID, err
}
