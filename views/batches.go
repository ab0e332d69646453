package views

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/batch"
	"parley/chat/store"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// batchesView is the Batches page: the account's batches (many questions at once at half
// price, parley batch), each with its status, counts and cost; a finished one's answers fetched
// into conversations, and those opened; a file or folder of prompts submitted, its cost shown
// first.
type batchesView struct {
	m       *Main
	info    *widget.RichText
	rows    *fyne.Container
	content fyne.CanvasObject
	loading bool
}

func newBatchesView(m *Main) *batchesView {
	b := &batchesView{m: m, info: widget.NewRichText(), rows: container.NewVBox()}
	b.info.Wrapping = fyne.TextWrapWord
	title := widget.NewRichText(&widget.TextSegment{Text: "Batches", Style: widget.RichTextStyleHeading})
	refresh := &widget.Button{Text: "Refresh", Icon: theme.ViewRefreshIcon(), Importance: widget.LowImportance, OnTapped: b.load}
	file := &widget.Button{Text: "Submit a file…", Icon: theme.UploadIcon(), OnTapped: b.submitFile}
	folder := &widget.Button{Text: "Submit a folder…", Icon: theme.FolderOpenIcon(), OnTapped: b.submitFolder}
	back := &widget.Button{Text: "Back to the conversation (Esc)", Icon: theme.NavigateBackIcon(), Importance: widget.LowImportance, OnTapped: m.ShowConversation}
	about := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleParagraph,
		Text: "Many questions at once, at half price, answered within 24 hours: a JSONL file (one {\"prompt\", \"model\"?, \"system\"?, \"effort\"?} per line) " +
			"or a folder of .md and .txt files, one prompt each. Each answer becomes a conversation, tagged with its batch."}})
	head := container.NewVBox(
		container.NewHBox(back, layout.NewSpacer(), refresh),
		title, about, container.NewHBox(file, folder), b.info, widget.NewSeparator(),
	)
	b.content = container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewVScroll(container.NewPadded(b.rows)))
	return b
}

// ShowBatches puts the Batches page in place of the conversation, and lists the batches.
func (m *Main) ShowBatches() {
	if m.batches == nil {
		m.batches = newBatchesView(m)
	}
	m.pages.Objects = []fyne.CanvasObject{m.batches.content}
	m.pages.Refresh()
	// Nothing focused: Esc reaches the window (back to the conversation), Tab the buttons.
	m.Window.Canvas().Unfocus()
	m.batches.load()
}

// load lists the batches off the UI goroutine.
func (b *batchesView) load() {
	if b.loading || b.m.svc.Batches == nil {
		return
	}
	b.loading = true
	setStatus(b.info, "Asking OpenAI for your batches…", false)
	client, _ := b.m.client()
	batcher := b.m.svc.Batches
	type listed struct {
		entries []batch.Entry
		err     error
	}
	bridge.Work(func() listed {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		defer cancel()
		e, err := batcher.List(ctx, client)
		return listed{e, err}
	}, func(l listed) {
		b.loading = false
		b.show(l.entries)
		switch {
		case l.err != nil:
			setStatus(b.info, "The batches could not be listed: "+plain(l.err), true)
		case len(l.entries) == 0:
			setStatus(b.info, "No batches yet."+b.queueNote(), false)
		default:
			setStatus(b.info, fmt.Sprintf("%s, newest first.%s", chat.Plural(len(l.entries), "batch", "batches"), b.queueNote()), false)
		}
	})
}

// queueNote tells the project's daily batch queue for the profile's model, when the account
// figures (an admin key) told it.
func (b *batchesView) queueNote() string {
	model := b.m.profile().Model
	if q := b.m.svc.Meter.Reading(b.m.profile(), model).BatchQueue; q > 0 {
		return fmt.Sprintf(" This project may queue %s input tokens a day in batches for %s.", format.Thousands(q), model)
	}
	return ""
}

// show lists the batches, each with what can be done with it.
func (b *batchesView) show(entries []batch.Entry) {
	b.rows.Objects = nil
	for _, e := range entries {
		b.rows.Add(b.row(e))
		b.rows.Add(widget.NewSeparator())
	}
	b.rows.Refresh()
}

