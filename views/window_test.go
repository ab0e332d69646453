package views

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/settings"
	"parley/views/widgets"
)

// importConversation stores a conversation of one question and its answer.
func importConversation(t testing.TB, hist *store.Store, title string, pinned bool) store.Conversation {
	t.Helper()
	now := time.Now()
	c, err := hist.Import(store.Conversation{Title: title, Model: "gpt-4o", Pinned: pinned, Created: now, Updated: now}, []store.Message{
		{Role: chat.User, Content: "Question of " + title, Created: now},
		{Role: chat.Assistant, Content: "Answer of " + title, Model: "gpt-4o", Finish: chat.FinishStop, Created: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// currentRows lists the sidebar's rows drawn as the conversation shown, as they are drawn.
func currentRows(m *Main) []string {
	var out []string
	for _, r := range m.sidebar.rows {
		it := newSideItem(m.sidebar)
		it.bind(r)
		for _, s := range it.title.Segments {
			if t, ok := s.(*widget.TextSegment); ok && t.Style.TextStyle.Bold && r.hit == nil {
				out = append(out, t.Text)
			}
		}
	}
	return out
}

// Opening a pinned conversation marks it, and it alone, as the one shown; pinned and Quick Ask
// conversations carry icons, not emoji that the font may not have.
func TestSidebarMarksThePinnedConversationShown(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	importConversation(t, hist, "Plain one", false)
	pinned := importConversation(t, hist, "Pinned one", true)
	importConversation(t, hist, "Newest one", false)
	m.sidebar.reload()
	settle(t, 2*time.Second)
	m.Open(pinned.ID)
	settleUntil(t, 5*time.Second, func() bool { return m.conversation.conv.ID == pinned.ID })
	settle(t, time.Second)
	if got := currentRows(m); len(got) != 1 || got[0] != "Pinned one" {
		t.Fatalf("rows drawn as current: %q", got)
	}
	markup := test.RenderToMarkup(m.Window.Canvas())
	if strings.Contains(markup, "📌") || strings.Contains(markup, "⚡") {
		t.Fatal("the sidebar still draws emoji markers")
	}
	if !strings.Contains(markup, `rsc="pin.svg"`) {
		t.Fatal("the pinned conversation has no pin icon")
	}
}

// Sending while scrolled up brings the new question and its answer into view.
func TestSendingWhileScrolledUpFollowsTheAnswer(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	m.Open(longConversation(t, hist))
	v := m.conversation
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2000 })
	v.list.ScrollTo(0)
	if v.list.AtBottom() {
		t.Fatal("not scrolled up")
	}
	srv.Reply("Here at the end.")
	test.Type(v.composer, "One more question")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2002 })
	if !v.list.AtBottom() {
		t.Fatal("the transcript stayed where it was: the new question and answer are out of sight")
	}
}

// A request larger than the whole tokens-per-minute limit is explained once, before sending,
// with what to do, never as a wait that cannot end; figures keep their thousands separators.
func TestARequestLargerThanTheLimitIsExplainedBeforeSending(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	p := m.profile()
	p.Tier, p.Custom = settings.TierCustom, settings.Limits{RPM: 10, TPM: 1_000}
	if err := m.svc.Prefs.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	v := m.conversation
	v.composer.SetText(strings.Repeat("word ", 1_500))
	settleUntil(t, 10*time.Second, func() bool { return v.warning.String() != "" })
	w := v.warning.String()
	if !strings.Contains(w, "more than the 1,000 tokens per minute") || !strings.Contains(w, "Shorten") {
		t.Fatalf("warning %q", w)
	}
	if strings.Contains(w, "wait") {
		t.Fatalf("the warning promises a wait that cannot help: %q", w)
	}
}

// A long notice ("Exported to" a deep path) never widens the pane or squeezes the sidebar.
func TestALongNoticeDoesNotWidenThePane(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	before := m.conversation.content.MinSize().Width
	m.notify("Exported to /home/someone/Documents/" + strings.Repeat("a-very-long-folder-name/", 12) + "conversation.md")
	if after := m.conversation.content.MinSize().Width; after > before {
		t.Fatalf("the pane's minimum width grew from %v to %v", before, after)
	}
	if n := m.conversation.status.notice.Text; !strings.HasPrefix(n, "Exported to /home") || !strings.HasSuffix(n, "conversation.md") {
		t.Fatalf("notice %q lost its start or its end", n)
	}
}

