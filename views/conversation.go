package views

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/markdown"
	"parley/chat/store"
	"parley/settings"
)

// continuePrompt asks the model to pick up a stopped answer; it is sent, never stored.
const continuePrompt = "Continue exactly where your previous answer stopped. Do not repeat anything you already wrote."

// conversationView is the conversation pane: the toolbar, the transcript, the composer with its
// live counts, and the status bar with the rate-limit meters.
type conversationView struct {
	m *Main

	conv  store.Conversation // ID 0 until the first message is saved
	items []*item

	list       *transcript
	empty      fyne.CanvasObject
	stack      *fyne.Container
	composer   *composer
	sendButton *widget.Button
	counts     *widget.RichText
	warning    *widget.RichText
	modelBtn   *widget.Button
	systemBtn  *widget.Button
	status     *statusBar
	content    fyne.CanvasObject

	busy    bool
	cancel  context.CancelFunc
	countMu sync.Mutex
	countID int // the newest count asked for; older results are dropped
	ticker  *time.Ticker
}

func newConversationView(m *Main) *conversationView {
	v := &conversationView{m: m}
	v.list = newTranscript(
		func() int { return len(v.items) },
		func() fyne.CanvasObject { return newMessageRow(v) },
		func(i int, o fyne.CanvasObject) { o.(*messageRow).bind(v.items[i]) },
		func(i int, width float32) float32 { return estimateHeight(v.items[i], width) },
	)
	v.composer = newComposer(v.send, v.stop)
	v.composer.OnChanged = func(string) { v.updateSend(); v.countLater() }
	v.sendButton = &widget.Button{Text: "Send", Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: v.sendOrStop}
	v.counts = widget.NewRichText()
	v.warning = widget.NewRichText()
	v.warning.Wrapping = fyne.TextWrapWord

	v.modelBtn = &widget.Button{Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.LowImportance, OnTapped: v.pickModel}
	v.systemBtn = &widget.Button{Text: "System prompt", Icon: theme.DocumentCreateIcon(), Importance: widget.LowImportance, OnTapped: v.editSystemPrompt}
	toolbar := container.NewHBox(
		v.modelBtn, v.systemBtn, layout.NewSpacer(),
		&widget.Button{Text: "New chat", Icon: theme.ContentAddIcon(), Importance: widget.LowImportance, OnTapped: m.NewChat},
		&widget.Button{Icon: theme.SettingsIcon(), Importance: widget.LowImportance, OnTapped: m.ShowSettings},
	)
	v.empty = m.emptyState()
	v.stack = container.NewStack(v.list, v.empty)
	v.status = newStatusBar(m)
	input := container.NewBorder(nil, nil, nil, container.NewVBox(layout.NewSpacer(), v.sendButton), v.composer)
	bottom := container.NewVBox(input, container.New(&stackLayout{}, v.counts, v.warning), v.status.box)
	v.content = container.NewBorder(container.NewVBox(toolbar, widget.NewSeparator()), container.NewPadded(bottom), nil, nil, v.stack)
	v.showEmpty()
	v.updateSend()
	v.refreshToolbar()
	return v
}

// --- state shown ------------------------------------------------------------------------

func (v *conversationView) showEmpty() {
	if len(v.items) == 0 {
		v.empty.Show()
		v.list.Hide()
	} else {
		v.empty.Hide()
		v.list.Show()
	}
}

func (v *conversationView) refreshToolbar() {
	v.modelBtn.SetText(v.model())
	if v.system() != "" {
		v.systemBtn.SetText("System prompt ✓")
	} else {
		v.systemBtn.SetText("System prompt")
	}
}

func (v *conversationView) updateSend() {
	if v.busy {
		v.sendButton.SetText("Stop")
		v.sendButton.SetIcon(theme.MediaStopIcon())
		v.sendButton.Importance = widget.DangerImportance
		v.sendButton.Enable()
		v.sendButton.Refresh()
		return
	}
	v.sendButton.SetText("Send")
	v.sendButton.SetIcon(theme.MailSendIcon())
	v.sendButton.Importance = widget.HighImportance
	if strings.TrimSpace(v.composer.Text) == "" {
		v.sendButton.Disable()
	} else {
		v.sendButton.Enable()
	}
	v.sendButton.Refresh()
}