func (b *batchesView) row(e batch.Entry) fyne.CanvasObject {
	name, model := "Made elsewhere", e.Model
	if e.Local != nil {
		name = filepath.Base(e.Local.Source)
		if model == "" && len(e.Local.Requests) > 0 {
			model = e.Local.Requests[0].Model
		}
	}
	title := widget.NewRichText(&widget.TextSegment{Text: name + "  ·  " + model, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}})
	detail := widget.NewRichText(&widget.TextSegment{Text: batchDetail(e), Style: smallStyle(widgets.ColorMuted, false)})
	detail.Wrapping = fyne.TextWrapWord
	var buttons []fyne.CanvasObject
	switch {
	case e.Local != nil && !e.Local.Fetched.IsZero():
		open := lowButton("Open conversations", theme.FolderOpenIcon(), nil)
		open.OnTapped = func() { b.openConversations(e.ID, open) }
		buttons = append(buttons, open)
	case e.Done() && e.Status != "failed":
		buttons = append(buttons, &widget.Button{Text: "Fetch answers", Icon: theme.DownloadIcon(), Importance: widget.HighImportance, OnTapped: func() { b.fetch(e.ID) }})
	case !e.Done() && e.Status != "cancelling":
		buttons = append(buttons, lowButton("Cancel", theme.CancelIcon(), func() { b.cancel(e.ID) }))
	}
	return container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), container.NewVBox(title, detail))
}

// batchDetail is a batch's status line: where it stands, what it answered, when, and its cost.
func batchDetail(e batch.Entry) string {
	parts := []string{strings.ReplaceAll(e.Status, "_", " "), fmt.Sprintf("%s of %s answered", format.Thousands(e.Completed), format.Thousands(e.Total))}
	if e.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%s failed", format.Thousands(e.Failed)))
	}
	parts = append(parts, "submitted "+e.Created.Local().Format("2 Jan 15:04"))
	if !e.Done() && !e.Expires.IsZero() {
		parts = append(parts, "expires "+e.Expires.Local().Format("2 Jan 15:04"))
	}
	if l := e.Local; l != nil {
		if l.Fetched.IsZero() {
			parts = append(parts, "input about "+format.Dollars(l.EstimateUSD)+" at batch price")
		} else {
			parts = append(parts, format.Dollars(l.CostUSD)+" at batch price")
		}
	}
	for _, x := range e.Errors {
		parts = append(parts, fmt.Sprintf("refused: line %d: %s", x.Line, x.Message))
	}
	return strings.Join(parts, " · ") + " · " + e.ID
}

// fetch saves a finished batch's answers as conversations.
func (b *batchesView) fetch(id string) {
	client, _ := b.m.client()
	batcher, profile := b.m.svc.Batches, b.m.profile().ID
	setStatus(b.info, "Fetching the answers of "+id+"…", false)
	type fetched struct {
		r   batch.Report
		err error
	}
	bridge.Work(func() fetched {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		r, err := batcher.Fetch(ctx, client, id, profile)
		return fetched{r, err}
	}, func(f fetched) {
		if f.err != nil {
			b.m.showError("The batch's answers were not fetched", f.err)
			b.load()
			return
		}
		b.m.sidebar.reload()
		b.m.usageChanged()
		b.m.inform("Batch fetched", fetchedSummary(f.r))
		b.load()
	})
}

// fetchedSummary says what fetching a batch did, in a few lines.
func fetchedSummary(r batch.Report) string {
	var lines []string
	if r.Already {
		lines = append(lines, fmt.Sprintf("Its %d conversations were saved before.", len(r.Saved)))
	} else {
		lines = append(lines, fmt.Sprintf("%d answers saved as conversations, %s at batch price.", len(r.Saved), format.Cost(r.Cost)))
	}
	for i, f := range r.Failed {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("… and %d more failed.", len(r.Failed)-5))
			break
		}
		lines = append(lines, "Failed: "+f.Request.Source+": "+f.Err)
	}
	if len(r.NotRun) > 0 {
		lines = append(lines, fmt.Sprintf("%d never ran: the batch was %s first.", len(r.NotRun), r.Batch.Status))
	}
	return strings.Join(lines, "\n")
}