// The model picker offers what the key test found on the server, without a refresh.
func TestModelPickerOffersTheModelsTheKeyTestFound(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{Models: []string{"gpt-4o-mini", "llama-3.3-70b", "text-embedding-3-small"}})
	m.ShowSettings()
	s := m.settings
	s.key.entry.SetText(testKey)
	s.key.save(false)
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(s.key.status.String(), "Tested and saved") })
	settle(t, time.Second)
	m.ShowConversation()
	m.conversation.pickModel()
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "llama-3.3-70b") {
		t.Fatal("the picker does not offer the server's own model")
	}
	if strings.Contains(markup, ">gpt-4.1<") || strings.Contains(markup, "text-embedding") {
		t.Fatal("the picker offers the catalog (or non-chat models) instead of the server's list")
	}
	if !strings.Contains(markup, "2 chat models from the server") {
		t.Fatal("the picker does not say where its list came from")
	}
}

// Editing the first question re-titles a conversation titled after it; a title the user chose
// stays.
func TestEditingTheFirstQuestionRetitles(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	v := m.conversation
	srv.Reply("An answer.")
	test.Type(v.composer, "Frist question with a typo")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })

	edit := func(text string) {
		v.editMessage(v.items[0])
		entry := m.Window.Canvas().Focused().(*escEntry)
		entry.SetText(text)
		entry.onConfirm()
		settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 && v.items[0].msg.Content == text })
		settle(t, 500*time.Millisecond)
	}
	srv.Reply("Another answer.")
	edit("First question, spelled right")
	if m.Window.Title() != "Parley — First question, spelled right" {
		t.Fatalf("window title %q", m.Window.Title())
	}
	if c, _ := hist.Conversation(v.conv.ID); c.Title != "First question, spelled right" {
		t.Fatalf("stored title %q", c.Title)
	}

	if err := hist.Rename(v.conv.ID, "My own title"); err != nil {
		t.Fatal(err)
	}
	v.conv.Title = "My own title"
	srv.Reply("A third answer.")
	edit("Yet another wording")
	if c, _ := hist.Conversation(v.conv.ID); c.Title != "My own title" {
		t.Fatalf("a chosen title was replaced by %q", c.Title)
	}
}

// Search lists a conversation once (found by its title and its messages), its snippet without
// Markdown; opening it highlights the words in the message found; Esc clears the search.
func TestSearchOnceAPerConversationAndHighlightsTheHit(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	now := time.Now()
	c, err := hist.Import(store.Conversation{Title: "Retry loops", Model: "gpt-4o", Created: now, Updated: now}, []store.Message{
		{Role: chat.User, Content: "How do I write a retry loop?", Created: now},
		{Role: chat.Assistant, Content: "Like this:\n\n```go\nfor retry := 0; retry < 3; retry++ {\n}\n```\n\nEach retry waits longer.", Model: "gpt-4o", Finish: chat.FinishStop, Created: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := m.sidebar
	test.Type(s.search, "retry")
	settleUntil(t, 5*time.Second, func() bool { return len(s.rows) > 1 })
	var hits []sideRow
	for _, r := range s.rows {
		if r.hit != nil {
			hits = append(hits, r)
		}
	}
	if len(hits) != 1 || hits[0].hit.ConversationID != c.ID {
		t.Fatalf("%d rows for one conversation", len(hits))
	}
	if sn := hits[0].hit.Snippet; strings.Contains(sn, "```") || strings.Contains(sn, "go\n") {
		t.Fatalf("snippet %q", sn)
	}
	s.search.OnSubmitted(s.search.Text)
	v := m.conversation
	settleUntil(t, 5*time.Second, func() bool { return v.conv.ID == c.ID && len(v.items) == 2 })
	found := v.items[hits[0].hit.Seq]
	if len(found.marks) != 1 || found.marks[0] != "retry" {
		t.Fatalf("marks %q", found.marks)
	}
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, `bold color="rgba(227,179,65,255)"`) {
		t.Fatalf("the word found is not highlighted in the conversation")
	}

	m.Window.Canvas().Focus(s.search)
	s.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.search.Text != "" {
		t.Fatal("Esc did not clear the search")
	}
}

// At its smallest the window keeps a readable piece of the conversation; maximised, the lines
// keep a readable length, centred.
func TestTheTranscriptKeepsAReadableSize(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	m.Open(longConversation(t, hist))
	v := m.conversation
	settleUntil(t, 10*time.Second, func() bool { return len(v.items) == 2000 })
	min := m.Window.Content().MinSize()
	m.Window.Resize(min)
	settle(t, 3*time.Second)
	if h := v.list.PageHeight(); h < 200 {
		t.Fatalf("at the smallest window (%v) the transcript is %v px tall", min, h)
	}
	if w := v.list.Size().Width; w < 400 {
		t.Fatalf("at the smallest window the transcript is %v px wide", w)
	}

	m.Window.Resize(fyne.NewSize(2400, 1300))
	settle(t, 3*time.Second)
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, `type="*views.messageRow"`) {
		t.Fatal("no rows")
	}
	var widest float32
	for _, o := range rowsOf(v) {
		widest = max(widest, o.Size().Width)
		if left := o.Position().X; left < (v.list.Size().Width-o.Size().Width)/2-20 {
			t.Fatalf("a row at x=%v is not centred in %v px", left, v.list.Size().Width)
		}
	}
	if widest > widgets.MaxRowWidth || widest < widgets.MaxRowWidth-20 {
		t.Fatalf("rows are %v px wide in a maximised window", widest)
	}
}

// rowsOf lists the message rows on screen.
func rowsOf(v *conversationView) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if _, ok := o.(*messageRow); ok {
			rows = append(rows, o)
			return
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, k := range c.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(c).Objects() {
				walk(k)
			}
		}
	}
	walk(v.list)
	return rows
}

