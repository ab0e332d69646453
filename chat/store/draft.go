package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"parley/chat"
)

// checkpointEvery is how often a streaming answer is saved: killing Parley mid-answer loses at
// most this much text.
const checkpointEvery = time.Second

// A background answer lives on OpenAI, not in its writer: while nothing new comes (it is queued,
// or thinking), its writer only says it is alive, every claimHeartbeat, and another Parley takes
// it up once it has been silent for ClaimStaleAfter. Ten followed answers then cost a few writes
// a minute, not ten a second.
const (
	claimHeartbeat  = 10 * time.Second
	ClaimStaleAfter = 30 * time.Second
)

// Draft is an answer being streamed into the history. It saves itself every second until
// Finish, so a crash loses at most a second of text.
type Draft struct {
	s    *Store
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	msg     Message
	text    strings.Builder
	base    Message // what a resumed answer held before: its usage and cost add up
	saveErr error
	// claim is this writer's hold on a background answer it follows ("" for the rest): another
	// Parley's claim makes it lost, and then it saves nothing. held is what the followed answer
	// held before: its text is read again from the start, and what is longer stays.
	claim string
	lost  bool
	held  string
	// version counts the changes (text, response); saved is the version last saved, at savedAt.
	version, saved int
	savedAt        time.Time
}

// StartAnswer adds an empty, streaming answer to a conversation and starts checkpointing it.
func (s *Store) StartAnswer(conversation int64, model string) (*Draft, error) {
	return s.startAnswer(Message{ConversationID: conversation}, -1, model)
}

// StartAnswerTo adds an empty, streaming answer after question, beside any answer it has (a
// regenerated answer), and starts checkpointing it.
func (s *Store) StartAnswerTo(question Message, model string) (*Draft, error) {
	return s.startAnswer(question, question.ID, model)
}

func (s *Store) startAnswer(in Message, parent int64, model string) (*Draft, error) {
	m, err := s.appendAfter(Message{ConversationID: in.ConversationID, Role: chat.Assistant, Model: model, Finish: Streaming}, parent)
	if err != nil {
		return nil, err
	}
	d := &Draft{s: s, msg: m, stop: make(chan struct{}), done: make(chan struct{})}
	go d.checkpoint()
	return d, nil
}

// ResumeAnswer continues an answer that was stopped or interrupted: new text is added to what
// it holds, and the usage and cost of both parts add up.
func (s *Store) ResumeAnswer(m Message) (*Draft, error) {
	base := m
	m.Finish, m.Error = Streaming, ""
	if err := s.UpdateMessage(m); err != nil {
		return nil, err
	}
	d := &Draft{s: s, msg: m, base: base, stop: make(chan struct{}), done: make(chan struct{})}
	d.text.WriteString(m.Content)
	go d.checkpoint()
	return d, nil
}

// ErrClaimLost says another Parley took over a background answer this one was following: it
// saves it, this one does not.
var ErrClaimLost = errors.New("another Parley is saving this answer")

// Follow claims a background answer no Parley follows (from Pending) and starts checkpointing
// it as it is read again. It reports false, and no draft, when another Parley claimed it first.
func (s *Store) Follow(m Message) (*Draft, bool, error) {
	claim := newUID()
	now := s.now()
	res, err := s.db.Exec(`UPDATE messages SET finish = ?, claim = ?, updated = ? WHERE id = ? AND `+pendingWhere,
		string(Streaming), claim, ms(now), m.ID, string(chat.FinishBackground), string(Streaming), ms(now.Add(-ClaimStaleAfter)))
	if err != nil {
		return nil, false, wrap("taking up a background answer", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, false, nil
	}
	m.Finish, m.Error, m.Updated = Streaming, "", now
	d := &Draft{s: s, msg: m, claim: claim, held: m.Content, stop: make(chan struct{}), done: make(chan struct{}), savedAt: now}
	go d.checkpoint()
	return d, true, nil
}

// newUID is a random id: a conversation's, or a writer's claim on an answer.
func newUID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SetResponseID names the background response the answer is being made by, and saves it at
// once: from now on a Parley that stops leaves it to be fetched, not lost.
func (d *Draft) SetResponseID(id string) error {
	d.mu.Lock()
	d.msg.ResponseID = id
	d.version++
	m, version := d.current(), d.version
	d.mu.Unlock()
	return d.save(m, version)
}

// current is the answer as it stands; d.mu is held.
func (d *Draft) current() Message {
	m := d.msg
	m.Content = d.text.String()
	if len(m.Content) < len(d.held) {
		m.Content = d.held
	}
	return m
}

// save checkpoints the answer as it was at version, under its claim.
func (d *Draft) save(m Message, version int) error {
	ok, err := d.s.updateClaimed(m, d.claim, d.claim)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.saveErr = err
	if err == nil && !ok {
		d.lost = true
	}
	if err == nil {
		d.saved, d.savedAt = max(d.saved, version), d.s.now()
	}
	return err
}

// due tells whether a checkpoint has anything to say: something new, or, with nothing new, that
// the writer is alive (every tick for an ordinary answer, every claimHeartbeat for a background
// one). d.mu is held.
func (d *Draft) due() bool {
	if d.version != d.saved || d.msg.ResponseID == "" {
		return true
	}
	return d.s.now().Sub(d.savedAt) >= claimHeartbeat
}

// Message is the answer as stored when it started (its id and place).
func (d *Draft) Message() Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.msg
}

