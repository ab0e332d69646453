package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/store"
	"parley/views/format"
	"parley/views/widgets"
)

// item is one message as the conversation shows it: what is stored, and what is happening to
// it right now.
type item struct {
	msg       store.Message
	streaming bool
	failure   *chat.Error // an error shown where the answer would be
	wait      *chat.Wait  // the engine is waiting before it sends (rate limit, retry)
	unfolded  int         // how much of a long message the user asked to see (foldAt at first)
	marks     []string    // words to highlight: the search that opened the conversation found them here
	// thinkingOpen shows the model's thinking in full; thinkingSince is when it began to think
	// (while the answer is written).
	thinkingOpen  bool
	thinkingSince time.Time
	// backgroundSince is when the answer being written went to OpenAI in background mode (zero:
	// it did not), and backgroundStatus where it stands there (queued, in_progress).
	backgroundSince  time.Time
	backgroundStatus string
}

// rowActions are what a message's buttons do.
type rowActions interface {
	copyMessage(it *item, asMarkdown bool)
	links() widgets.Actions
	regenerate()
	continueAnswer(it *item)
	editMessage(it *item)
	retry()
	openSettings()
	toggleThinking(it *item)
	lowerEffort()
	isLastAnswer(it *item) bool
	unfold(it *item)
	isBusy() bool
	cancelBackground(it *item)
	openFile(f store.Attachment)
	switchVersion(it *item, delta int)
	deleteVersion(it *item)
}

// messageRow shows one message. Rows are recycled as the transcript scrolls: bind gives a row
// its message.
type messageRow struct {
	widget.BaseWidget
	actions rowActions
	box     *fyne.Container
	md      widgets.MarkdownCache // the answer's rendered blocks, reused while it streams
	it      *item                 // the message shown

	// The parts every message has are built once per row and kept as it is recycled: building
	// buttons again on every bind (their icons parsed and sized again) was most of the work of
	// scrolling a long conversation, and most of its garbage.
	userName                     *widget.RichText
	userFooter                   *fyne.Container
	edit, userCopy               *widget.Button
	answerBar, answerButtons     *fyne.Container
	meta                         *widget.RichText
	answerCopy, answerMD, regen  *widget.Button
	writing                      *widget.RichText // "… is writing", under an answer being written
	userVersions, answerVersions *versionSwitch
}

func newMessageRow(actions rowActions) *messageRow {
	r := &messageRow{actions: actions, box: container.New(&widgets.Stack{Gap: 2})}
	r.userName = widget.NewRichText(&widget.TextSegment{Text: "You", Style: smallStyle(widgets.ColorMuted, true)})
	r.edit = lowButton("Edit", theme.DocumentCreateIcon(), func() { r.actions.editMessage(r.it) })
	r.userCopy = lowButton("", theme.ContentCopyIcon(), func() { r.actions.copyMessage(r.it, false) })
	r.userVersions, r.answerVersions = newVersionSwitch(r), newVersionSwitch(r)
	r.userFooter = container.NewHBox(r.userVersions.box, layout.NewSpacer(), r.edit, r.userCopy)
	r.meta = widget.NewRichText(&widget.TextSegment{Style: smallStyle(widgets.ColorMuted, false)})
	r.answerCopy = lowButton("", theme.ContentCopyIcon(), func() { r.actions.copyMessage(r.it, false) })
	r.answerMD = lowButton("MD", theme.DocumentIcon(), func() { r.actions.copyMessage(r.it, true) })
	r.regen = lowButton("Regenerate", theme.ViewRefreshIcon(), func() { r.actions.regenerate() })
	r.answerButtons = container.NewHBox(r.answerCopy, r.answerMD, r.regen)
	r.answerBar = container.NewBorder(nil, nil, r.answerVersions.box, r.answerButtons, r.meta)
	r.writing = widget.NewRichText(&widget.TextSegment{Style: smallStyle(widgets.ColorMuted, false)})
	r.ExtendBaseWidget(r)
	return r
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}

// MinSize is the row's height at its current width.
func (r *messageRow) MinSize() fyne.Size {
	r.box.Resize(fyne.NewSize(r.Size().Width, r.box.Size().Height))
	return r.box.MinSize()
}

