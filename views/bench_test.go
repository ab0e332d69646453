package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// longConversation stores 2,000 messages, about a million characters, with code blocks and
// tables in the answers.
func longConversation(tb testing.TB, hist *store.Store) int64 {
	return conversationOf(tb, hist, 2000)
}

// conversationOf stores n messages like longConversation's, about 500 characters each.
func conversationOf(tb testing.TB, hist *store.Store, n int) int64 {
	tb.Helper()
	var msgs []store.Message
	for i := range n {
		m := store.Message{Role: chat.User, Content: fmt.Sprintf("Question %d: how would you write step %d in Go, and why?", i, i)}
		if i%2 == 1 {
			m.Role, m.Model, m.Finish = chat.Assistant, "gpt-4o", chat.FinishStop
			m.Content = fmt.Sprintf("## Step %d\n\nHere is one way, with the reasons below.\n\n```go\nfunc step%d(ctx context.Context) error {\n\tfor i := 0; i < %d; i++ {\n\t\tif err := ctx.Err(); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n```\n\n| Choice | Why |\n|---|---|\n| context | cancellation |\n| loop | clarity |\n\n%s", i, i, i, strings.Repeat("The explanation goes on in prose for a while, as answers do. ", 12))
			m.Usage = chat.Usage{PromptTokens: 1000 + i, CompletionTokens: 300}
			m.Cost = chat.Cost{USD: 0.004, Known: true}
		}
		msgs = append(msgs, m)
	}
	c, err := hist.Import(store.Conversation{Title: "A long one", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, msgs)
	if err != nil {
		tb.Fatal(err)
	}
	return c.ID
}

// timedKeystroke types the i-th letter into the composer and returns how long that took; then
// it lets one piece of queued UI work run (the stream's repaints, the counts), waiting up to
// wait for it, as happens between keystrokes live.
func timedKeystroke(v *conversationView, i int, wait time.Duration) time.Duration {
	begin := time.Now()
	v.composer.TypedRune(rune('a' + i%26))
	took := time.Since(begin)
	select {
	case f := <-uiQueue:
		f()
	case <-time.After(wait):
	}
	return took
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkOpen2000Messages opens a 2,000-message conversation from the history and renders the
// window: load, rows built for the screen, a frame drawn. It reports the heap it adds.
func BenchmarkOpen2000Messages(b *testing.B) { benchmarkOpen(b, 2000) }

// BenchmarkOpen10000Messages is the same with 10,000 messages, 5 million characters.
func BenchmarkOpen10000Messages(b *testing.B) { benchmarkOpen(b, 10_000) }

func benchmarkOpen(b *testing.B, n int) {
	m, _, hist := newTestMain(b, chattest.Options{})
	id := conversationOf(b, hist, n)
	before := heapInUse()
	var after uint64
	b.ResetTimer()
	for range b.N {
		m.NewChat()
		settle(b, time.Second)
		begin := time.Now()
		m.Open(id)
		settleUntil(b, 30*time.Second, func() bool { return len(m.conversation.items) == n })
		m.Window.Canvas().Capture() // draw a frame
		b.ReportMetric(float64(time.Since(begin).Microseconds())/1000, "ms/open")
		b.StopTimer()
		after = heapInUse()
		b.StartTimer()
	}
	b.ReportMetric(float64(after-before)/(1<<20), "MB-added")
}

// streamedAnswer is an answer as models write them: paragraphs of a few sentences, a list, a
// code block, a table. Every word is one token (" x"), so the text's length says how many
// tokens have arrived.
func streamedAnswer(tokens int) string {
	var b strings.Builder
	for n := 0; n < tokens; {
		switch {
		case n%400 == 120:
			b.WriteString("\n\n```go\n")
			for range 8 {
				b.WriteString(" x x x x x\n")
			}
			b.WriteString("```\n\n")
			n += 40
		case n%400 == 300:
			b.WriteString("\n\n| x | x |\n|---|---|\n| x x | x x |\n| x x | x x |\n\n")
			n += 10
		default:
			for range 60 {
				b.WriteString(" x")
			}
			b.WriteString("\n\n")
			n += 60
		}
	}
	return b.String()
}

// BenchmarkStreamLag streams 1,000 tokens a second into the conversation and measures, per
// token, the time from its arrival to the UI showing it (the throttled repaint applied).
func BenchmarkStreamLag(b *testing.B) {
	benchmarkStreamLag(b, streamedAnswer(2000))
}

// BenchmarkStreamLagOneParagraph is the worst case: 2,000 tokens in a single paragraph, which
// the toolkit wraps again, word by word, on every repaint.
func BenchmarkStreamLagOneParagraph(b *testing.B) {
	benchmarkStreamLag(b, strings.Repeat(" x", 2000))
}

func benchmarkStreamLag(b *testing.B, reply string) { streamLag(b, reply, nil, nil) }

// streamLag streams reply at 1,000 tokens a second b.N times into a window whose history fill
// (if any) has written, calling meanwhile (if any) as the window settles, and reports the lag
// from each token's arrival to its showing. It returns the window.
func streamLag(b *testing.B, reply string, fill func(testing.TB, *store.Store), meanwhile func(*Main)) *Main {
	arrivals := &arrivalClock{}
	testTransport = arrivals
	defer func() { testTransport = nil }()
	m, srv, hist := newTestMain(b, chattest.Options{TokensPerSecond: 1000})
	if fill != nil {
		fill(b, hist)
	}
	v := m.conversation
	var lags []time.Duration
	tokensIn := func(s string) int { return strings.Count(s, "x") }
	b.ResetTimer()
	for range b.N {
		srv.Reply(reply)
		arrivals.reset()
		shown := 0
		v.composer.SetText("stream please")
		v.send()
		target := v.items[len(v.items)-1]
		settleUntil(b, 30*time.Second, func() bool {
			if meanwhile != nil {
				meanwhile(m)
			}
			if got := tokensIn(target.msg.Content); got > shown {
				now := time.Now()
				for k := shown; k < got; k++ {
					lags = append(lags, now.Sub(arrivals.at(k)))
				}
				shown = got
			}
			return !v.busy
		})
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-ms")
	return m
}

// BenchmarkKeystrokeWhileStreaming types into the composer while an answer streams at 1,000
// tokens a second into a long conversation, and measures how long each keystroke takes to
// handle, counts included.
func BenchmarkKeystrokeWhileStreaming(b *testing.B) {
	m, srv, hist := newTestMain(b, chattest.Options{TokensPerSecond: 1000})
	v := m.conversation
	m.Open(longConversation(b, hist))
	settleUntil(b, 10*time.Second, func() bool { return len(v.items) == 2000 })
	srv.Reply(strings.Repeat(" x", 1_000_000))
	v.composer.SetText("go")
	v.send()
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		times = append(times, timedKeystroke(v, i, 5*time.Millisecond))
	}
	b.StopTimer()
	v.stop()
	settleUntil(b, 10*time.Second, func() bool { return !v.busy })
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// arrivalClock notes when each "x" of a streamed answer came off the network.
type arrivalClock struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivalClock) reset() { a.mu.Lock(); a.times = nil; a.mu.Unlock() }

func (a *arrivalClock) at(k int) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.times[k]
}

func (a *arrivalClock) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		resp.Body = &arrivalReader{ReadCloser: resp.Body, clock: a}
	}
	return resp, err
}

