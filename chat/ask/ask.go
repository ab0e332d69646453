// Package ask is Parley's one use case of asking: it sends a question (or continues a stopped
// answer), saves the conversation and the question, checkpoints the answer as it streams,
// finishes or discards it, and counts its usage, reporting all of it as one stream of events.
// The window, Quick Ask and `parley ask` all ask through it; it never imports Fyne.
package ask

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"parley/chat"
	"parley/chat/store"
)

// ContinuePrompt asks the model to pick up a stopped answer; it is sent, never stored.
const ContinuePrompt = "Continue exactly where your previous answer stopped. Do not repeat anything you already wrote."

// Deps are what asking needs beside the engine; app hands them in.
type Deps struct {
	// History opens the conversation history (the first call may take a moment).
	History func() (*store.Store, error)
	// Record counts an answer in the usage meter, under the conversation's profile ID and the
	// model asked for.
	Record func(profile, model string, a chat.Answer) error
	// Models describes a model (its price, its tokenizer), for answers the engine did not end:
	// those a stopped Parley left behind (nil: nothing known but the name).
	Models func(id string) chat.ModelInfo
}

// Asker asks questions. It is safe for concurrent use.
type Asker struct{ deps Deps }

// New returns an Asker.
func New(d Deps) *Asker { return &Asker{deps: d} }

// Exchange is one question to ask, or one answer to continue.
type Exchange struct {
	// Conversation is where it belongs. ID 0 is a new conversation, created with these fields
	// (titled after the question when it has no title). Its Model and SystemPrompt are asked.
	Conversation store.Conversation
	// Messages is the conversation as shown, oldest first, ending with the newest question
	// (ID 0 when it is not saved yet), or with the answer to continue.
	Messages []store.Message
	// Resume continues the last message, a stopped or cut answer: new text is added to it.
	Resume bool
	// Temperature (nil: the model's default) and MaxOutput (0: no cap) shape the answer; the
	// conversation's own temperature (a preset's) comes before Temperature.
	Temperature *float32
	MaxOutput   int
	// NoSave keeps the exchange out of the history (`parley ask --no-save`).
	NoSave bool
	// Background asks in background mode (the Responses API's): the answer is made on OpenAI
	// whether or not Parley stays, and saved when a Parley next fetches it. Stopping it (ctx)
	// cancels it there, unless LeaveRunning (`parley ask --background` and Ctrl+C).
	Background   bool
	LeaveRunning bool
}

// The events of a Run, in order: the engine's own (chat.Prepared, chat.Delta, chat.UsageReport,
// chat.RateLimit, chat.Wait, chat.Failure) as they come, Saved once the conversation and the
// question are in the history, Warning when saving fails (the answer still streams), and
// Finished, always last.
type Event any

// Saved says the conversation and the question are in the history. Question is zero when an
// answer is continued, or the question was saved before.
type Saved struct {
	Conversation store.Conversation
	Question     store.Message
}

// Warning is something that went wrong on the side: the conversation could not be saved, the
// usage not counted. The answer goes on.
type Warning struct {
	What string // what did not happen, in plain words
	Err  error
}

// Finished is the last event: the answer as the engine ended it, and as a message, saved
// (Saved) or not.
type Finished struct {
	Answer       chat.Answer
	Message      store.Message
	Conversation store.Conversation
	Saved        bool
	err          error // why it was not saved
}

// Run is one exchange under way. Read Events until the channel closes.
type Run struct {
	events chan Event

	mu       sync.Mutex
	text     strings.Builder
	thinking strings.Builder
	leave    atomic.Bool
}

// Leave makes stopping this run (cancelling its context, next) leave a background answer
// running on OpenAI, to be taken up again (Pending), instead of cancelling it there: the window
// does it when the user moves to another conversation, or quits.
func (r *Run) Leave() { r.leave.Store(true) }

// Events delivers what happens, ending with Finished; then it is closed.
func (r *Run) Events() <-chan Event { return r.events }

// Text is the answer so far, with what a continued answer held before: a copy made when asked,
// so a screen takes it only when it repaints.
func (r *Run) Text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text.String()
}

// Thinking is the model's reasoning summary so far, copied when asked.
func (r *Run) Thinking() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.thinking.String()
}

// ErrNothingToAsk says an exchange has no question at its end, nor an answer to continue.
var ErrNothingToAsk = errors.New("there is no question to ask")

// Start asks through client in the background; cancelling ctx is Stop: the answer keeps what
// arrived. The history is opened alongside the request, not before it.
func (a *Asker) Start(ctx context.Context, client *chat.Client, x Exchange) (*Run, error) {
	last, ok := lastMessage(x.Messages)
	switch {
	case !ok:
		return nil, ErrNothingToAsk
	case x.Resume && (last.Role != chat.Assistant || last.ID == 0):
		return nil, errors.New("only a saved answer can be continued")
	case !x.Resume && (last.Role != chat.User || strings.TrimSpace(last.Content) == "" && len(last.Attachments) == 0):
		return nil, ErrNothingToAsk
	}
	r := &Run{events: make(chan Event, 64)}
	if x.Resume {
		r.text.WriteString(last.Content)
	}
	go func() {
		s := a.save(x, last, r.emit)
		a.read(ctx, client, x, last, r, s, func(ctx context.Context, req chat.Request) <-chan chat.Event { return client.Stream(ctx, req) })
	}()
	return r, nil
}