// The window says which profile and server it talks to, beside the model, and switches profile
// from there.
func TestTheToolbarShowsAndSwitchesTheProfile(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{})
	v := m.conversation
	if got := v.profileBtn.Text; !strings.HasPrefix(got, "default · 127.0.0.1:") {
		t.Fatalf("the toolbar says %q", got)
	}
	local := settings.NewProfile("Local")
	local.BaseURL, local.Model = "http://localhost:11434/v1", "llama3.3"
	local, err := m.svc.Prefs.AddProfile(local)
	if err != nil {
		t.Fatal(err)
	}
	m.pickProfile(v.profileBtn)
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "Local · localhost:11434") || !strings.Contains(markup, "Manage profiles") {
		t.Fatalf("the profile menu lacks the profiles:\n%s", markup)
	}
	m.switchProfile(local.ID)
	settleUntil(t, 5*time.Second, func() bool { return strings.HasPrefix(v.profileBtn.Text, "Local · localhost:11434") })
	if v.modelBtn.Text != "llama3.3" || m.profile().ID != local.ID {
		t.Fatalf("after the switch: model %q, profile %q", v.modelBtn.Text, m.profile().Name)
	}
}

// Parley opens again on the conversation it showed when it closed.
func TestRestartOpensTheLastConversation(t *testing.T) {
	m, _, hist := newTestMain(t, chattest.Options{})
	c := importConversation(t, hist, "Where I was", false)
	importConversation(t, hist, "A newer one", false)
	m.Open(c.ID)
	settleUntil(t, 5*time.Second, func() bool { return m.conversation.conv.ID == c.ID })
	m.SaveSize() // as Parley does when it quits

	again := NewMain(fyne.CurrentApp(), NewWindow(fyne.CurrentApp(), m.svc.Prefs), m.svc)
	t.Cleanup(again.Shutdown)
	settleUntil(t, 5*time.Second, func() bool { return again.conversation.conv.ID == c.ID })
	if again.Window.Title() != "Parley — Where I was" || len(again.conversation.items) != 2 {
		t.Fatalf("opened %q with %d messages", again.Window.Title(), len(again.conversation.items))
	}
}

// Quick Ask opens on a new question each time, and says which model it asks.
func TestQuickAskOpensFreshAndNamesItsModel(t *testing.T) {
	m, srv, _ := newTestMain(t, chattest.Options{})
	m.ShowQuickAsk()
	q := m.quick
	if !strings.Contains(q.meta.String(), "Asks gpt-4o-mini · default · 127.0.0.1") {
		t.Fatalf("Quick Ask says %q", q.meta.String())
	}
	srv.Reply("A quick answer.")
	test.Type(q.entry, "Quick question")
	q.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return q.cancel == nil && strings.Contains(q.meta.String(), "tokens") })
	if !strings.Contains(test.RenderObjectToMarkup(q.answer), "A quick answer.") {
		t.Fatal("no answer shown")
	}
	q.close()
	m.ShowQuickAsk()
	if markup := test.RenderObjectToMarkup(q.answer); strings.Contains(markup, "A quick answer.") || strings.Contains(markup, "Quick question") {
		t.Fatalf("Quick Ask reopened on the last exchange:\n%s", markup)
	}
	if !strings.Contains(q.meta.String(), "Asks gpt-4o-mini") {
		t.Fatalf("Quick Ask says %q", q.meta.String())
	}
}

// Enter while an answer is being written says why nothing was sent, and keeps the text.
func TestEnterWhileAnAnswerStreamsSaysWhy(t *testing.T) {
	m, srv, _ := newTestMain(t, chattest.Options{TokensPerSecond: 50})
	v := m.conversation
	srv.Reply(strings.Repeat("slowly ", 100))
	test.Type(v.composer, "First")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 5*time.Second, func() bool { return v.busy })
	test.Type(v.composer, "Second")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n := v.status.notice.Text; !strings.Contains(n, "An answer is being written") {
		t.Fatalf("notice %q", n)
	}
	if v.composer.Text != "Second" {
		t.Fatalf("the composer lost the text: %q", v.composer.Text)
	}
	v.stop()
	settleUntil(t, 5*time.Second, func() bool { return !v.busy })
}

