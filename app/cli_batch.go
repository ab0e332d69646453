package app

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"parley/chat"
	"parley/chat/batch"
	"parley/settings"
)

const batchUsageText = `submit FILE.jsonl|FOLDER [-m MODEL] [-s SYSTEM] [--effort LEVEL] [--profile NAME] [--yes] [--json]
       parley batch status [ID] [--json]
       parley batch list [--json]
       parley batch cancel ID [--json]
       parley batch fetch ID [--json]

Asks many questions at once through OpenAI's Batch API: half the price, answered within 24
hours. The input is a JSONL file, one {"prompt", "model"?, "system"?, "effort"?} per line, or a
folder of .md and .txt files, one prompt each. submit shows what the input costs before sending
anything; fetch saves each answer as a conversation in the history, tagged with its batch.`

func (c *cli) batch(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(c.stderr, "Usage: parley batch", batchUsageText)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, rest := args[0], args[1:]
	fs := c.flags("batch "+sub, "")
	profileName := fs.String("profile", "", "the profile to use (default: the current one)")
	asJSON := fs.Bool("json", false, "print JSON")
	var model, system, effort *string
	var yes *bool
	switch sub {
	case "submit":
		fs.Usage = func() { fmt.Fprintln(c.stderr, "Usage: parley batch", batchUsageText); fs.PrintDefaults() }
		model = fs.String("m", "", "the model of prompts that name none (default: the profile's)")
		system = fs.String("s", "", "the system prompt of prompts that give none (default: the profile's)")
		effort = fs.String("effort", "", "the reasoning effort of prompts that give none (default: the model's)")
		yes = fs.Bool("yes", false, "submit without asking")
	case "status", "list", "cancel", "fetch":
	default:
		fmt.Fprintf(c.stderr, "parley: unknown batch command %q\nUsage: parley batch %s\n", sub, batchUsageText)
		return exitUsage
	}
	if code := parseAnywhere(fs, rest); code >= 0 {
		return code
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	client, ep := c.svc.client(p, nil)
	if ep.KeyErr != nil {
		fmt.Fprintln(c.stderr, "parley: warning:", plain(ep.KeyErr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := c.svc.batcher()
	id := fs.Arg(0)
	needID := func() bool {
		if id == "" || fs.NArg() > 1 {
			fmt.Fprintf(c.stderr, "parley: batch %s takes one batch id (parley batch list shows them)\n", sub)
			return false
		}
		return true
	}
	switch sub {
	case "submit":
		if fs.NArg() != 1 {
			fmt.Fprintln(c.stderr, "parley: batch submit takes one file or folder")
			return exitUsage
		}
		d := batch.Defaults{Model: cmp.Or(*model, p.Model), System: cmp.Or(*system, p.SystemPrompt), Effort: *effort}
		return c.batchSubmit(ctx, b, client, p, fs.Arg(0), d, *yes, *asJSON)
	case "status":
		if id == "" {
			latest, err := c.latestBatch()
			if err != nil {
				return c.fail(exitUsage, err)
			}
			id = latest
		}
		e, err := b.Status(ctx, client, id)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		return c.showBatches([]batch.Entry{e}, *asJSON, true)
	case "list":
		entries, err := b.List(ctx, client)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		return c.showBatches(entries, *asJSON, false)
	case "cancel":
		if !needID() {
			return exitUsage
		}
		e, err := b.Cancel(ctx, client, id)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		if !*asJSON {
			fmt.Fprintf(c.stderr, "parley: cancelling %s: what it answered is kept (parley batch fetch %s once it is cancelled)\n", id, id)
		}
		return c.showBatches([]batch.Entry{e}, *asJSON, true)
	case "fetch":
		if !needID() {
			return exitUsage
		}
		return c.batchFetch(ctx, b, client, p, id, *asJSON)
	}
	return exitUsage
}

// latestBatch is the batch submitted last from this computer.
func (c *cli) latestBatch() (string, error) {
	st, err := c.svc.history()
	if err != nil {
		return "", err
	}
	all, err := st.Batches()
	if err != nil {
		return "", err
	}
	if len(all) == 0 {
		return "", errors.New("no batch was submitted from here yet: name one (parley batch list shows them)")
	}
	return all[0].ID, nil
}

type submitted struct {
	ID           string   `json:"id"`
	Model        string   `json:"model"`
	Requests     int      `json:"requests"`
	InputTokens  int      `json:"input_tokens"`
	InputCostUSD *float64 `json:"input_cost_usd"`
	Status       string   `json:"status"`
}

// batchSubmit reads, prices, asks, submits.
func (c *cli) batchSubmit(ctx context.Context, b *batch.Batcher, client *chat.Client, p settings.Profile, path string, d batch.Defaults, yes, asJSON bool) int {
	prompts, err := batch.Read(path)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	plan, err := b.Prepare(client, path, prompts, d)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	w := c.stderr
	fmt.Fprintf(w, "%s prompts from %s, %s:\n", chat.Thousands(plan.Requests()), path, batchesOf(plan))
	for _, g := range plan.Groups {
		cost := "price unknown"
		if g.InputCost.Known {
			cost = fmt.Sprintf("$%.4f at batch price (half the standard price); answers $%.2f per million tokens, as written", g.InputCost.USD, g.OutputPerMillion)
		}
		fmt.Fprintf(w, "  %s: %s requests, %s input tokens, %s\n", g.Model, chat.Thousands(len(g.Requests)), chat.Thousands(g.InputTokens), cost)
		if q := c.svc.meter.Reading(p, g.Model).BatchQueue; q > 0 && g.InputTokens > q {
			fmt.Fprintf(w, "  warning: the project may queue %s input tokens a day for %s: this batch may wait or fail\n", chat.Thousands(q), g.Model)
		}
	}
	fmt.Fprintln(w, "  answered within 24 hours; parley batch status follows it")
	if !yes {
		if !isTerminal(c.stdin) {
			fmt.Fprintln(c.stderr, "parley: nothing was sent: add --yes to submit without being asked")
			return exitUsage
		}
		fmt.Fprint(w, "Submit? [y/N] ")
		answer, _ := bufio.NewReader(c.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(w, "parley: nothing was sent")
			return exitCanceled
		}
	}
	made, err := b.Submit(ctx, client, plan, p.ID)
	var out []submitted
	for i, m := range made {
		g := plan.Groups[i]
		s := submitted{ID: m.ID, Model: g.Model, Requests: len(g.Requests), InputTokens: g.InputTokens, Status: m.Status}
		if g.InputCost.Known {
			s.InputCostUSD = &g.InputCost.USD
		}
		out = append(out, s)
		if !asJSON {
			fmt.Fprintf(c.stdout, "%s\t%s\t%d requests\n", m.ID, g.Model, len(g.Requests))
		}
	}
	if asJSON && len(out) > 0 {
		c.printJSONValue(out)
	}
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if !asJSON {
		fmt.Fprintf(c.stderr, "parley: submitted; follow it with parley batch status %s\n", made[0].ID)
	}
	return exitOK
}

func batchesOf(p batch.Plan) string {
	if len(p.Groups) == 1 {
		return "one batch"
	}
	return fmt.Sprintf("%d batches (a batch asks one model)", len(p.Groups))
}

type listedBatch struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Model     string    `json:"model,omitempty"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires,omitzero"`
	Total     int       `json:"total"`
	Completed int       `json:"completed"`
	Failed    int       `json:"failed"`
	Source    string    `json:"source,omitempty"`
	Estimate  *float64  `json:"input_estimate_usd,omitempty"`
	CostUSD   *float64  `json:"cost_usd,omitempty"`
	Fetched   time.Time `json:"fetched,omitzero"`
	Errors    []string  `json:"errors,omitempty"`
}

func listed(e batch.Entry) listedBatch {
	l := listedBatch{ID: e.ID, Status: e.Status, Model: e.Model, Created: e.Created, Expires: e.Expires, Total: e.Total, Completed: e.Completed, Failed: e.Failed}
	for _, x := range e.Errors {
		l.Errors = append(l.Errors, fmt.Sprintf("line %d: %s", x.Line, x.Message))
	}
	if e.Local != nil {
		l.Source, l.Estimate, l.Fetched = e.Local.Source, &e.Local.EstimateUSD, e.Local.Fetched
		if !e.Local.Fetched.IsZero() {
			l.CostUSD = &e.Local.CostUSD
		}
		if l.Model == "" && len(e.Local.Requests) > 0 {
			l.Model = e.Local.Requests[0].Model
		}
	}
	return l
}

// showBatches prints batches as a table, or one in full.
func (c *cli) showBatches(entries []batch.Entry, asJSON, full bool) int {
	if asJSON {
		var out []listedBatch
		for _, e := range entries {
			out = append(out, listed(e))
		}
		if full && len(out) == 1 {
			return c.printJSONValue(out[0])
		}
		if out == nil {
			out = []listedBatch{}
		}
		return c.printJSONValue(out)
	}
	if len(entries) == 0 {
		fmt.Fprintln(c.stderr, "parley: no batches yet (parley batch submit FILE makes one)")
		return exitOK
	}
	if full {
		for _, e := range entries {
			l := listed(e)
			fmt.Fprintf(c.stdout, "%s: %s, %d of %d answered", l.ID, strings.ReplaceAll(l.Status, "_", " "), l.Completed, l.Total)
			if l.Failed > 0 {
				fmt.Fprintf(c.stdout, ", %d failed", l.Failed)
			}
			fmt.Fprintln(c.stdout)
			if l.Model != "" {
				fmt.Fprintf(c.stdout, "  model: %s\n", l.Model)
			}
			fmt.Fprintf(c.stdout, "  submitted: %s", l.Created.Local().Format("2006-01-02 15:04"))
			if !l.Expires.IsZero() && !e.Done() {
				fmt.Fprintf(c.stdout, " · expires %s", l.Expires.Local().Format("2006-01-02 15:04"))
			}
			fmt.Fprintln(c.stdout)
			if l.Source != "" {
				fmt.Fprintf(c.stdout, "  from: %s\n", l.Source)
			}
			for _, x := range l.Errors {
				fmt.Fprintf(c.stdout, "  refused: %s\n", x)
			}
			switch {
			case !l.Fetched.IsZero():
				fmt.Fprintf(c.stdout, "  fetched %s: $%.4f at batch price\n", l.Fetched.Local().Format("2006-01-02 15:04"), *l.CostUSD)
			case e.Done() && e.Status != "failed":
				fmt.Fprintf(c.stdout, "  its answers are ready: parley batch fetch %s\n", l.ID)
			}
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tANSWERED\tMODEL\tSUBMITTED\tFROM")
	for _, e := range entries {
		l := listed(e)
		status := strings.ReplaceAll(l.Status, "_", " ")
		if !l.Fetched.IsZero() {
			status += ", fetched"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\t%s\t%s\n", l.ID, status, l.Completed, l.Total, l.Model, l.Created.Local().Format("2006-01-02 15:04"), l.Source)
	}
	tw.Flush()
	return exitOK
}

type fetchedBatch struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"`
	Saved         []int64  `json:"conversations"`
	AlreadyFetch  bool     `json:"fetched_before,omitempty"`
	Failed        []failed `json:"failed"`
	NotRun        []string `json:"not_run"`
	CostUSD       *float64 `json:"cost_usd"`
	UnknownResult int      `json:"unknown_results,omitempty"`
}

type failed struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// batchFetch saves a batch's answers and reports.
func (c *cli) batchFetch(ctx context.Context, b *batch.Batcher, client *chat.Client, p settings.Profile, id string, asJSON bool) int {
	r, err := b.Fetch(ctx, client, id, p.ID)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if len(r.Saved) > 0 && !r.Already {
		tell(c.svc.paths.Runtime, requestHistory)
	}
	out := fetchedBatch{ID: id, Status: r.Batch.Status, AlreadyFetch: r.Already, UnknownResult: r.Unknown, Saved: []int64{}, Failed: []failed{}, NotRun: []string{}}
	for _, s := range r.Saved {
		out.Saved = append(out.Saved, s.ID)
	}
	for _, f := range r.Failed {
		out.Failed = append(out.Failed, failed{f.Request.Source, f.Err})
	}
	for _, n := range r.NotRun {
		out.NotRun = append(out.NotRun, n.Source)
	}
	if r.Cost.Known && !r.Already {
		out.CostUSD = &r.Cost.USD
	}
	if asJSON {
		c.printJSONValue(out)
	} else {
		c.printFetched(r, out)
	}
	if len(r.Saved) == 0 && len(r.Failed) > 0 {
		return exitFailure
	}
	return exitOK
}

func (c *cli) printFetched(r batch.Report, out fetchedBatch) {
	w := c.stdout
	switch {
	case r.Already:
		fmt.Fprintf(w, "%s was fetched before: %d conversations in the history\n", out.ID, len(r.Saved))
	default:
		cost := "price unknown"
		if out.CostUSD != nil {
			cost = fmt.Sprintf("$%.4f at batch price", *out.CostUSD)
		}
		fmt.Fprintf(w, "%s (%s): saved %d conversations, %s\n", out.ID, strings.ReplaceAll(out.Status, "_", " "), len(r.Saved), cost)
	}
	for _, s := range r.Saved {
		fmt.Fprintf(w, "  %d\t%s\n", s.ID, s.Title)
	}
	if len(out.Failed) > 0 {
		fmt.Fprintf(w, "%d failed:\n", len(out.Failed))
		for _, f := range out.Failed {
			fmt.Fprintf(w, "  %s: %s\n", f.Source, f.Error)
		}
	}
	if len(out.NotRun) > 0 {
		fmt.Fprintf(w, "%d never ran (the batch was %s first): %s\n", len(out.NotRun), out.Status, strings.Join(firstOf(out.NotRun, 10), ", "))
	}
	if out.UnknownResult > 0 {
		fmt.Fprintf(w, "%d results named requests this batch's record does not have; they were left out\n", out.UnknownResult)
	}
}

func firstOf(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string{}, s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}
