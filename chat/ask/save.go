package ask

import (
	"errors"
	"strings"
	"sync"

	"parley/chat"
	"parley/chat/store"
)

// saver keeps an exchange in the history as it happens: the conversation and the question
// first, then the answer, checkpointed every second by a store.Draft, so even a killed process
// leaves it behind. It gets ready alongside the request: text that arrives first waits in
// memory.
type saver struct {
	ready chan struct{} // closed when the history is ready, or could not be

	mu         sync.Mutex
	conv       store.Conversation
	draft      *store.Draft
	failed     bool
	pending    strings.Builder
	responseID string // a background answer's response, saved once the draft is ready
}

// save starts saving the exchange in the background.
func (a *Asker) save(x Exchange, last store.Message, emit func(Event)) *saver {
	s := &saver{ready: make(chan struct{}), conv: x.Conversation}
	if x.NoSave || a.deps.History == nil {
		s.failed = true
		close(s.ready)
		return s
	}
	go func() {
		defer close(s.ready)
		conv, question, draft, what, err := a.prepare(x, last)
		s.mu.Lock()
		s.conv, s.draft, s.failed = conv, draft, draft == nil
		if draft != nil && s.pending.Len() > 0 {
			draft.Append(s.pending.String())
		}
		if draft != nil && s.responseID != "" {
			if err := draft.SetResponseID(s.responseID); err != nil {
				emit(Warning{What: "The answer's place on OpenAI could not be saved: if Parley stops now, it is lost", Err: err})
			}
		}
		s.pending.Reset()
		s.mu.Unlock()
		if conv.ID != 0 {
			emit(Saved{Conversation: conv, Question: question})
		}
		if err != nil {
			emit(Warning{What: what, Err: err})
		}
	}()
	return s
}

// prepare saves the conversation and the question and starts the answer's draft. It returns
// what it could save, and what it could not.
func (a *Asker) prepare(x Exchange, last store.Message) (conv store.Conversation, question store.Message, draft *store.Draft, what string, err error) {
	conv = x.Conversation
	st, err := a.deps.History()
	if err != nil {
		return conv, question, nil, "The conversation is not being saved", err
	}
	if conv.ID == 0 {
		if conv.Title == "" {
			conv.Title = store.TitleFrom(last.Content)
		}
		if conv, err = st.CreateConversation(conv); err != nil {
			return x.Conversation, question, nil, "The conversation is not being saved", err
		}
	}
	asked := last
	if !x.Resume && last.ID == 0 {
		// A question follows the path shown: after the conversation's end, or beside an
		// earlier question edited and sent again (a new version of it).
		q := store.Message{ConversationID: conv.ID, Role: chat.User, Content: last.Content, Attachments: last.Attachments}
		if question, err = st.AppendAfter(q, savedBefore(x.Messages)); err != nil {
			return conv, question, nil, "The question could not be saved", err
		}
		asked = question
	}
	if x.Resume {
		draft, err = st.ResumeAnswer(last)
	} else {
		draft, err = st.StartAnswerTo(asked, conv.Model) // beside an answer regenerated
	}
	if err != nil {
		return conv, question, nil, "The answer is not being saved", err
	}
	return conv, question, draft, "", nil
}

// savedBefore is the saved message the last one follows on the path shown (0: none, it opens
// the conversation).
func savedBefore(msgs []store.Message) int64 {
	for i := len(msgs) - 2; i >= 0; i-- {
		if msgs[i].ID != 0 {
			return msgs[i].ID
		}
	}
	return 0
}

// background saves the background response the answer is being made by.
func (s *saver) background(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responseID = id
	if s.draft == nil {
		return nil // saved once the draft is ready
	}
	return s.draft.SetResponseID(id)
}

// grow adds streamed text.
func (s *saver) grow(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.draft != nil:
		s.draft.Append(text)
	case !s.failed:
		s.pending.WriteString(text)
	}
}

// finish saves the answer as it ended, or removes it when nothing came that is worth keeping
// (it failed before its first word: the error is shown, not stored), and returns it.
func (s *saver) finish(x Exchange, last store.Message, a chat.Answer, emit func(Event)) Finished {
	<-s.ready
	s.mu.Lock()
	defer s.mu.Unlock()
	var base store.Message
	if x.Resume {
		base = last
		if a.Finish == chat.FinishFailed {
			a.Finish = chat.FinishInterrupted // it still holds what it had: interrupted again
		}
	}
	f := Finished{Answer: a, Conversation: s.conv}
	keep := a.Content != "" || x.Resume || a.Finish == chat.FinishStop || a.Finish == chat.FinishLength || a.ResponseID != ""
	switch {
	case s.draft == nil:
		template := base
		if !x.Resume {
			template = store.Message{ConversationID: s.conv.ID, Role: chat.Assistant, Model: s.conv.Model}
		}
		f.Message = store.Settle(template, base, a)
	case !keep:
		if err := s.draft.Discard(); err != nil {
			emit(Warning{What: "The failed answer could not be removed from the history", Err: err})
		}
		f.Message = store.Settle(s.draft.Message(), base, a)
		f.Message.ID = 0 // gone from the history
	default:
		m, err := s.draft.Finish(a)
		f.Message, f.Saved, f.err = m, err == nil, err
		if err != nil && !errors.Is(err, store.ErrClaimLost) {
			emit(Warning{What: "The answer could not be saved", Err: err})
		}
	}
	return f
}
