package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"parley/chat"
	"parley/chat/ask"
	"parley/chat/store"
)

// fetchWait bounds the command line's look at background answers before it lists the history:
// one request each, retried through trouble for at most this long.
const fetchWait = 15 * time.Second

// fetchPending takes up the background answers no Parley follows, saves those that are done,
// and says what became of each on standard error: the history then lists them as they are.
func (c *cli) fetchPending() {
	ctx, cancel := context.WithTimeout(context.Background(), fetchWait)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lines []string
	c.svc.followPending(ctx, c.asker(), ask.Following{LeaveRunning: true, Once: true}, func(m store.Message, run *ask.Run, done context.CancelFunc) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done()
			var f ask.Finished
			for e := range run.Events() {
				if e, ok := e.(ask.Finished); ok {
					f = e
				}
			}
			line := describeFetched(m, f)
			mu.Lock()
			lines = append(lines, line)
			mu.Unlock()
		}()
	})
	wg.Wait()
	for _, l := range lines {
		fmt.Fprintln(c.stderr, "parley:", l)
	}
	if len(lines) > 0 {
		tell(c.svc.paths.Runtime, requestHistory)
	}
}

// describeFetched says what became of a background answer taken up.
func describeFetched(m store.Message, f ask.Finished) string {
	where := fmt.Sprintf("%q (conversation %d)", f.Conversation.Title, m.ConversationID)
	a := f.Answer
	switch {
	case !f.Saved && a.Finish != chat.FinishBackground:
		return "the background answer in " + where + " was fetched by another Parley"
	case a.Finish == chat.FinishBackground && a.Err != nil:
		return "the background answer in " + where + " could not be fetched: " + plain(a.Err)
	case a.Finish == chat.FinishBackground:
		return "the background answer in " + where + " is still being made on OpenAI (" + m.ResponseID + ")"
	case a.Err != nil:
		return "the background answer in " + where + " ended: " + plain(a.Err)
	}
	return "fetched the background answer in " + where
}
