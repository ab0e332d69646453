package views

import (
	"context"
	"time"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/widgets"
)

func (v *conversationView) sendOrStop() {
	if v.busy {
		v.stop()
		return
	}
	v.send()
}

// send asks the composer's text.
func (v *conversationView) send() {
	text, files := v.composer.message(), v.composer.files
	if text == "" && len(files) == 0 {
		return
	}
	if v.busy {
		v.m.notify("An answer is being written: Esc stops it, then Enter sends this")
		return
	}
	if v.composer.reading > 0 {
		v.m.notify("A file is still being read: send once its chip shows")
		return
	}
	if !v.m.ready() {
		v.m.ShowSettings()
		return
	}
	v.composer.clear()
	v.items = append(v.items, &item{msg: store.Message{Role: chat.User, Content: text, Attachments: files, Created: time.Now()}})
	v.ask(false)
}

// stop cancels the answer being written; what arrived stays. One being made in the background
// is cancelled on OpenAI too.
func (v *conversationView) stop() {
	if v.cancel != nil {
		v.cancel()
	}
}

// leave stops writing the answer here as the pane moves to another conversation: an ordinary
// one stops, one being made in the background goes on on OpenAI and the window follows it
// (it is saved when done).
func (v *conversationView) leave() {
	if v.run != nil && v.busy {
		v.run.Leave()
	}
	v.stop()
}

// exchange is the conversation as shown, as the use case takes it. Failures shown in place of
// an answer are not part of it.
func (v *conversationView) exchange(resume bool) ask.Exchange {
	p := v.m.profile()
	x := ask.Exchange{Conversation: v.conv, Temperature: p.Temperature, MaxOutput: p.MaxOutput, Resume: resume}
	x.Background, _ = v.background()
	x.Conversation.Model, x.Conversation.SystemPrompt = v.model(), v.system()
	for _, it := range v.items {
		if it.failure == nil {
			x.Messages = append(x.Messages, it.msg)
		}
	}
	return x
}

// ask sends the conversation: its newest question, answered into a new item, or (resume) its
// last answer, continued.
func (v *conversationView) ask(resume bool) {
	x := v.exchange(resume)
	client, _ := v.m.client()
	ctx, cancel := context.WithCancel(context.Background())
	run, err := v.m.svc.Asker.Start(ctx, client, x)
	if err != nil {
		cancel()
		v.m.showError("Nothing was sent", err)
		return
	}
	question := v.lastQuestion()
	var target *item
	if resume {
		target = v.items[len(v.items)-1]
	} else {
		target = &item{msg: store.Message{Role: chat.Assistant, Model: x.Conversation.Model}}
		v.items = append(v.items, target)
	}
	target.streaming, target.failure, target.wait = true, nil, nil
	target.msg.Finish = ""
	v.cancel, v.busy, v.run = cancel, true, run
	if v.backgroundOn {
		v.backgroundOn = false // the toggle is for one question
		v.refreshBackground()
	}
	v.showEmpty()
	v.list.Reload()
	v.list.ScrollToEnd() // the new question and its answer, even when scrolled up
	v.updateSend()
	v.countLater()
	v.startTicker()
	v.m.follow(run, &paneAnswer{v: v, question: question, target: target})
}

// paneAnswer shows one answer in the conversation pane as it is written.
type paneAnswer struct {
	v        *conversationView
	question *item
	target   *item
}

func (a *paneAnswer) saved(s ask.Saved) {
	v := a.v
	if s.Question.ID != 0 && a.question != nil {
		keepVersion(&a.question.msg, s.Question)
	}
	if v.conv.ID == 0 {
		v.conv = s.Conversation
		v.shown()
		v.m.sidebar.reload()
	}
}

func (a *paneAnswer) text(s, thinking string) {
	t := a.target
	t.msg.Content, t.msg.Thinking, t.wait = s, thinking, nil
	if thinking != "" && t.thinkingSince.IsZero() {
		t.thinkingSince = time.Now()
	}
	if s != "" && !t.thinkingSince.IsZero() && t.msg.ThinkingTime == 0 {
		t.msg.ThinkingTime = time.Since(t.thinkingSince)
	}
	a.v.repaint(t)
}

// background marks the answer as being made on OpenAI in background mode.
func (a *paneAnswer) background(b chat.Background) {
	t := a.target
	if t.backgroundSince.IsZero() {
		t.backgroundSince = time.Now()
		a.v.m.backgrounds.writing++
		a.v.m.backgroundsChanged()
	}
	t.backgroundStatus = b.Status
	a.v.repaint(t)
}