func (r *messageRow) Resize(s fyne.Size) {
	r.BaseWidget.Resize(s)
	r.box.Resize(s)
}

// bind shows a message.
func (r *messageRow) bind(it *item) {
	r.it = it
	var objs []fyne.CanvasObject
	switch it.msg.Role {
	case chat.User:
		objs = r.userMessage(it)
	default:
		objs = r.answer(it)
	}
	r.box.Objects = objs
	r.box.Refresh()
}

func (r *messageRow) userMessage(it *item) []fyne.CanvasObject {
	content, folded := it.shown()
	text := widgets.NewMarkedParagraph(content, widget.RichTextStyleParagraph, it.marks)
	enable(r.edit, !r.actions.isBusy())
	r.userVersions.show(it, r.actions.isBusy())
	footer := r.userFooter
	inside := []fyne.CanvasObject{r.userName, text}
	if len(it.msg.Attachments) > 0 {
		inside = append(inside, r.fileCards(it))
	}
	bubble := container.NewStack(widgets.NewThemedRect(widgets.ColorUserBubble, 10), container.NewPadded(container.New(&widgets.Stack{Gap: 0}, inside...)))
	if folded {
		return []fyne.CanvasObject{bubble, r.foldNotice(it), footer}
	}
	return []fyne.CanvasObject{bubble, footer}
}

func (r *messageRow) answer(it *item) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	if compacted(it.msg) {
		objs = append(objs, notice(theme.InfoIcon(), "The server compacted the conversation before this answer: the model now reads a summary of what came before. You still see all of it here.", widgets.ColorMuted))
	}
	if it.msg.Thinking != "" {
		objs = append(objs, r.thinkingBlock(it))
	}
	if it.msg.Content != "" {
		content, folded := it.shown()
		act := r.actions.links()
		act.Marks = it.marks
		if it.streaming {
			objs = append(objs, r.md.RenderGrowing(content, act))
		} else {
			objs = append(objs, r.md.Render(content, act))
		}
		if folded {
			objs = append(objs, r.foldNotice(it))
		}
	}
	switch {
	case it.wait != nil:
		objs = append(objs, waitNotice(it.wait))
	case it.streaming && !it.backgroundSince.IsZero():
		objs = append(objs, backgroundLine(it))
	case it.streaming:
		objs = append(objs, setText(r.writing, it.msg.Model+" is writing…  (Esc to stop)"))
	case pending(it):
		objs = append(objs, r.pendingNotice(it))
	}
	if it.failure != nil {
		objs = append(objs, r.failureBox(it.failure))
	}
	switch it.msg.Finish {
	case chat.FinishStopped:
		objs = append(objs, r.endNotice(it, theme.MediaStopIcon(), "Stopped before the end."))
	case chat.FinishInterrupted:
		objs = append(objs, r.endNotice(it, theme.WarningIcon(), "Interrupted: "+it.msg.Error))
	case chat.FinishLength:
		if it.msg.Content == "" && it.msg.Usage.ReasoningTokens > 0 {
			objs = append(objs, r.budgetSpent(it))
		} else {
			objs = append(objs, r.endNotice(it, theme.WarningIcon(), "Cut short: the output limit was reached."))
		}
	case chat.FinishContentFilter:
		objs = append(objs, r.endNotice(it, theme.WarningIcon(), "The server withheld the rest of this answer (content filter)."))
	case chat.FinishFailed:
		if it.failure == nil && it.msg.Error != "" { // a background answer that failed while Parley was away
			objs = append(objs, notice(theme.ErrorIcon(), it.msg.Error, widgets.ColorMuted))
		}
	}
	if !it.streaming && it.msg.Content != "" {
		objs = append(objs, r.answerFooter(it))
	}
	return objs
}

