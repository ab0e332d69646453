package ask

import (
	"parley/chat"
	"parley/chat/store"
	"parley/chat/tokens"
)

// Recover settles the answers a Parley that stopped (killed, crashed, powered off) left being
// written: each is marked interrupted, its prompt and its text counted by Parley (marked
// estimated, as the server's own count never came), priced at its model's price, and counted in
// the usage meter, once however many Parleys recover at the same time. It returns how many it
// settled.
func (a *Asker) Recover(st *store.Store) (int, error) {
	lost, err := st.Abandoned()
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, m := range lost {
		conv, err := st.Conversation(m.ConversationID)
		if err != nil {
			return settled, err
		}
		path, err := st.PathTo(m.ID)
		if err != nil {
			return settled, err
		}
		before := path[:max(len(path)-1, 0)] // what it answered, on its own branch
		model := m.Model
		if model == "" {
			model = conv.Model
		}
		conv.Model = model
		m.Usage, m.Cost = a.estimate(Request(Exchange{Conversation: conv, Messages: before}), m.Content)
		ok, err := st.SettleAbandoned(m)
		if err != nil {
			return settled, err
		}
		if !ok {
			continue // another Parley settled it
		}
		settled++
		if a.deps.Record != nil && m.Usage.Total() > 0 {
			answer := chat.Answer{Content: m.Content, Model: model, Finish: chat.FinishInterrupted, Usage: m.Usage, Cost: m.Cost, Ended: m.Updated}
			if err := a.deps.Record(conv.Profile, model, answer); err != nil {
				return settled, err
			}
		}
	}
	return settled, nil
}

// estimate counts what an answer cut off with no usage report cost: the request it answered and
// its text, priced at its model's price.
func (a *Asker) estimate(req chat.Request, text string) (chat.Usage, chat.Cost) {
	info := chat.ModelInfo{ID: req.Model}
	if a.deps.Models != nil {
		info = a.deps.Models(req.Model)
	}
	if info.Encoding == "" {
		info.Encoding = tokens.EncodingFor(req.Model)
	}
	counter := tokens.Default()
	u := chat.Usage{Estimated: true}
	if len(req.Messages) > 0 {
		if fit, err := chat.FitRequest(counter, info, req); err == nil {
			u.PromptTokens = fit.PromptTokens
		}
	}
	u.CompletionTokens, _ = counter.Text(info.Encoding, text)
	return u, chat.CostOf(u, info.Price)
}
