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
	"parley/chat/ask"
	"parley/chat/store"
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
	x := ask.Exchange{
		Conversation: store.Conversation{Profile: p.ID, Model: *model, SystemPrompt: *system},
		Messages:     []store.Message{{Role: chat.User, Content: prompt}},
		Temperature:  p.Temperature, MaxOutput: p.MaxOutput, NoSave: *noSave,
	}
	run, err := c.asker().Start(ctx, client, x)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	var f ask.Finished
	endsWithNewline := true
	// An answer may carry escape sequences; on a terminal they would act (retitle the window,
	// write the clipboard) instead of showing. Piped elsewhere, the text goes out as it came.
	show := func(s string) string { return s }
	if out, ok := c.stdout.(*os.File); ok && isTerminal(out) {
		show = (&terminalFilter{}).Write
	}
	for e := range run.Events() {
		switch e := e.(type) {
		case chat.Delta:
			if !*asJSON {
				io.WriteString(c.stdout, show(e.Text))
				endsWithNewline = strings.HasSuffix(e.Text, "\n")
			}
		case chat.Wait:
			fmt.Fprintf(c.stderr, "parley: waiting %s: %s%s\n", e.Duration.Round(100*time.Millisecond), e.Reason, retryOf(e.Attempt))
		case ask.Saved:
			tell(c.svc.paths.Runtime, requestHistory) // a running window lists the conversation
		case ask.Warning:
			fmt.Fprintf(c.stderr, "parley: warning: %s: %s\n", strings.ToLower(e.What[:1])+e.What[1:], plain(e.Err))
		case ask.Finished:
			f = e
		}
	}
	if f.Saved {
		tell(c.svc.paths.Runtime, requestHistory)
	}
	if !*asJSON && !endsWithNewline {
		fmt.Fprintln(c.stdout)
	}
	a := f.Answer
	if *asJSON {
		c.printJSON(a, f.Conversation.ID)
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

// asker is the ask use case for the command line: a history that says once when it had to be
// moved aside.
func (c *cli) asker() *ask.Asker {
	var once sync.Once
	return ask.New(ask.Deps{
		History: func() (*store.Store, error) {
			st, err := c.svc.history()
			once.Do(func() {
				if err == nil && st.Warning() != "" {
					fmt.Fprintln(c.stderr, "parley:", st.Warning())
				}
			})
			return st, err
		},
		Record: c.svc.record,
		Models: modelInfo,
	})
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