// thinkingBlock is the model's thinking, folded under one line: how long it thought, and a
// tap (or Enter on it) to read it. While it thinks, the line counts the seconds.
func (r *messageRow) thinkingBlock(it *item) fyne.CanvasObject {
	label := "Thinking"
	switch {
	case it.streaming && it.msg.Content == "":
		label = "Thinking… " + format.Duration(time.Since(it.thinkingSince))
	case it.msg.ThinkingTime > 0:
		label = "Thought for " + format.Duration(it.msg.ThinkingTime)
	}
	icon := theme.MenuExpandIcon()
	if it.thinkingOpen {
		icon = theme.MenuDropDownIcon()
	}
	head := &widget.Button{Text: label, Icon: icon, Importance: widget.LowImportance, Alignment: widget.ButtonAlignLeading,
		OnTapped: func() { r.actions.toggleThinking(it) }}
	if !it.thinkingOpen {
		return container.NewHBox(head)
	}
	body := widgets.NewMarkedParagraph(it.msg.Thinking, smallStyle(widgets.ColorMuted, false), nil)
	return container.New(&widgets.Stack{Gap: 0}, container.NewHBox(head), widgets.Quote(body))
}

// compacted tells an answer whose items begin with the server's compaction of what came before.
func compacted(m store.Message) bool {
	for _, raw := range m.Items {
		if strings.Contains(string(raw), `"type":"compaction"`) {
			return true
		}
	}
	return false
}

// budgetSpent says an answer spent its whole output budget thinking and wrote nothing, and
// offers what helps: less effort, or a higher limit.
func (r *messageRow) budgetSpent(it *item) fyne.CanvasObject {
	text := fmt.Sprintf("The model spent its whole output budget (%s tokens) thinking, and wrote no answer. Lower the effort, or raise the limit on output tokens.",
		format.Thousands(it.msg.Usage.CompletionTokens))
	note := notice(theme.WarningIcon(), text, widgets.ColorMeterWarn)
	if it.streaming || !r.actions.isLastAnswer(it) {
		return note
	}
	lower := lowButton("Retry at lower effort", theme.ViewRefreshIcon(), r.actions.lowerEffort)
	limit := lowButton("Raise the limit…", theme.SettingsIcon(), r.actions.openSettings)
	if r.actions.isBusy() {
		lower.Disable()
	}
	return container.New(&widgets.Stack{Gap: 2}, note, container.NewHBox(lower, limit))
}

// endNotice marks an answer that did not finish, and offers to continue it.
func (r *messageRow) endNotice(it *item, icon fyne.Resource, text string) fyne.CanvasObject {
	note := notice(icon, text, widgets.ColorMuted)
	if it.streaming || it.msg.Finish == chat.FinishContentFilter || !r.actions.isLastAnswer(it) {
		return note // only the last answer can be continued
	}
	cont := lowButton("Continue", theme.MediaPlayIcon(), func() { r.actions.continueAnswer(it) })
	if r.actions.isBusy() {
		cont.Disable()
	}
	return container.NewBorder(nil, nil, nil, cont, note)
}

// answerFooter is the line under a finished answer: what it cost, and its buttons.
func (r *messageRow) answerFooter(it *item) fyne.CanvasObject {
	setText(r.meta, answerMeta(it.msg))
	last := r.actions.isLastAnswer(it)
	if last != r.regen.Visible() {
		r.regen.Hidden = !last
		r.answerButtons.Refresh()
	}
	enable(r.regen, !r.actions.isBusy())
	r.answerVersions.show(it, r.actions.isBusy())
	return r.answerBar
}

// setText changes the text of a one-segment line kept by a row, refreshing it only when it
// changes (its text is drawn again only then), and returns it.
func setText(line *widget.RichText, text string) *widget.RichText {
	if seg := line.Segments[0].(*widget.TextSegment); seg.Text != text {
		seg.Text = text
		line.Refresh()
	}
	return line
}

// enable enables or disables a button, refreshing it only when that changes.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// answerMeta is the line under an answer: model, tokens and cost. An answer that says nothing of
// its usage (imported from ChatGPT or Claude) shows its model only: "price unknown" would
// suggest Parley should know it.
func answerMeta(m store.Message) string {
	parts := []string{m.Model}
	if m.Usage.Total() > 0 {
		parts = append(parts, format.Usage(m.Usage))
	}
	if m.Usage.Total() > 0 || m.Cost.Known {
		parts = append(parts, format.Cost(m.Cost))
	}
	return strings.Join(parts, " · ")
}