type arrivalReader struct {
	io.ReadCloser
	clock   *arrivalClock
	pending []byte
}

// Read notes the arrival of every delta's "x"s as whole SSE lines come in.
func (r *arrivalReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	now := time.Now()
	r.pending = append(r.pending, p[:n]...)
	for {
		i := bytes.IndexByte(r.pending, '\n')
		if i < 0 {
			break
		}
		line := r.pending[:i]
		r.pending = r.pending[i+1:]
		var chunk struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
		}
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok && json.Unmarshal(data, &chunk) == nil && len(chunk.Choices) > 0 {
			r.clock.mu.Lock()
			for range strings.Count(chunk.Choices[0].Delta.Content, "x") {
				r.clock.times = append(r.clock.times, now)
			}
			r.clock.mu.Unlock()
		}
	}
	return n, err
}

// BenchmarkScrollTopToBottom scrolls the 2,000-message conversation from its first message to
// its last, a screen at a time, and reports the time each step takes to lay out and build the
// rows coming into view (the work of one frame; drawing is the GPU's).
func BenchmarkScrollTopToBottom(b *testing.B) { benchmarkScroll(b, 2000) }

// BenchmarkScroll10000Messages is the same through 10,000 messages.
func BenchmarkScroll10000Messages(b *testing.B) { benchmarkScroll(b, 10_000) }

