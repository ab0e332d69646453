package ask

import (
	"context"

	"parley/chat"
	"parley/chat/store"
)

// Pending lists the background answers no Parley is following: left running, or left by a
// Parley that stopped. Follow finishes them.
func (a *Asker) Pending() ([]store.Message, error) {
	st, err := a.deps.History()
	if err != nil {
		return nil, err
	}
	return st.Pending()
}

// Following says how a background answer is taken up.
type Following struct {
	// LeaveRunning: stopping it (ctx) leaves it running on OpenAI, instead of cancelling it.
	LeaveRunning bool
	// Once looks once: the answer is saved if it is done, and left as it is if not.
	Once bool
}

// Follow finishes a background answer from Pending through client: it claims it (ok is false
// when another Parley has it), reads it again from OpenAI as it is made or once it is done,
// saves it and counts its cost, reporting as Start does.
func (a *Asker) Follow(ctx context.Context, client *chat.Client, m store.Message, how Following) (*Run, bool, error) {
	st, err := a.deps.History()
	if err != nil {
		return nil, false, err
	}
	conv, err := st.Conversation(m.ConversationID)
	if err != nil {
		return nil, false, err
	}
	path, err := st.PathTo(m.ID)
	if err != nil {
		return nil, false, err
	}
	x := Exchange{Conversation: conv, Background: true, LeaveRunning: how.LeaveRunning}
	x.Messages = path[:max(len(path)-1, 0)] // what it answers, on its own branch
	if m.Model != "" {
		x.Conversation.Model = m.Model
	}
	draft, ok, err := st.Follow(m)
	if err != nil || !ok {
		return nil, false, err
	}
	r := &Run{events: make(chan Event, 64)}
	s := &saver{ready: make(chan struct{}), conv: conv, draft: draft}
	close(s.ready)
	id := m.ResponseID
	go a.read(ctx, client, x, m, r, s, func(ctx context.Context, req chat.Request) <-chan chat.Event {
		if how.Once {
			return client.CheckBackground(ctx, req, id)
		}
		return client.ResumeBackground(ctx, req, id)
	})
	return r, true, nil
}
