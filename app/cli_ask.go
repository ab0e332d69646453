package app

import (
	"context"
	"encoding/json"
	"errors"
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
	"parley/chat/attach"
	"parley/chat/store"
	"parley/settings"
)

// askResult is what `parley ask --json` prints.
type askResult struct {
	Content               string        `json:"content"`
	Thinking              string        `json:"thinking,omitempty"`
	Model                 string        `json:"model"`
	API                   string        `json:"api"`
	FinishReason          string        `json:"finish_reason"`
	Usage                 askUsage      `json:"usage"`
	ServiceTier           string        `json:"service_tier,omitempty"`
	EstimatedPromptTokens int           `json:"estimated_prompt_tokens"`
	CostUSD               *float64      `json:"cost_usd"`
	CostBreakdown         *askCost      `json:"cost_breakdown,omitempty"`
	Retries               int           `json:"retries"`
	RateLimit             *askRateLimit `json:"ratelimit"`
	Error                 string        `json:"error,omitempty"`
	Conversation          int64         `json:"conversation,omitempty"`
	ResponseID            string        `json:"response_id,omitempty"`
}

type askUsage struct {
	PromptTokens     int  `json:"prompt_tokens"`
	CompletionTokens int  `json:"completion_tokens"`
	TotalTokens      int  `json:"total_tokens"`
	CachedTokens     int  `json:"cached_tokens"`
	CacheWriteTokens int  `json:"cache_write_tokens"`
	ReasoningTokens  int  `json:"reasoning_tokens"`
	Estimated        bool `json:"estimated,omitempty"`
}

// askCost is how the cost was made, in dollars.
type askCost struct {
	UncachedInput  float64 `json:"uncached_input"`
	CachedInput    float64 `json:"cached_input"`
	CacheWrite     float64 `json:"cache_write"`
	Output         float64 `json:"output"`
	LongContext    bool    `json:"long_context_premium"`
	TierMultiplier float64 `json:"service_tier_multiplier"`
}

type askRateLimit struct {
	LimitRequests     int    `json:"limit_requests"`
	RemainingRequests int    `json:"remaining_requests"`
	LimitTokens       int    `json:"limit_tokens"`
	RemainingTokens   int    `json:"remaining_tokens"`
	ResetRequests     string `json:"reset_requests"`
	ResetTokens       string `json:"reset_tokens"`
}

const askUsageText = `[-m MODEL] [-s SYSTEM] [--profile NAME] [--api auto|responses|chat] [--effort LEVEL]
       [--pro] [--tier standard|flex|priority] [--thinking] [--background] [-a FILE]... [--detail low|high|auto]
       [--json] [--no-save] [PROMPT...]

Asks one question and streams the answer to standard output. The prompt is the arguments, or
standard input when there are none. --thinking streams the model's reasoning summary to standard
error (Responses API). --background asks in background mode: the answer is made (and kept for
a while) on OpenAI whatever happens here; Ctrl+C leaves it running, and parley history fetches
it later. -a attaches a file (an image, a PDF, a text or code file), once per file.`