// model is the conversation's model, or the profile's for a new chat.
func (v *conversationView) model() string {
	if v.conv.Model != "" {
		return v.conv.Model
	}
	return v.m.profile().Model
}

func (v *conversationView) system() string {
	if v.conv.ID != 0 || v.conv.SystemPrompt != "" {
		return v.conv.SystemPrompt
	}
	return v.m.profile().SystemPrompt
}

func (v *conversationView) focus() {
	v.m.Window.Canvas().Focus(v.composer)
}

// --- opening conversations ----------------------------------------------------------------

// newChat starts an empty conversation with the current profile's defaults.
func (v *conversationView) newChat() {
	v.stop()
	p := v.m.profile()
	v.conv = store.Conversation{Profile: p.Name, Model: p.Model, SystemPrompt: p.SystemPrompt}
	v.items = nil
	v.list.Reset()
	v.showEmpty()
	v.refreshToolbar()
	v.m.setTitle("")
	v.countLater()
	v.focus()
}

// open shows a stored conversation, at message seq (or its end when seq < 0).
func (v *conversationView) open(id int64, seq int) {
	v.stop()
	go func() {
		st, err := v.m.svc.History()
		var conv store.Conversation
		var msgs []store.Message
		if err == nil {
			conv, err = st.Conversation(id)
		}
		if err == nil {
			msgs, err = st.Messages(id)
		}
		Do(func() {
			if err != nil {
				v.m.showError("The conversation could not be opened", err)
				return
			}
			v.conv = conv
			v.items = make([]*item, len(msgs))
			for i, msg := range msgs {
				v.items[i] = &item{msg: msg}
			}
			v.showEmpty()
			v.list.Reset()
			if seq >= 0 && seq < len(v.items) {
				v.list.ScrollTo(seq)
			}
			v.refreshToolbar()
			v.m.setTitle(conv.Title)
			v.countLater()
			v.focus()
			go settleMemory()
		})
	}()
}

// settleMemory gives back, once a conversation is open and counted, the memory that loading it
// needed only for a moment (rows read, text parsed, the tokenizer's tables built).
func settleMemory() {
	time.Sleep(1500 * time.Millisecond)
	debug.FreeOSMemory()
}

// --- sending ------------------------------------------------------------------------------

func (v *conversationView) sendOrStop() {
	if v.busy {
		v.stop()
		return
	}
	v.send()
}

// send asks the composer's text.
func (v *conversationView) send() {
	text := strings.TrimSpace(v.composer.Text)
	if text == "" || v.busy {
		return
	}
	if !v.m.ready() {
		v.m.ShowSettings()
		return
	}
	v.composer.SetText("")
	question := &item{msg: store.Message{Role: chat.User, Content: text, Created: time.Now()}}
	v.items = append(v.items, question)
	v.ask(question, nil)
}

// stop cancels the answer being written; what arrived stays.
func (v *conversationView) stop() {
	if v.cancel != nil {
		v.cancel()
	}
}

