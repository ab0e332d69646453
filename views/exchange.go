package views

import (
	"context"
	"strings"

	"parley/chat"
	"parley/chat/store"
)

// exchange is one question and its answer, saved as it happens: the conversation and the
// question first, the answer checkpointed as it streams, its usage counted at the end. The
// conversation pane and Quick Ask both ask through it. Its callbacks run on the UI goroutine.
type exchange struct {
	client *chat.Client
	req    chat.Request
	conv   store.Conversation // ID 0: created first, titled after the question
	// question is saved before asking, unless saved already (questionID != 0) or continuing.
	question   string
	questionID int64
	resume     *store.Message // an answer being continued: new text is added to it

	onSaved  func(conv store.Conversation, question store.Message)
	onText   func(text string) // the answer so far, at most ~30 times a second
	onWait   func(w chat.Wait)
	onLimits func()
	onDone   func(answer chat.Answer, stored store.Message)
	onError  func(what string, err error)

	done bool // set on the UI goroutine before onDone: later paints are stale
}

// start runs the exchange in the background; cancelling ctx stops the answer.
func (m *Main) start(ctx context.Context, x *exchange) {
	m.running.Add(1)
	go func() {
		defer m.running.Done()
		m.runExchange(ctx, x)
	}()
}

func (m *Main) runExchange(ctx context.Context, x *exchange) {
	report := func(what string, err error) {
		if x.onError != nil {
			Do(func() { x.onError(what, err) })
		}
	}
	draft, conv := m.prepare(x, report)

	prefix := ""
	if x.resume != nil {
		prefix = x.resume.Content
	}
	paint := newThrottle(repaintEvery)
	var text strings.Builder
	var answer chat.Answer
	for e := range x.client.Stream(ctx, x.req) {
		switch e := e.(type) {
		case chat.Delta:
			text.WriteString(e.Text)
			if draft != nil {
				draft.Append(e.Text)
			}
			snapshot := prefix + text.String()
			paint.Push(func() {
				if !x.done && x.onText != nil {
					x.onText(snapshot)
				}
			})
		case chat.Wait:
			w := e
			Do(func() {
				if !x.done && x.onWait != nil {
					x.onWait(w)
				}
			})
		case chat.RateLimit:
			if x.onLimits != nil {
				Do(x.onLimits)
			}
		case chat.Done:
			answer = e.Answer
		}
	}
	paint.Flush()

	var stored store.Message
	if draft != nil {
		var err error
		if answer.Content == "" && x.resume == nil && answer.Finish != chat.FinishStop && answer.Finish != chat.FinishLength {
			err = draft.Discard() // nothing to keep: the error is shown, not stored
		} else {
			stored, err = draft.Finish(answer)
		}
		if err != nil {
			report("The answer could not be saved", err)
		}
	}
	if err := m.svc.Record(conv.Profile, x.req.Model, answer); err != nil {
		report("The usage could not be saved", err)
	}
	Do(func() {
		x.done = true
		if x.onDone != nil {
			x.onDone(answer, stored)
		}
		m.tray()
	})
}

// prepare saves the conversation and the question and starts the answer's draft. Failing to
// save never stops the question: the user is told, and the answer still streams.
func (m *Main) prepare(x *exchange, report func(string, error)) (*store.Draft, store.Conversation) {
	conv := x.conv
	st, err := m.svc.History()
	if err != nil {
		report("The conversation is not being saved", err)
		return nil, conv
	}
	if conv.ID == 0 {
		if conv, err = st.CreateConversation(conv); err != nil {
			report("The conversation is not being saved", err)
			return nil, x.conv
		}
	}
	var question store.Message
	if x.resume == nil && x.questionID == 0 {
		if question, err = st.Append(store.Message{ConversationID: conv.ID, Role: chat.User, Content: x.question}); err != nil {
			report("The question could not be saved", err)
			return nil, conv
		}
	}
	if x.onSaved != nil {
		Do(func() { x.onSaved(conv, question) })
	}
	var draft *store.Draft
	if x.resume != nil {
		draft, err = st.ResumeAnswer(*x.resume)
	} else {
		draft, err = st.StartAnswer(conv.ID, x.req.Model)
	}
	if err != nil {
		report("The answer is not being saved", err)
		return nil, conv
	}
	return draft, conv
}