func (c *cli) ask(args []string) int {
	fs := c.flags("ask", askUsageText)
	model := fs.String("m", "", "the model (default: the profile's)")
	system := fs.String("s", "", "the system prompt (default: the profile's)")
	profileName := fs.String("profile", "", "the profile to use (default: the current one)")
	presetName := fs.String("preset", "", "ask as a preset says (its name or id; -m, -s and --effort still win)")
	asJSON := fs.Bool("json", false, "print one JSON object at the end instead of streaming text")
	noSave := fs.Bool("no-save", false, "do not keep the exchange in history")
	api := fs.String("api", "", "the protocol: auto, responses or chat (default: the profile's)")
	effort := fs.String("effort", "", "the reasoning effort: none, minimal, low, medium, high, xhigh or max (default: the model's)")
	pro := fs.Bool("pro", false, "Pro mode: think longer and harder, where the model has it")
	tier := fs.String("tier", "", "the service tier: standard, flex (half price) or priority (twice the price)")
	showThinking := fs.Bool("thinking", false, "stream the model's reasoning summary to standard error")
	background := fs.Bool("background", false, "ask in background mode: Ctrl+C leaves the answer running on OpenAI, to fetch later")
	var files fileList
	fs.Var(&files, "a", "attach a file: an image, a PDF, a text or code file (repeat for more)")
	detail := fs.String("detail", "auto", "how closely images and PDF pages are looked at: low, high, original or auto")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	switch *api {
	case "", "auto", "responses", "chat":
	default:
		fmt.Fprintf(c.stderr, "parley: --api is auto, responses or chat, not %q\n", *api)
		return exitUsage
	}
	switch *detail {
	case "auto", "":
		*detail = ""
	case "low", "high", "original":
	default:
		fmt.Fprintf(c.stderr, "parley: --detail is low, high, original or auto, not %q\n", *detail)
		return exitUsage
	}
	switch *tier {
	case "", "standard", "default":
		*tier = ""
	case "flex", "priority":
	default:
		fmt.Fprintf(c.stderr, "parley: --tier is standard, flex or priority, not %q\n", *tier)
		return exitUsage
	}
	attached, err := readFiles(files, *detail)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	prompt := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 && (len(attached) == 0 || !isTerminal(c.stdin)) {
		if isTerminal(c.stdin) {
			fmt.Fprintln(c.stderr, "parley: type your question, then press Ctrl+D")
		}
		data, err := io.ReadAll(c.stdin)
		if err != nil {
			return c.fail(exitFailure, fmt.Errorf("reading the prompt: %w", err))
		}
		prompt = string(data)
	}
	if strings.TrimSpace(prompt) == "" && len(attached) == 0 {
		fmt.Fprintln(c.stderr, "parley: nothing to ask: give a prompt as arguments or on standard input")
		return exitUsage
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	var temperature *float32
	if *presetName != "" {
		preset, ok := c.findPreset(*presetName)
		if !ok {
			return c.fail(exitUsage, fmt.Errorf("there is no preset %q (see Settings > Presets in the window)", *presetName))
		}
		use := store.Conversation{Model: *model, SystemPrompt: *system, Effort: *effort}.WithPreset(preset.SystemPrompt, preset.Model, preset.Effort, preset.Temperature)
		for flag, v := range map[*string]string{model: use.Model, system: use.SystemPrompt, effort: use.Effort} {
			if *flag == "" {
				*flag = v
			}
		}
		temperature = use.Temperature
	}
	if *model == "" {
		*model = p.Model
	}
	if *system == "" {
		*system = p.SystemPrompt
	}
	if m := settings.LookupModel(*model); *effort != "" && m.Known() && !m.Accepts(*effort) {
		if !m.Reasoning() {
			fmt.Fprintf(c.stderr, "parley: %s does not reason: --effort does not apply\n", *model)
		} else {
			fmt.Fprintf(c.stderr, "parley: %s takes the efforts %s, not %q\n", *model, strings.Join(m.Efforts, ", "), *effort)
		}
		return exitUsage
	}
	if *api != "" {
		p.API = map[string]string{"auto": settings.APIAuto, "responses": settings.APIResponses, "chat": settings.APIChat}[*api]
	}
	client, ep := c.svc.client(p, nil)
	if ep.KeyErr != nil {
		fmt.Fprintln(c.stderr, "parley: warning:", plain(ep.KeyErr))
	}
	if *background && !client.CanBackground() {
		fmt.Fprintln(c.stderr, "parley: --background needs the Responses API, and this profile speaks Chat Completions (try --api responses)")
		return exitUsage
	}
	if *background && *noSave {
		fmt.Fprintln(c.stderr, "parley: a background answer is kept in history to be fetched later: --background and --no-save do not go together")
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	x := ask.Exchange{
		Conversation: store.Conversation{Profile: p.ID, Model: *model, SystemPrompt: *system, Effort: *effort, Pro: *pro, ServiceTier: *tier, Temperature: temperature},
		Messages:     []store.Message{{Role: chat.User, Content: prompt, Attachments: attached}},
		Temperature:  p.Temperature, MaxOutput: p.MaxOutput, NoSave: *noSave,
		Background: *background, LeaveRunning: true,
	}
	if len(attached) > 0 {
		// A file the model or the server cannot take is refused here, as a wrong flag is.
		var ce *chat.Error
		if _, err := client.Fit(ask.Request(x)); errors.As(err, &ce) && ce.Kind != chat.ContextTooLong {
			return c.fail(exitUsage, err)
		}
	}
	run, err := c.asker().Start(ctx, client, x)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	var f ask.Finished
	endsWithNewline := true
	// An answer may carry escape sequences; on a terminal they would act (retitle the window,
	// write the clipboard) instead of showing. Piped elsewhere, the text goes out as it came.
	show, showErr := func(s string) string { return s }, func(s string) string { return s }
	if out, ok := c.stdout.(*os.File); ok && isTerminal(out) {
		show = (&terminalFilter{}).Write
	}
	if out, ok := c.stderr.(*os.File); ok && isTerminal(out) {
		showErr = (&terminalFilter{}).Write
	}
	thought := false // thinking was written to standard error: a line ends it
	responseID := ""
	for e := range run.Events() {
		switch e := e.(type) {
		case chat.Delta:
			if thought {
				io.WriteString(c.stderr, "\n\n")
				thought = false
			}
			if !*asJSON {
				io.WriteString(c.stdout, show(e.Text))
				endsWithNewline = strings.HasSuffix(e.Text, "\n")
			}
		case chat.Thinking:
			if *showThinking {
				io.WriteString(c.stderr, showErr(e.Text))
				thought = true
			}
		case chat.Wait:
			fmt.Fprintf(c.stderr, "parley: waiting %s: %s%s\n", e.Duration.Round(100*time.Millisecond), e.Reason, retryOf(e.Attempt))
		case chat.Background:
			if responseID == "" {
				fmt.Fprintf(c.stderr, "parley: asked in the background as %s (kept on OpenAI until fetched; Ctrl+C leaves it running)\n", e.ID)
			}
			responseID = e.ID
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
	case a.Finish == chat.FinishBackground && a.Err == nil:
		fmt.Fprintf(c.stderr, "parley: left running on OpenAI (%s): parley history fetches it once it is done\n", a.ResponseID)
		return exitCanceled
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

// fileList is a repeated -a flag.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// readFiles reads the files to attach; the first that cannot be is said.
func readFiles(paths []string, detail string) ([]store.Attachment, error) {
	if len(paths) > attach.MaxFiles {
		return nil, fmt.Errorf("%d files: a question takes %d at most", len(paths), attach.MaxFiles)
	}
	var out []store.Attachment
	for _, p := range paths {
		f, err := attach.Read(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f.Stored(detail))
	}
	return out, nil
}

func retryOf(attempt int) string {
	if attempt == 0 {
		return ""
	}
	return fmt.Sprintf(" (retry %d)", attempt)
}

func (c *cli) printJSON(a chat.Answer, conversation int64) {
	r := askResult{
		Content: a.Content, Thinking: a.Thinking, Model: a.Model, API: a.API, FinishReason: string(a.Finish),
		Usage: askUsage{
			PromptTokens: a.Usage.PromptTokens, CompletionTokens: a.Usage.CompletionTokens, TotalTokens: a.Usage.Total(),
			CachedTokens: a.Usage.CachedTokens, CacheWriteTokens: a.Usage.CacheWriteTokens, ReasoningTokens: a.Usage.ReasoningTokens, Estimated: a.Usage.Estimated,
		},
		ServiceTier:           a.Usage.ServiceTier,
		EstimatedPromptTokens: a.EstimatedPrompt, Retries: a.Retries, Conversation: conversation, ResponseID: a.ResponseID,
	}
	if a.Cost.Known {
		r.CostUSD = &a.Cost.USD
		p := a.Cost.Parts
		r.CostBreakdown = &askCost{UncachedInput: p.Uncached, CachedInput: p.Cached, CacheWrite: p.CacheWrite, Output: p.Output,
			LongContext: p.LongContext, TierMultiplier: p.TierMultiplier}
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

// findPreset finds a preset by its name (any case) or its id.
func (c *cli) findPreset(name string) (settings.Preset, bool) {
	for _, p := range c.svc.presets.List() {
		if strings.EqualFold(p.Name, name) || p.ID == name {
			return p, true
		}
	}
	return settings.Preset{}, false
}