func (a *paneAnswer) wait(w chat.Wait) {
	a.target.wait = &w
	a.v.repaint(a.target)
}

func (a *paneAnswer) limits() { a.v.status.refresh() }

func (a *paneAnswer) finished(f ask.Finished) {
	v, t := a.v, a.target
	if !t.backgroundSince.IsZero() {
		t.backgroundSince = time.Time{}
		v.m.backgrounds.writing--
		v.m.backgroundsChanged()
		if f.Answer.Finish == chat.FinishBackground {
			v.m.followPending() // left here: the window follows it until it is done
		} else {
			v.m.tellDone(f)
		}
	}
	t.streaming, t.wait = false, nil
	keepVersion(&t.msg, f.Message)
	if f.Answer.Finish == chat.FinishFailed && f.Answer.Err != nil && f.Message.ID == 0 {
		t.failure = f.Answer.Err
	}
	if f.Answer.Err != nil && f.Answer.Err.Kind == chat.InvalidKey {
		v.m.reconnect() // the key may have changed behind the window's back: Retry takes the keychain's
	}
	if e := f.Answer.Err; e != nil && e.Kind == chat.UnsupportedParam && v.refusedReasoning(e) {
		v.refreshToolbar() // the picker shows what will be sent now
	}
	v.busy, v.cancel, v.run = false, nil, nil
	if t.msg.Versions > 1 || a.question != nil && a.question.msg.Versions > 1 {
		v.refreshVersions() // a version was added, or one not kept (a failure) left
	}
	v.stopTicker()
	v.list.Reload()
	v.updateSend()
	v.countLater()
	v.status.refresh()
	v.m.sidebar.reload()
}

// keepVersion takes saved as what an item shows, keeping its place among its versions (the
// saving does not count them).
func keepVersion(shown *store.Message, saved store.Message) {
	version, versions := shown.Version, shown.Versions
	*shown = saved
	shown.Version, shown.Versions = version, versions
}

// follow reads a run's events in the background and shows them through a screen: text at most
// ~30 times a second, taken when it is painted; the rest as it comes; Finished last.
func (m *Main) follow(run *ask.Run, show answerView) {
	bridge.Go(func() {
		widgets.Prepare() // while the first tokens are on their way
		paint := bridge.NewThrottle(bridge.RepaintEvery, nil)
		done := false // read and written on the UI goroutine only
		paintText := func() {
			if !done {
				show.text(run.Text(), run.Thinking())
			}
		}
		for e := range run.Events() {
			switch e := e.(type) {
			case chat.Delta, chat.Thinking:
				paint.Push(paintText)
			case chat.Wait:
				bridge.Do(func() {
					if !done {
						show.wait(e)
					}
				})
			case chat.Background:
				if b, ok := show.(interface{ background(chat.Background) }); ok {
					bridge.Do(func() {
						if !done {
							b.background(e)
						}
					})
				}
			case chat.RateLimit:
				bridge.Do(show.limits)
			case ask.Saved:
				bridge.Do(func() { show.saved(e) })
			case ask.Warning:
				bridge.Do(func() { m.showError(e.What, e.Err) })
			case ask.Finished:
				paint.Flush()
				bridge.Do(func() {
					done = true
					show.finished(e)
					m.usageChanged()
				})
			}
		}
	})
}

// answerView is a screen that shows an answer as it is written. Its methods run on the UI
// goroutine.
type answerView interface {
	saved(ask.Saved)
	text(answerSoFar, thinkingSoFar string)
	wait(chat.Wait)
	limits()
	finished(ask.Finished)
}

// repaint repaints one item.
func (v *conversationView) repaint(it *item) {
	for i, x := range v.items {
		if x == it {
			v.list.Changed(i)
			return
		}
	}
}

// startTicker repaints waiting countdowns once a second while an answer is being written.
func (v *conversationView) startTicker() {
	v.stopTicker()
	t, quit := time.NewTicker(time.Second), make(chan struct{})
	v.ticker = quit
	go func() {
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				bridge.Do(func() {
					if v.ticker != quit {
						return
					}
					for i, it := range v.items {
						if it.wait != nil || it.streaming && (it.msg.Content == "" && it.msg.Thinking != "" || !it.backgroundSince.IsZero()) { // a countdown, thinking's time, or the background's
							v.list.Changed(i)
						}
					}
					v.status.refresh()
				})
			}
		}
	}()
}

func (v *conversationView) stopTicker() {
	if v.ticker != nil {
		close(v.ticker)
		v.ticker = nil
	}
}