// failureBox shows an error where the answer would be, in plain words, with what to do.
func (r *messageRow) failureBox(e *chat.Error) fyne.CanvasObject {
	title := widget.NewRichText(&widget.TextSegment{Text: e.Message, Style: widget.RichTextStyle{
		ColorName: theme.ColorNameError, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Bold: true},
	}})
	title.Wrapping = fyne.TextWrapWord
	action := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Text: e.Action, Style: widget.RichTextStyleParagraph}})
	var button *widget.Button
	switch {
	case e.Code == chat.CodeTooLargeForLimit: // no retry can succeed
		button = &widget.Button{Text: "Open Settings", Icon: theme.SettingsIcon(), OnTapped: r.actions.openSettings}
	case e.Kind == chat.InvalidKey:
		button = &widget.Button{Text: "Open Settings", Icon: theme.SettingsIcon(), OnTapped: r.actions.openSettings, Importance: widget.HighImportance}
	case e.Kind == chat.OutOfCredit:
		button = &widget.Button{Text: "Open Settings", Icon: theme.SettingsIcon(), OnTapped: r.actions.openSettings}
	case e.Kind == chat.NetworkTrouble, e.Kind == chat.ServerTrouble, e.Kind == chat.RateLimited, e.Kind == chat.BadResponse:
		button = &widget.Button{Text: "Retry", Icon: theme.ViewRefreshIcon(), OnTapped: r.actions.retry, Importance: widget.HighImportance}
	case e.Kind == chat.UnknownModel, e.Kind == chat.NoAccess, e.Kind == chat.UnsupportedParam, e.Kind == chat.ContextTooLong:
		button = &widget.Button{Text: "Retry", Icon: theme.ViewRefreshIcon(), OnTapped: r.actions.retry}
	}
	content := []fyne.CanvasObject{title, action}
	if e.Detail != "" && e.Detail != e.Message {
		detail := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Text: "The server said: " + e.Detail, Style: smallStyle(widgets.ColorMuted, false)}})
		content = append(content, detail)
	}
	if button != nil {
		if r.actions.isBusy() {
			button.Disable()
		}
		content = append(content, container.NewHBox(button))
	}
	return container.NewStack(widgets.NewThemedRect(widgets.ColorErrorBack, 8), container.NewPadded(container.New(&widgets.Stack{Gap: 2}, content...)))
}

// waitNotice counts down to the engine's next attempt.
func waitNotice(w *chat.Wait) fyne.CanvasObject {
	left := time.Until(w.Until)
	text := ""
	if w.Attempt > 0 {
		text = fmt.Sprintf("%s Retrying in %s (retry %d).", w.Reason, format.Seconds(left), w.Attempt)
	} else {
		text = fmt.Sprintf("Waiting %s to stay within your rate limits (%s).", format.Seconds(left), strings.TrimPrefix(w.Reason, "pacing: "))
	}
	return notice(theme.HistoryIcon(), text, widgets.ColorSearchMark)
}

// notice is a short, wrapped line with an icon before it.
func notice(icon fyne.Resource, text string, color fyne.ThemeColorName) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: smallStyle(color, true)})
	t.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, t)
}

func smallStyle(color fyne.ThemeColorName, bold bool) widget.RichTextStyle {
	return widget.RichTextStyle{ColorName: color, SizeName: theme.SizeNameCaptionText, TextStyle: fyne.TextStyle{Bold: bold}}
}

func lowButton(text string, icon fyne.Resource, tapped func()) *widget.Button {
	return &widget.Button{Text: text, Icon: icon, OnTapped: tapped, Importance: widget.LowImportance}
}

// estimateHeight guesses a message's height at a width without building it: good enough for
// the scroll bar, made exact when the row is built.
func estimateHeight(it *item, width float32) float32 {
	charW := theme.TextSize() * 0.55
	perLine := max(int((width-40)/charW), 10)
	lines := 0
	inCode := false
	content, _ := it.shown()
	for _, line := range strings.Split(content, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			lines += 2
			continue
		}
		if inCode {
			lines++
			continue
		}
		lines += 1 + len(line)/perLine
	}
	lineH := theme.TextSize() * 1.45
	return 70 + float32(lines)*lineH
}