// cancel cancels a batch; what it answered stays to be fetched.
func (b *batchesView) cancel(id string) {
	client, _ := b.m.client()
	batcher := b.m.svc.Batches
	b.m.confirm("Cancel the batch", "Cancel "+id+"? What it answered so far is kept, to fetch.", "Cancel batch", true, func() {
		bridge.Work(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := batcher.Cancel(ctx, client, id)
			return err
		}, func(err error) {
			if err != nil {
				b.m.showError("The batch was not cancelled", err)
			}
			b.load()
		})
	})
}

// openConversations offers a fetched batch's conversations, to open one.
func (b *batchesView) openConversations(id string, under fyne.CanvasObject) {
	bridge.Work(func() []store.Conversation {
		st, err := b.m.svc.History()
		if err != nil {
			return nil
		}
		convs, _ := st.BatchConversations(id)
		return convs
	}, func(convs []store.Conversation) {
		if len(convs) == 0 {
			b.m.notify("This batch's conversations were deleted")
			return
		}
		menu := fyne.NewMenu("")
		for i, c := range convs {
			if i == 30 {
				menu.Items = append(menu.Items, &fyne.MenuItem{Label: fmt.Sprintf("… and %d more in the sidebar", len(convs)-30), Disabled: true})
				break
			}
			menu.Items = append(menu.Items, fyne.NewMenuItem(c.Title, func() { b.m.Open(c.ID) }))
		}
		b.m.popUnder(menu, under)
	})
}

func (b *batchesView) submitFile() {
	b.m.chooseFile("Nothing was submitted", []string{".jsonl"}, b.prepare)
}

func (b *batchesView) submitFolder() {
	b.m.chooseFolder("Nothing was submitted", b.prepare)
}

// prepare reads and prices prompts off the UI goroutine, then asks before submitting them.
func (b *batchesView) prepare(path string) {
	client, _ := b.m.client()
	batcher, p := b.m.svc.Batches, b.m.profile()
	setStatus(b.info, "Reading and pricing "+filepath.Base(path)+"…", false)
	type prepared struct {
		plan batch.Plan
		err  error
	}
	bridge.Work(func() prepared {
		prompts, err := batch.Read(path)
		if err != nil {
			return prepared{err: err}
		}
		plan, err := batcher.Prepare(client, path, prompts, batch.Defaults{Model: p.Model, System: p.SystemPrompt})
		return prepared{plan, err}
	}, func(pr prepared) {
		if pr.err != nil {
			setStatus(b.info, "", false)
			b.m.showError("Nothing was submitted", pr.err)
			return
		}
		setStatus(b.info, "", false)
		b.m.confirm("Submit the batch", planSummary(pr.plan), "Submit", false, func() { b.submit(pr.plan) })
	})
}

// planSummary is what a plan asks, and what its input costs, before it is sent.
func planSummary(plan batch.Plan) string {
	lines := []string{fmt.Sprintf("%s prompts from %s.", format.Thousands(plan.Requests()), filepath.Base(plan.Source))}
	for _, g := range plan.Groups {
		cost := "its price is not known"
		if g.InputCost.Known {
			cost = fmt.Sprintf("%s for the input at batch price; answers %s per million tokens, as written", format.Cost(g.InputCost), format.Dollars(g.OutputPerMillion))
		}
		lines = append(lines, fmt.Sprintf("%s: %s requests, %s input tokens, %s.", g.Model, format.Thousands(len(g.Requests)), format.Thousands(g.InputTokens), cost))
	}
	lines = append(lines, "Answered within 24 hours.")
	return strings.Join(lines, "\n")
}

func (b *batchesView) submit(plan batch.Plan) {
	client, _ := b.m.client()
	batcher, profile := b.m.svc.Batches, b.m.profile().ID
	setStatus(b.info, "Uploading and submitting…", false)
	type submitted struct {
		made []store.Batch
		err  error
	}
	bridge.Work(func() submitted {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		made, err := batcher.Submit(ctx, client, plan, profile)
		return submitted{made, err}
	}, func(s submitted) {
		if s.err != nil {
			b.m.showError("The batch was not submitted", s.err)
		} else {
			b.m.notify("Submitted " + chat.Plural(len(s.made), "batch", "batches") + ": answered within 24 hours")
		}
		b.load()
	})
}
