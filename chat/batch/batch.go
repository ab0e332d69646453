// Package batch is Parley's use case of asking many questions at once through OpenAI's Batch
// API, at half price within 24 hours: it reads prompts from a JSONL file or a folder, prices
// them before anything is sent, submits them, follows the batch, and saves its results as
// conversations tagged with it, joined on each request's custom_id (the results come in no
// particular order). `parley batch` and the window's Batches page both use it; it never
// imports Fyne.
package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"parley/chat"
	"parley/chat/store"
)

// Deps are what batches need beside the engine; app hands them in.
type Deps struct {
	// History opens the conversation history.
	History func() (*store.Store, error)
	// Record counts an answer in the usage meter (its usage's service tier says "batch").
	Record func(profile, model string, a chat.Answer) error
}

// Batcher submits and fetches batches. It is safe for concurrent use.
type Batcher struct{ deps Deps }

// New returns a Batcher.
func New(d Deps) *Batcher { return &Batcher{deps: d} }

// Defaults are what a prompt asks when its line does not say: the profile's model, no system
// prompt, the model's default effort.
type Defaults struct {
	Model, System, Effort string
}

// Plan is a batch ready to submit: its requests, one batch per model (a batch asks one model),
// and what its input costs at batch price.
type Plan struct {
	Source string
	Groups []Group
}

// Group is the requests of one model: one batch.
type Group struct {
	Model    string
	Requests []store.BatchRequest
	input    []byte // the JSONL to upload
	// InputTokens are the prompts' tokens as Parley counts them; InputCost their price at
	// batch rate; OutputPerMillion what a million tokens of answers cost at batch rate.
	InputTokens      int
	InputCost        chat.Cost
	OutputPerMillion float64
}

// Requests counts the plan's requests.
func (p Plan) Requests() int {
	n := 0
	for _, g := range p.Groups {
		n += len(g.Requests)
	}
	return n
}

// InputCost is the plan's input at batch price; Known is false when a model's price is not.
func (p Plan) InputCost() chat.Cost {
	c := chat.Cost{Known: true}
	for _, g := range p.Groups {
		c.USD += g.InputCost.USD
		c.Known = c.Known && g.InputCost.Known
	}
	return c
}

// Prepare prices prompts read by Read: each request as it will be sent, counted, at its model's
// batch price. A prompt whose model does not take its effort, or too long for its model, is
// refused with where it came from. Nothing is sent.
func (b *Batcher) Prepare(client *chat.Client, source string, prompts []Prompt, d Defaults) (Plan, error) {
	plan := Plan{Source: source}
	byModel := map[string]int{}
	var problems []Problem
	for i, p := range prompts {
		r := request(i+1, p, d)
		if r.Model == "" {
			problems = append(problems, Problem{p.Source, "no model: name one on the line, or pick one in Parley"})
			continue
		}
		info := client.Model(r.Model)
		if r.Effort != "" && len(info.Efforts) > 0 && !slices.Contains(info.Efforts, r.Effort) {
			problems = append(problems, Problem{p.Source, fmt.Sprintf("%s does not take the effort %q (it takes %s)", r.Model, r.Effort, strings.Join(info.Efforts, ", "))})
			continue
		}
		line, tokens, err := client.BatchLine(r.CustomID, ask(r))
		if err != nil {
			problems = append(problems, Problem{p.Source, plain(err)})
			continue
		}
		g, ok := byModel[r.Model]
		if !ok {
			g = len(plan.Groups)
			byModel[r.Model] = g
			rate := chat.CostOf(chat.Usage{CompletionTokens: 1_000_000, ServiceTier: "batch"}, info.Price)
			plan.Groups = append(plan.Groups, Group{Model: r.Model, InputCost: chat.Cost{Known: info.Price.Known}, OutputPerMillion: rate.USD})
		}
		group := &plan.Groups[g]
		group.Requests = append(group.Requests, r)
		group.input = append(append(group.input, line...), '\n')
		group.InputTokens += tokens
		cost := chat.CostOf(chat.Usage{PromptTokens: tokens, ServiceTier: "batch"}, info.Price)
		group.InputCost.USD += cost.USD
	}
	if len(problems) > 0 {
		return Plan{}, &InputError{Path: source, Problems: problems}
	}
	for _, g := range plan.Groups {
		if len(g.input) > chat.MaxBatchBytes {
			return Plan{}, &InputError{Path: source, Problems: []Problem{{g.Model, fmt.Sprintf("the requests come to %d MB: a batch may be at most %d MB; split the input",
				len(g.input)>>20, chat.MaxBatchBytes>>20)}}}
		}
	}
	return plan, nil
}

// ask is the request a batch line sends.
func ask(r store.BatchRequest) chat.Request {
	return chat.Request{Model: r.Model, System: r.System, Effort: r.Effort, Messages: []chat.Message{{Role: chat.User, Content: r.Prompt}}}
}

func plain(err error) string {
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return err.Error()
}