// ask sends the conversation up to the newest question, streaming the answer into a new item,
// or into resume (an answer being continued).
func (v *conversationView) ask(question *item, resume *item) {
	p := v.m.profile()
	client, _ := v.m.client()
	req := chat.Request{Model: v.model(), System: v.system(), Temperature: p.Temperature, MaxOutput: p.MaxOutput}
	for _, it := range v.items {
		if it.failure != nil || it.msg.Content == "" || it.msg.Role == chat.System {
			continue
		}
		req.Messages = append(req.Messages, chat.Message{Role: it.msg.Role, Content: it.msg.Content})
	}
	if resume != nil {
		req.Messages = append(req.Messages, chat.Message{Role: chat.User, Content: continuePrompt})
	}
	target := resume
	if target == nil {
		target = &item{msg: store.Message{Role: chat.Assistant, Model: req.Model}}
		v.items = append(v.items, target)
	}
	prefix := target.msg.Content // what a continued answer already holds
	target.streaming, target.failure, target.wait = true, nil, nil
	target.msg.Finish = ""
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel, v.busy = cancel, true
	v.showEmpty()
	v.list.Reload()
	v.updateSend()
	v.countLater()
	v.startTicker()

	x := &exchange{client: client, req: req, conv: v.conv, question: question.msg.Content, questionID: question.msg.ID}
	if x.conv.ID == 0 {
		x.conv.Title = store.TitleFrom(question.msg.Content)
		x.conv.Profile, x.conv.Model, x.conv.SystemPrompt = p.Name, req.Model, req.System
	}
	if resume != nil {
		m := resume.msg
		x.resume = &m
	}
	x.onSaved = func(conv store.Conversation, saved store.Message) {
		if saved.ID != 0 {
			question.msg = saved
		}
		if v.conv.ID == 0 {
			v.conv = conv
			v.m.setTitle(conv.Title)
			v.m.sidebar.reload()
		}
	}
	x.onText = func(text string) {
		target.msg.Content, target.wait = text, nil
		v.changed(target)
	}
	x.onWait = func(w chat.Wait) {
		target.wait = &w
		v.changed(target)
	}
	x.onLimits = v.status.refresh
	x.onError = v.m.showError
	x.onDone = func(answer chat.Answer, stored store.Message) {
		target.streaming, target.wait = false, nil
		if stored.ID != 0 {
			target.msg = stored
		} else { // not saved: show what came anyway
			target.msg.Content = prefix + answer.Content
			if answer.Model != "" {
				target.msg.Model = answer.Model
			}
			target.msg.Usage, target.msg.Cost, target.msg.Finish = answer.Usage, answer.Cost, answer.Finish
			if answer.Err != nil {
				target.msg.Error = answer.Err.Message
			}
		}
		if answer.Finish == chat.FinishFailed && answer.Err != nil {
			target.failure = answer.Err
		}
		v.busy, v.cancel = false, nil
		v.stopTicker()
		v.list.Reload()
		v.updateSend()
		v.countLater()
		v.status.refresh()
		v.m.sidebar.reload()
	}
	v.m.start(ctx, x)
}

// changed repaints one item.
func (v *conversationView) changed(it *item) {
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
	t := time.NewTicker(time.Second)
	v.ticker = t
	go func() {
		for range t.C {
			Do(func() {
				if v.ticker != t {
					return
				}
				for i, it := range v.items {
					if it.wait != nil {
						v.list.Changed(i)
					}
				}
				v.status.refresh()
			})
		}
	}()
}

func (v *conversationView) stopTicker() {
	if v.ticker != nil {
		v.ticker.Stop()
		v.ticker = nil
	}
}

// --- message actions (rowActions) ---------------------------------------------------------

func (v *conversationView) isBusy() bool { return v.busy }

func (v *conversationView) isLastAnswer(it *item) bool {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Role == chat.Assistant {
			return v.items[i] == it
		}
	}
	return false
}

func (v *conversationView) copyText(text string) {
	v.m.Window.Clipboard().SetContent(text)
}

func (v *conversationView) copyMessage(it *item, asMarkdown bool) {
	if asMarkdown {
		v.copyText(it.msg.Content)
	} else {
		v.copyText(plainText(it.msg.Content))
	}
	v.m.notify("Copied to the clipboard")
}

// copyLastAnswer copies the newest answer as Markdown (Ctrl+Shift+C).
func (v *conversationView) copyLastAnswer() {
	for i := len(v.items) - 1; i >= 0; i-- {
		if it := v.items[i]; it.msg.Role == chat.Assistant && it.msg.Content != "" {
			v.copyMessage(it, true)
			return
		}
	}
	v.m.notify("There is no answer to copy yet")
}

// copyConversation copies the whole conversation as Markdown.
func (v *conversationView) copyConversation() {
	var msgs []store.Message
	for _, it := range v.items {
		if it.msg.Content != "" {
			msgs = append(msgs, it.msg)
		}
	}
	if len(msgs) == 0 {
		v.m.notify("There is nothing to copy yet")
		return
	}
	title := v.conv.Title
	if title == "" {
		title = "Conversation"
	}
	v.copyText(markdown.Clipboard(store.Conversation{Title: title}, msgs))
	v.m.notify("Conversation copied as Markdown")
}