// Append adds streamed text.
func (d *Draft) Append(text string) {
	d.mu.Lock()
	d.text.WriteString(text)
	d.version++
	d.mu.Unlock()
}

// everyCheckpoint ticks every checkpointEvery.
func everyCheckpoint() (<-chan time.Time, func()) {
	t := time.NewTicker(checkpointEvery)
	return t.C, t.Stop
}

func (d *Draft) checkpoint() {
	defer close(d.done)
	ticks, stop := d.s.ticks()
	defer stop()
	for {
		select {
		case <-d.stop:
			return
		case <-ticks:
			d.mu.Lock()
			m, version, due := d.current(), d.version, !d.lost && d.due()
			d.mu.Unlock()
			if due {
				// Saved even when no text came: the fresh timestamp says the writer is alive.
				d.save(m, version)
			}
		}
	}
}

// Finish stops checkpointing and saves the answer as it ended: all its text, and what it cost.
// A background answer another Parley took over is not saved here (ErrClaimLost).
func (d *Draft) Finish(a chat.Answer) (Message, error) {
	close(d.stop)
	<-d.done
	d.mu.Lock()
	m := Settle(d.msg, d.base, a)
	if len(m.Content) < len(d.held) {
		m.Content = d.held // read again only in part: what was there stays
	}
	lost, claim := d.lost, d.claim
	d.mu.Unlock()
	if lost {
		return m, ErrClaimLost
	}
	ok, err := d.s.updateClaimed(m, claim, "")
	if err == nil && !ok {
		err = ErrClaimLost
		if claim == "" {
			err = ErrNotFound
		}
	}
	return m, err
}

// Settle is an answer message as it ended: what it held before (base, for a resumed answer;
// zero otherwise) and what the engine answered, their usage and cost added up.
func Settle(m, base Message, a chat.Answer) Message {
	m.Content = base.Content + a.Content
	if a.Model != "" {
		m.Model = a.Model
	}
	m.Usage = a.Usage
	m.Usage.PromptTokens += base.Usage.PromptTokens
	m.Usage.CachedTokens += base.Usage.CachedTokens
	m.Usage.CompletionTokens += base.Usage.CompletionTokens
	m.Usage.ReasoningTokens += base.Usage.ReasoningTokens
	m.Usage.CacheWriteTokens += base.Usage.CacheWriteTokens
	m.Usage.Estimated = a.Usage.Estimated || base.Usage.Estimated
	m.Thinking, m.ThinkingTime, m.API = a.Thinking, a.ThinkingTime, a.API
	m.Items, m.ItemsModel = a.Items, ""
	if len(a.Items) > 0 {
		m.ItemsModel = m.Model
	}
	if base.ID != 0 {
		// A continued answer's items describe only its second part: the text is what goes back.
		m.Items, m.ItemsModel = nil, ""
		m.Thinking = strings.TrimSpace(base.Thinking + "\n\n" + a.Thinking)
		m.ThinkingTime = base.ThinkingTime + a.ThinkingTime
	}
	m.Cost = a.Cost
	if base.ID != 0 {
		m.Cost = chat.Cost{USD: a.Cost.USD + base.Cost.USD, Known: a.Cost.Known && (base.Cost.Known || base.Usage.Total() == 0)}
	}
	if a.ResponseID != "" {
		m.ResponseID = a.ResponseID
	}
	m.Finish = a.Finish
	m.Error = ""
	if a.Err != nil {
		m.Error = a.Err.UserMessage()
	}
	return m
}

// Discard removes an answer that never got any text (it failed before the first word).
func (d *Draft) Discard() error {
	close(d.stop)
	<-d.done
	d.mu.Lock()
	m := d.msg
	d.mu.Unlock()
	_, err := d.s.db.Exec(`DELETE FROM messages WHERE id = ?`, m.ID)
	return wrap("removing the empty answer", err)
}

// Err is the last checkpoint's failure (a full disk, say), nil when it saved.
func (d *Draft) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.saveErr
}