// Submit uploads each group's requests and makes a batch of them, kept in the history under
// profile. A batch the API refuses is reported with the lines of the input at fault. It returns
// the batches made (those made before a failure too).
func (b *Batcher) Submit(ctx context.Context, client *chat.Client, plan Plan, profile string) ([]store.Batch, error) {
	st, err := b.deps.History()
	if err != nil {
		return nil, err
	}
	var made []store.Batch
	for _, g := range plan.Groups {
		name := fmt.Sprintf("parley-%s-%s.jsonl", time.Now().Format("20060102-150405"), safeName(g.Model))
		file, err := client.UploadBatchFile(ctx, name, g.input)
		if err != nil {
			return made, fmt.Errorf("uploading the requests for %s: %w", g.Model, err)
		}
		created, err := client.CreateBatch(ctx, file, map[string]string{"made_by": "parley", "source": filepath.Base(plan.Source)})
		if err != nil {
			return made, fmt.Errorf("making the batch for %s: %w", g.Model, err)
		}
		rec := store.Batch{ID: created.ID, Profile: profile, Created: created.Created, Source: plan.Source, Requests: g.Requests,
			EstimateUSD: g.InputCost.USD, Status: created.Status, Total: created.Total}
		if err := st.AddBatch(rec); err != nil {
			return made, fmt.Errorf("the batch %s was submitted, but could not be kept in the history (fetch it with its id): %w", created.ID, err)
		}
		made = append(made, rec)
		if created.Status == "failed" {
			return made, refused(plan.Source, g, created)
		}
	}
	return made, nil
}