// regenerate replaces the last answer with a new one.
func (v *conversationView) regenerate() {
	if v.busy {
		return
	}
	last := -1
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Role == chat.Assistant {
			last = i
			break
		}
	}
	if last < 0 {
		return
	}
	v.replaceFrom(last, func() { v.ask(v.lastQuestion(), nil) })
}

// retry asks again after a failure: the failed answer goes, the question stays.
func (v *conversationView) retry() {
	if v.busy {
		return
	}
	if n := len(v.items); n > 0 && v.items[n-1].failure != nil {
		v.items = v.items[:n-1]
	}
	if q := v.lastQuestion(); q != nil {
		v.ask(q, nil)
	}
}

func (v *conversationView) lastQuestion() *item {
	for i := len(v.items) - 1; i >= 0; i-- {
		if v.items[i].msg.Role == chat.User {
			return v.items[i]
		}
	}
	return nil
}

// continueAnswer asks the model to finish a stopped or interrupted answer.
func (v *conversationView) continueAnswer(it *item) {
	if v.busy || it.msg.ID == 0 {
		return
	}
	v.ask(v.lastQuestion(), it)
}

// editMessage lets the user change an earlier question and send it again; what followed it
// is replaced, after confirmation.
func (v *conversationView) editMessage(it *item) {
	if v.busy {
		return
	}
	index := -1
	for i, x := range v.items {
		if x == it {
			index = i
		}
	}
	if index < 0 {
		return
	}
	entry := widget.NewMultiLineEntry()
	entry.SetText(it.msg.Content)
	entry.Wrapping = fyne.TextWrapWord
	entry.SetMinRowsVisible(6)
	later := len(v.items) - index - 1
	note := "The answer that follows it will be replaced."
	if later != 1 {
		note = fmt.Sprintf("The %d messages that follow it will be replaced.", later)
	}
	d := dialog.NewCustomConfirm("Edit and resend", "Resend", "Cancel",
		container.NewBorder(nil, widget.NewLabel(note), nil, nil, entry), func(ok bool) {
			text := strings.TrimSpace(entry.Text)
			if !ok || text == "" {
				return
			}
			v.replaceFrom(index, func() {
				q := &item{msg: store.Message{Role: chat.User, Content: text, Created: time.Now()}}
				v.items = append(v.items, q)
				v.ask(q, nil)
			})
		}, v.m.Window)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}

// replaceFrom removes items from index on (in the history too), then runs next.
func (v *conversationView) replaceFrom(index int, next func()) {
	seq := -1
	for _, it := range v.items[index:] {
		if it.msg.ID != 0 {
			seq = it.msg.Seq
			break
		}
	}
	v.items = v.items[:index]
	v.list.Reload()
	id := v.conv.ID
	go func() {
		var err error
		if id != 0 && seq >= 0 {
			var st *store.Store
			if st, err = v.m.svc.History(); err == nil {
				err = st.TruncateFrom(id, seq)
			}
		}
		Do(func() {
			if err != nil {
				v.m.showError("The later messages could not be removed from the history", err)
			}
			next()
		})
	}()
}

func (v *conversationView) openSettings() { v.m.ShowSettings() }

// --- toolbar ------------------------------------------------------------------------------

func (v *conversationView) pickModel() {
	v.m.pickModel(v.model(), func(id string) {
		v.conv.Model = id
		v.refreshToolbar()
		v.countLater()
		if v.conv.ID != 0 {
			conv := v.conv
			go v.m.saveConversation(conv)
		}
	})
}

func (v *conversationView) editSystemPrompt() {
	entry := widget.NewMultiLineEntry()
	entry.SetText(v.system())
	entry.Wrapping = fyne.TextWrapWord
	entry.SetPlaceHolder("How the assistant should behave in this conversation, e.g. “Answer briefly, in British English.”")
	entry.SetMinRowsVisible(8)
	d := dialog.NewCustomConfirm("System prompt for this conversation", "Save", "Cancel", entry, func(ok bool) {
		if !ok {
			return
		}
		v.conv.SystemPrompt = strings.TrimSpace(entry.Text)
		v.refreshToolbar()
		v.countLater()
		if v.conv.ID != 0 {
			conv := v.conv
			go v.m.saveConversation(conv)
		}
	}, v.m.Window)
	d.Resize(fyne.NewSize(600, 380))
	d.Show()
}