func benchmarkScroll(b *testing.B, n int) {
	m, _, hist := newTestMain(b, chattest.Options{})
	m.Open(conversationOf(b, hist, n))
	v := m.conversation
	settleUntil(b, 30*time.Second, func() bool { return len(v.items) == n })
	tr := v.list
	var frames []time.Duration
	b.ResetTimer()
	for range b.N {
		tr.ScrollTo(0)
		for !tr.AtBottom() {
			begin := time.Now()
			tr.ScrollBy(tr.PageHeight())
			frames = append(frames, time.Since(begin))
			if len(frames) > 100_000 {
				b.Fatal("never reached the bottom")
			}
		}
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	b.ReportMetric(float64(frames[len(frames)/2].Microseconds())/1000, "p50-ms/frame")
	b.ReportMetric(float64(frames[len(frames)*99/100].Microseconds())/1000, "p99-ms/frame")
	b.ReportMetric(float64(len(frames))/float64(b.N), "frames")
}

// BenchmarkOpenHugeMessage opens a conversation holding one 50 MB paragraph (a pasted log) and
// draws it: the window must stay usable whatever a message holds.
func BenchmarkOpenHugeMessage(b *testing.B) {
	m, _, hist := newTestMain(b, chattest.Options{})
	c, err := hist.Import(store.Conversation{Title: "huge", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, []store.Message{
		{Role: chat.User, Content: "Summarise this log.", Created: time.Now()},
		{Role: chat.Assistant, Content: strings.Repeat("log line without an end in sight ", 50<<20/33), Model: "gpt-4o", Finish: chat.FinishStop, Created: time.Now()},
	})
	if err != nil {
		b.Fatal(err)
	}
	before := heapInUse()
	var after uint64
	b.ResetTimer()
	for range b.N {
		m.NewChat()
		settle(b, time.Second)
		begin := time.Now()
		m.Open(c.ID)
		settleUntil(b, 60*time.Second, func() bool { return len(m.conversation.items) == 2 })
		m.Window.Canvas().Capture()
		b.ReportMetric(float64(time.Since(begin).Microseconds())/1000, "ms/open")
		b.StopTimer()
		after = heapInUse()
		b.StartTimer()
	}
	b.ReportMetric(float64(after-before)/(1<<20), "MB-added")
}

// BenchmarkKeystrokeAfterLargePaste pastes a megabyte (one line, or 20,000 lines) into the
// composer and times each keystroke typed after it, the paste's own handling included in the
// first. The two layouts are reported apart.
func BenchmarkKeystrokeAfterLargePaste(b *testing.B) {
	for _, tc := range []struct {
		name, text string
	}{
		{"one-line", strings.Repeat(`{"a":1,"b":[2,3]},`, 1<<20/18)},
		{"20000-lines", strings.Repeat("2026-12-02T10:00:00Z INFO request served in 12 ms\n", 20_000)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, _, _ := newTestMain(b, chattest.Options{})
			v := m.conversation
			clip := fyne.CurrentApp().Clipboard()
			clip.SetContent(tc.text)
			m.Window.Canvas().Focus(v.composer)
			begin := time.Now()
			v.composer.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
			paste := time.Since(begin)
			var times []time.Duration
			b.ResetTimer()
			for i := range b.N {
				times = append(times, timedKeystroke(v, i, 2*time.Millisecond))
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(paste.Microseconds())/1000, "paste-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkWheelThroughCodeAnswers turns the wheel over the 2,000-message conversation, whose
// answers each hold a code block, from its first message to its last, the pointer held over a
// code block where there is one. It reports how far a notch moves the page and the time each
// notch takes to lay out and build what comes into view.
func BenchmarkWheelThroughCodeAnswers(b *testing.B) {
	m, _, hist := newTestMain(b, chattest.Options{})
	m.Open(longConversation(b, hist))
	v := m.conversation
	settleUntil(b, 10*time.Second, func() bool { return len(v.items) == 2000 })
	tr := v.list
	c := m.Window.Canvas()
	var frames []time.Duration
	var moved float32
	notches := 0
	b.ResetTimer()
	for range b.N {
		tr.ScrollTo(0)
		for turned := 0; !tr.AtBottom(); turned++ {
			if turned > 100_000 {
				b.Fatal("never reached the bottom")
			}
			before := v.list.Offset()
			begin := time.Now()
			test.Scroll(c, fyne.NewPos(c.Size().Width*0.6, c.Size().Height*0.45), 0, -25)
			frames = append(frames, time.Since(begin))
			moved += v.list.Offset() - before
			notches++
		}
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	b.ReportMetric(float64(moved)/float64(notches), "px/notch")
	b.ReportMetric(float64(frames[len(frames)/2].Microseconds())/1000, "p50-ms/notch")
	b.ReportMetric(float64(frames[len(frames)*99/100].Microseconds())/1000, "p99-ms/notch")
}

// BenchmarkExactCountAfterTyping times the composer's exact count (from the server's
// /v1/responses/input_tokens, on a local server) after the last keystroke: the debounce, the
// local count, the request and the repaint.
func BenchmarkExactCountAfterTyping(b *testing.B) {
	m, _ := benchReasoningMain(b)
	v := m.conversation
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		begin := time.Now()
		v.composer.TypedRune(rune('a' + i%26))
		want := v.composer.Text
		settleUntil(b, 10*time.Second, func() bool {
			return strings.Contains(v.counts.String(), "exact, from the server") && v.composer.Text == want && v.shownFor == want
		})
		times = append(times, time.Since(begin))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// benchReasoningMain is the window on a Responses profile, for benchmarks.
func benchReasoningMain(b *testing.B) (*Main, *chattest.Server) {
	opts := chattest.Options{Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)}
	m, srv, _ := newTestMain(b, opts)
	p := m.profile()
	p.API, p.Model = "responses", "gpt-5.6-sol"
	m.svc.Prefs.SaveProfile(p)
	m.profileSwitched()
	settleUntil(b, 5*time.Second, func() bool { c, _ := m.client(); return c.API() == "responses" })
	m.Window.Canvas().Focus(m.conversation.composer)
	return m, srv
}

// bigHistory stores 10,000 conversations of 20 messages, 200,000 in all, of mixed words: a
// year of heavy use, for searching.
func bigHistory(tb testing.TB, hist *store.Store) {
	tb.Helper()
	words := strings.Fields("goroutine channel database transaction index latency throughput token model context window stream rate limit cache query schema migration kernel memory pointer closure interface generic compiler benchmark profile allocation network socket timeout retry backoff jitter keychain secret export markdown")
	for c := range 10_000 {
		msgs := make([]store.Message, 20)
		for i := range msgs {
			var b strings.Builder
			for k := range 24 {
				b.WriteString(words[(c*7+i*13+k*k)%len(words)])
				b.WriteByte(' ')
			}
			msgs[i] = store.Message{Role: chat.User, Content: b.String()}
			if i%2 == 1 {
				msgs[i].Role, msgs[i].Model, msgs[i].Finish = chat.Assistant, "gpt-4o", chat.FinishStop
			}
		}
		if _, err := hist.Import(store.Conversation{Title: fmt.Sprintf("Conversation %d", c), Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, msgs); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkStreamLagWhileSearching streams 1,000 tokens a second while the user searches a
// history of 200,000 messages in the sidebar, a new query every 300 ms (the sidebar searches
// 150 ms after the last keystroke), and measures the
// stream's lag as BenchmarkStreamLag does: the search runs off the UI goroutine and its hits
// must not hold the answer back.
func BenchmarkStreamLagWhileSearching(b *testing.B) {
	queries := []string{"goroutine", "database transaction", "latency", "cache query", "kernel memory", "retry backoff jitter", "markdown", "socket"}
	searches := 0
	lastQuery := time.Now()
	m := streamLag(b, streamedAnswer(2000), bigHistory, func(m *Main) {
		if time.Since(lastQuery) > 300*time.Millisecond {
			m.sidebar.search.SetText(queries[searches%len(queries)])
			searches++
			lastQuery = time.Now()
		}
	})
	settleUntil(b, 10*time.Second, func() bool { // the searches did run: the sidebar shows hits
		return len(m.sidebar.rows) > 1 && m.sidebar.rows[1].hit != nil
	})
	b.ReportMetric(float64(searches)/float64(b.N), "searches")
}

// BenchmarkSidebarShowsSearchHits times what showing a search's hits costs the UI goroutine:
// the rows handed over and the list's visible rows bound and laid out (the search itself runs
// off it). Two queries' hits take turns, so every visible row is bound to new text each time.
func BenchmarkSidebarShowsSearchHits(b *testing.B) {
	m, _, hist := newTestMain(b, chattest.Options{})
	bigHistory(b, hist)
	s := m.sidebar
	var results [2][]sideRow
	for i, q := range []string{"database transaction", "kernel memory"} {
		rows, err := s.load(hist, q, sidebarPage)
		if err != nil || len(rows) < 20 {
			b.Fatalf("%q: %d rows, %v", q, len(rows), err)
		}
		results[i] = rows
	}
	b.ResetTimer()
	for i := range b.N {
		s.rows = results[i%2]
		s.list.Refresh()
	}
	b.StopTimer()
	if s.rows[1].hit == nil {
		b.Fatal("the sidebar shows no hits")
	}
}

// BenchmarkSwitchVersionIn2000Messages switches the version of an answer halfway through a
// 2,000-message conversation (its other version has nothing after it), each way in turn: the
// history switched, what follows read again, the rows on screen bound and laid out. The frame
// drawn after it is not timed: the test driver paints in software, 50–90 ms for any frame of
// this window, where the real window's GL frame takes 14–17 ms (BENCHMARKS.md, first paint).
// Between two switches the recount of the conversation (on another goroutine) is let finish.
func BenchmarkSwitchVersionIn2000Messages(b *testing.B) {
	m, _, hist := newTestMain(b, chattest.Options{})
	id := longConversation(b, hist)
	path, err := hist.Messages(id)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := hist.AppendAfter(store.Message{ConversationID: id, Role: chat.Assistant, Content: "Another way to write it.", Finish: chat.FinishStop}, path[998].ID); err != nil {
		b.Fatal(err)
	}
	m.Open(id)
	v := m.conversation
	settleUntil(b, 30*time.Second, func() bool { return len(v.items) == 1000 })
	v.list.ScrollTo(999)
	var took []float64
	b.ResetTimer()
	for i := range b.N {
		want, delta := 2000, -1 // to the long branch, then back
		if i%2 == 1 {
			want, delta = 1000, +1
		}
		begin := time.Now()
		v.switchVersion(v.items[999], delta)
		settleUntil(b, 10*time.Second, func() bool { return len(v.items) == want })
		v.list.Refresh() // the rows on screen bound and laid out: what a frame then draws
		took = append(took, float64(time.Since(begin).Microseconds())/1000)
		b.StopTimer()
		m.Window.Canvas().Capture()        // the test driver's software frame, not timed: see BENCHMARKS.md
		time.Sleep(300 * time.Millisecond) // the recount that follows (off the UI goroutine), as
		settle(b, 5*time.Second)           // between two clicks of a user
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "p50-ms/switch")
	b.ReportMetric(took[len(took)*99/100], "p99-ms/switch")
}