// refused is the error of a batch that failed validation, its lines traced back to the input.
func refused(source string, g Group, b chat.Batch) error {
	e := &InputError{Path: source}
	for _, x := range b.Errors {
		where := filepath.Base(source)
		if x.Line >= 1 && x.Line <= len(g.Requests) {
			where = g.Requests[x.Line-1].Source
		}
		e.Problems = append(e.Problems, Problem{where, "OpenAI refused it: " + x.Message})
	}
	if len(e.Problems) == 0 {
		e.Problems = append(e.Problems, Problem{filepath.Base(source), "OpenAI refused the batch without saying why"})
	}
	return e
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// Entry is a batch as the API shows it, with what the history knows of it (nil Local: made
// elsewhere, by another program or on another computer).
type Entry struct {
	chat.Batch
	Local *store.Batch
}

// Status fetches a batch as it stands, keeping its status in the history.
func (b *Batcher) Status(ctx context.Context, client *chat.Client, id string) (Entry, error) {
	remote, err := client.Batch(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	return b.entry(remote), nil
}

func (b *Batcher) entry(remote chat.Batch) Entry {
	e := Entry{Batch: remote}
	st, err := b.deps.History()
	if err != nil {
		return e
	}
	if local, err := st.Batch(remote.ID); err == nil {
		if local.Fetched.IsZero() && (local.Status != remote.Status || local.Completed != remote.Completed) {
			st.SetBatchStatus(remote.ID, remote.Status, remote.Total, remote.Completed, remote.Failed)
			local.Status, local.Total, local.Completed, local.Failed = remote.Status, remote.Total, remote.Completed, remote.Failed
		}
		e.Local = &local
	}
	return e
}

// List lists the account's batches, newest first, with what the history knows of each; the
// history's own that the API no longer lists come after, as last seen.
func (b *Batcher) List(ctx context.Context, client *chat.Client) ([]Entry, error) {
	remote, err := client.Batches(ctx, 100)
	if err != nil {
		return nil, err
	}
	var out []Entry
	seen := map[string]bool{}
	for _, r := range remote {
		out = append(out, b.entry(r))
		seen[r.ID] = true
	}
	if st, err := b.deps.History(); err == nil {
		if locals, err := st.Batches(); err == nil {
			for _, l := range locals {
				if !seen[l.ID] {
					out = append(out, Entry{Batch: chat.Batch{ID: l.ID, Status: l.Status, Created: l.Created, Total: l.Total, Completed: l.Completed, Failed: l.Failed}, Local: &l})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Cancel cancels a batch; what it answered is kept, to fetch.
func (b *Batcher) Cancel(ctx context.Context, client *chat.Client, id string) (Entry, error) {
	remote, err := client.CancelBatch(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	return b.entry(remote), nil
}

// Report is what fetching a batch did.
type Report struct {
	Batch chat.Batch
	// Saved are the conversations made of its answers (those saved before, when Already).
	Saved   []store.Conversation
	Already bool
	// Failed are the requests that failed, with why; NotRun those it never ran (it expired or
	// was cancelled first); Unknown counts results for requests the batch's record does not have.
	Failed  []Failed
	NotRun  []store.BatchRequest
	Unknown int
	// Cost is what its answers cost, at batch price.
	Cost chat.Cost
}

// Failed is a request that failed.
type Failed struct {
	Request store.BatchRequest
	Err     string
}

// ErrNotDone says a batch is still running: there is nothing to fetch yet.
type ErrNotDone struct{ Batch chat.Batch }

func (e ErrNotDone) Error() string {
	return fmt.Sprintf("the batch %s is %s (%d of %d answered); fetch it once it is done", e.Batch.ID, strings.ReplaceAll(e.Batch.Status, "_", " "), e.Batch.Completed, e.Batch.Total)
}

// Fetch saves a finished batch's answers as conversations, tagged with it, at once (all of
// them or none), counts their cost once, and reports the requests that failed or never ran. A
// batch made elsewhere is read from its own input file. Fetching again reports what was saved.
func (b *Batcher) Fetch(ctx context.Context, client *chat.Client, id, profile string) (Report, error) {
	remote, err := client.Batch(ctx, id)
	if err != nil {
		return Report{}, err
	}
	r := Report{Batch: remote}
	switch {
	case remote.Status == "failed":
		return r, refused(id, Group{}, remote)
	case !remote.Done():
		return r, ErrNotDone{remote}
	}
	st, err := b.deps.History()
	if err != nil {
		return r, err
	}
	local, err := st.Batch(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if local, err = fromInput(ctx, client, remote, profile); err != nil {
			return r, err
		}
	case err != nil:
		return r, err
	case !local.Fetched.IsZero():
		r.Already = true
		r.Saved, err = st.BatchConversations(id)
		return r, err
	}
	results := map[string]chat.BatchResult{}
	for _, file := range []string{remote.OutputFileID, remote.ErrorFileID} {
		if file == "" {
			continue
		}
		data, err := client.FileContent(ctx, file)
		if err != nil {
			return r, fmt.Errorf("downloading the batch's results: %w", err)
		}
		parsed, err := chat.ParseBatchResults(data, client.Model)
		if err != nil {
			return r, err
		}
		for _, x := range parsed {
			results[x.CustomID] = x
		}
	}
	var asked []store.Asked
	var answers []chat.Answer
	known := map[string]bool{}
	r.Cost.Known = true
	for _, req := range local.Requests {
		known[req.CustomID] = true
		res, ok := results[req.CustomID]
		switch {
		case !ok:
			r.NotRun = append(r.NotRun, req)
		case res.Err != nil:
			r.Failed = append(r.Failed, Failed{req, res.Err.UserMessage()})
		default:
			asked = append(asked, conversation(local, req, res.Answer, remote))
			answers = append(answers, res.Answer)
			r.Cost.USD += res.Answer.Cost.USD
			r.Cost.Known = r.Cost.Known && res.Answer.Cost.Known
		}
	}
	for cid := range results {
		if !known[cid] {
			r.Unknown++
		}
	}
	local.Status, local.Total, local.Completed, local.Failed, local.CostUSD = remote.Status, remote.Total, remote.Completed, remote.Failed, r.Cost.USD
	r.Saved, err = st.SaveBatchResults(local, asked)
	if errors.Is(err, store.ErrFetchedAlready) {
		r.Already = true
		r.Saved, err = st.BatchConversations(id)
		return r, err
	}
	if err != nil {
		return r, err
	}
	if b.deps.Record != nil {
		for i, a := range answers {
			if err := b.deps.Record(local.Profile, asked[i].Conversation.Model, a); err != nil {
				return r, fmt.Errorf("the answers were saved, but their cost could not be counted: %w", err)
			}
		}
	}
	return r, nil
}

// conversation is one answered request as a conversation: the question, then its answer.
func conversation(b store.Batch, req store.BatchRequest, a chat.Answer, remote chat.Batch) store.Asked {
	asked := remote.Created
	if asked.IsZero() {
		asked = b.Created
	}
	answered := time.Now()
	a.Ended = answered
	c := store.Conversation{Title: store.TitleFrom(req.Prompt), Profile: b.Profile, Model: req.Model, SystemPrompt: req.System,
		Effort: req.Effort, Created: asked, Updated: answered}
	answer := store.Settle(store.Message{Role: chat.Assistant, Model: req.Model, Created: answered}, store.Message{}, a)
	return store.Asked{Conversation: c, Messages: []store.Message{
		{Role: chat.User, Content: req.Prompt, Created: asked, Updated: asked},
		answer,
	}}
}

// fromInput reads a batch made elsewhere from its own input file: each line's custom_id, model,
// instructions, effort and question.
func fromInput(ctx context.Context, client *chat.Client, remote chat.Batch, profile string) (store.Batch, error) {
	data, err := client.FileContent(ctx, remote.InputFileID)
	if err != nil {
		return store.Batch{}, fmt.Errorf("downloading the batch's requests: %w", err)
	}
	b := store.Batch{ID: remote.ID, Profile: profile, Created: remote.Created, Source: "made elsewhere", Status: remote.Status}
	for i, text := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		cid, req, ok := chat.ParseBatchLine(text)
		if !ok {
			continue
		}
		b.Requests = append(b.Requests, store.BatchRequest{CustomID: cid, Source: fmt.Sprintf("input line %d", i+1),
			Prompt: req.Messages[0].Content, System: req.System, Model: req.Model, Effort: req.Effort})
	}
	return b, nil
}