func (r *Run) emit(e Event) { r.events <- e }

// read reads an answer's events (asked, or fetched again) into the run and the history, and
// settles it: saved, counted once, a background answer the user stopped cancelled on OpenAI.
func (a *Asker) read(ctx context.Context, client *chat.Client, x Exchange, last store.Message, r *Run, s *saver,
	events func(context.Context, chat.Request) <-chan chat.Event) {
	defer close(r.events)
	emit := r.emit
	req := Request(x)
	var answer chat.Answer
	for e := range events(ctx, req) {
		switch e := e.(type) {
		case chat.Background:
			if err := s.background(e.ID); err != nil {
				emit(Warning{What: "The answer's place on OpenAI could not be saved: if Parley stops now, it is lost", Err: err})
			}
			emit(e)
		case chat.Delta:
			r.mu.Lock()
			r.text.WriteString(e.Text)
			r.mu.Unlock()
			s.grow(e.Text)
			emit(e)
		case chat.Thinking:
			r.mu.Lock()
			r.thinking.WriteString(e.Text)
			r.mu.Unlock()
			emit(e)
		case chat.Wait:
			if e.Attempt > 0 { // a retry thinks again from the start
				r.mu.Lock()
				r.thinking.Reset()
				r.mu.Unlock()
			}
			emit(e)
		case chat.Done:
			answer = e.Answer
		default:
			emit(e)
		}
	}

	if answer.Finish == chat.FinishBackground && ctx.Err() != nil && !x.LeaveRunning && !r.leave.Load() {
		// The user stopped it: it must not run on, and be billed, on OpenAI.
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := client.CancelBackground(cctx, answer.ResponseID); err != nil {
			emit(Warning{What: "The answer could not be cancelled on OpenAI: it may run on there, and be billed", Err: err})
		}
		cancel()
		answer.Finish = chat.FinishStopped
	}
	f := s.finish(x, last, answer, emit)
	if errors.Is(f.err, store.ErrClaimLost) {
		emit(f) // another Parley saved it, and counted it
		return
	}
	if a.deps.Record != nil && reachedServer(answer) && answer.Finish != chat.FinishBackground {
		if err := a.deps.Record(f.Conversation.Profile, req.Model, answer); err != nil {
			emit(Warning{What: "The usage could not be counted", Err: err})
		}
	}
	emit(f)
}

// reachedServer tells an answer that cost something from one that never got to the server
// (no connection at all): only the first is counted.
func reachedServer(a chat.Answer) bool {
	return a.Err == nil || a.Err.Status != 0 || a.Content != "" || a.Usage.Total() > 0
}

// Request is the request an exchange sends: the conversation's model and system prompt, its
// messages with text (an error shown in place of an answer has none), and the continue prompt
// when an answer is continued. It is the one request builder: the composer counts with it too.
func Request(x Exchange) chat.Request {
	c := x.Conversation
	temperature := x.Temperature
	if c.Temperature != nil {
		temperature = c.Temperature
	}
	req := chat.Request{Model: c.Model, System: c.SystemPrompt, Temperature: temperature, MaxOutput: x.MaxOutput,
		Effort: c.Effort, Pro: c.Pro, ServiceTier: c.ServiceTier, Conversation: c.ID, Background: x.Background}
	for _, m := range x.Messages {
		if m.Content == "" && len(m.Items) == 0 && len(m.Attachments) == 0 {
			continue
		}
		req.Messages = append(req.Messages, chat.Message{Role: m.Role, Content: m.Content, Items: m.Items, ItemsModel: m.ItemsModel,
			Attachments: Attachments(m.Attachments)})
	}
	if x.Resume {
		req.Messages = append(req.Messages, chat.Message{Role: chat.User, Content: ContinuePrompt})
	}
	return req
}

// Attachments are a message's files as the engine sends them: their bytes read when the request
// is built.
func Attachments(files []store.Attachment) []chat.Attachment {
	var out []chat.Attachment
	for _, f := range files {
		out = append(out, chat.Attachment{ID: f.Hash, Name: f.Name, Kind: f.Kind, MIME: f.MIME, Size: f.Size, Detail: f.Detail,
			Width: f.Width, Height: f.Height, Pages: f.Pages, Text: f.Text, Data: f.Bytes})
	}
	return out
}

func lastMessage(msgs []store.Message) (store.Message, bool) {
	if len(msgs) == 0 {
		return store.Message{}, false
	}
	return msgs[len(msgs)-1], true
}