// --- live counts --------------------------------------------------------------------------

// countLater recounts the request being typed, off the UI goroutine: typing never waits for
// the tokenizer, even in a conversation of 100,000 tokens (whose counts are cached).
// forgetCounts drops the counts still being made: nothing is shown after Parley shuts down.
func (v *conversationView) forgetCounts() {
	v.countMu.Lock()
	v.countID++
	v.countMu.Unlock()
}

func (v *conversationView) countLater() {
	v.countMu.Lock()
	v.countID++
	id := v.countID
	v.countMu.Unlock()
	if len(v.items) == 0 && strings.TrimSpace(v.composer.Text) == "" {
		// Nothing to count yet: the tokenizer (tens of megabytes) loads on the first keystroke.
		v.counts.Segments, v.warning.Segments = nil, nil
		v.counts.Refresh()
		v.warning.Refresh()
		return
	}
	p := v.m.profile()
	client, _ := v.m.client()
	req := chat.Request{Model: v.model(), System: v.system(), MaxOutput: p.MaxOutput}
	for _, it := range v.items {
		if it.failure == nil && it.msg.Content != "" {
			req.Messages = append(req.Messages, chat.Message{Role: it.msg.Role, Content: it.msg.Content})
		}
	}
	draft := v.composer.Text
	req.Messages = append(req.Messages, chat.Message{Role: chat.User, Content: draft})
	reading := v.m.svc.Meter.Reading(p, req.Model)
	go func() {
		time.Sleep(120 * time.Millisecond) // let a burst of keystrokes settle
		v.countMu.Lock()
		latest := v.countID == id
		v.countMu.Unlock()
		if !latest {
			return
		}
		fit, err := client.Fit(req)
		model := client.Model(req.Model)
		Do(func() {
			v.countMu.Lock()
			latest := v.countID == id
			v.countMu.Unlock()
			if latest {
				v.showCounts(draft, model, fit, err, reading)
			}
		})
	}()
}

// showCounts writes the counts under the composer: this message, the whole request against the
// context window, the cost of sending, and warnings.
func (v *conversationView) showCounts(draft string, model chat.ModelInfo, fit chat.Fit, err error, reading settings.Reading) {
	muted := smallStyle(colorMuted, false)
	message := 0
	if strings.TrimSpace(draft) != "" {
		message = fit.LastTokens
	}
	window := "unknown context window"
	if fit.Window > 0 {
		window = thousands(fit.Window)
	}
	parts := []string{
		fmt.Sprintf("This message: %s tokens", thousands(message)),
		fmt.Sprintf("Request: %s / %s", thousands(fit.PromptTokens), window),
	}
	if model.Price.Known {
		cost := chat.CostOf(chat.Usage{PromptTokens: fit.PromptTokens}, model.Price)
		if c := dollars(cost.USD); strings.HasPrefix(c, "<") {
			parts = append(parts, c+" to send")
		} else {
			parts = append(parts, "≈"+c+" to send")
		}
	} else {
		parts = append(parts, "price unknown")
	}
	v.counts.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: strings.Join(parts, "  ·  "), Style: muted}}
	v.counts.Refresh()

	var warns []string
	var ce *chat.Error
	switch {
	case errors.As(err, &ce) && ce.Kind == chat.ContextTooLong:
		warns = append(warns, ce.Message)
	case err != nil:
		warns = append(warns, "Could not count tokens: "+err.Error())
	}
	if fit.Dropped > 0 {
		warns = append(warns, fmt.Sprintf("%d older messages will be left out to fit the context window.", fit.Dropped))
	}
	if left := reading.TPM.Limit - reading.TPM.Used; reading.TPM.Limit > 0 && float64(fit.PromptTokens) > left {
		warns = append(warns, fmt.Sprintf("This request (%s tokens) is more than the %s tokens per minute you have left: Parley will wait for the limit to refill.",
			thousands(fit.PromptTokens), thousands(int(max(left, 0)))))
	}
	v.warning.Segments = nil
	if len(warns) > 0 {
		v.warning.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: strings.Join(warns, "\n"), Style: smallStyle(colorMeterWarn, true)}}
	}
	v.warning.Refresh()
}