// reasoningMain is the window on a profile that talks the Responses API to a reasoning model.
func reasoningMain(t *testing.T, opts chattest.Options) (*Main, *chattest.Server) {
	t.Helper()
	opts.Models = append([]string{"gpt-5.6-sol", "gpt-6.2-sol"}, chattest.DefaultModels...)
	m, srv, _ := newTestMain(t, opts)
	p := m.profile()
	p.API, p.Model = settings.APIResponses, "gpt-5.6-sol"
	if err := m.svc.Prefs.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	m.profileSwitched()
	settleUntil(t, 5*time.Second, func() bool {
		c, _ := m.client()
		return c.API() == chat.APIResponses && m.conversation.modelBtn.Text == "gpt-5.6-sol"
	})
	return m, srv
}

// A reasoning model in the window: its effort and tier beside it, what it thought folded above
// its answer, the count of the request exact from the server, and the meta line's detail.
func TestReasoningInTheWindow(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{})
	v := m.conversation
	if !v.effortBtn.Visible() || v.effortBtn.Text != "Effort: medium" || !v.tierBtn.Visible() || v.tierBtn.Text != "Standard" {
		t.Fatalf("effort %q (%v), tier %q (%v)", v.effortBtn.Text, v.effortBtn.Visible(), v.tierBtn.Text, v.tierBtn.Visible())
	}
	v.pickEffort()
	if markup := test.RenderToMarkup(m.Window.Canvas()); !strings.Contains(markup, "max — the most thorough") || strings.Contains(markup, "minimal") || !strings.Contains(markup, "Pro mode") {
		t.Fatal("the effort menu does not offer what the model takes")
	}
	v.setReasoning("high", false)
	v.setTier("flex")
	if v.effortBtn.Text != "Effort: high" || v.tierBtn.Text != "Flex" {
		t.Fatalf("%q %q", v.effortBtn.Text, v.tierBtn.Text)
	}

	test.Type(v.composer, "What is the meaning of life?")
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(v.counts.String(), "exact, from the server") })

	srv.Reply("Forty-two, *probably*.")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	answer := v.items[1]
	if answer.msg.Thinking == "" || answer.msg.Content != "Forty-two, *probably*." {
		t.Fatalf("%+v", answer.msg)
	}
	sent := srv.Responses()[0]
	if sent.Reasoning.Effort != "high" || sent.ServiceTier != "flex" {
		t.Fatalf("sent %s", sent.Raw)
	}
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "Thought for") || strings.Contains(markup, "Reading the question") {
		t.Fatal("the thinking is not folded above the answer")
	}
	if !strings.Contains(markup, "reasoning) · flex · $") {
		t.Fatalf("the meta line does not tell the reasoning tokens and the tier")
	}
	v.toggleThinking(answer)
	settle(t, time.Second)
	if !strings.Contains(test.RenderToMarkup(m.Window.Canvas()), "Reading the question") {
		t.Fatal("the thinking does not unfold")
	}
}

// An answer that spent its whole budget thinking says so, and Retry at lower effort asks again
// one step lower; an effort the model refuses falls back to its default.
func TestThinkingThatSpentTheBudget(t *testing.T) {
	m, srv := reasoningMain(t, chattest.Options{})
	p := m.profile()
	p.MaxOutput = 300
	m.svc.Prefs.SaveProfile(p)
	v := m.conversation
	v.setReasoning("max", false)
	test.Type(v.composer, "Prove the Riemann hypothesis")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 })
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "spent its whole output budget") || !strings.Contains(markup, "Retry at lower effort") {
		t.Fatalf("no budget notice for %+v", v.items[1].msg)
	}
	srv.Reply("A sketch.")
	v.lowerEffort()
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 && v.items[1].msg.Content == "A sketch." })
	if got := srv.Responses()[1].Reasoning.Effort; got != "xhigh" || v.effortBtn.Text != "Effort: xhigh" {
		t.Fatalf("retried at %q, button %q", got, v.effortBtn.Text)
	}

	// The catalog says the model takes an effort (a user's models.json, here), the server says
	// no: the conversation falls back to the model's default, and says so.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models":[{"id":"gpt-6.2-sol","efforts":["none","low","medium","high","xhigh","max"]}]}`), 0o600)
	if w := settings.LoadCatalog(dir); w != "" {
		t.Fatal(w)
	}
	defer settings.LoadCatalog(t.TempDir())
	v.conv.Model = "gpt-6.2-sol"
	v.conv.Effort = "none"
	test.Type(v.composer, "Quick one")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 4 })
	if v.conv.Effort != "" || !strings.Contains(v.status.notice.Text, "refused effort") {
		t.Fatalf("effort %q, notice %q", v.conv.Effort, v.status.notice.Text)
	}
}
