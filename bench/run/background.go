package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"parley/chat"
	"parley/chat/chattest"
	"parley/chat/store"
)

// backgroundIdle measures an idle Parley that follows 10 answers being made in the background
// (left by an earlier Parley, on a server that makes them for an hour and will not stream them
// again, so they are polled): its CPU over a minute once it has taken them up, and the requests
// each answer costs.
func backgroundIdle() {
	bare := bareIdle()
	idle, _ := idleWith(0, false)
	busy, perMinute := idleWith(10, false)
	add(row{measure: "Idle in the background (another window focused) with 10 answers being made on OpenAI, polled: CPU over a minute, of one core", parley: fmt.Sprintf("%.2f%%", busy),
		baseline: fmt.Sprintf("%.2f%% (bare Fyne window, idle)", bare), ratio: fmt.Sprintf("%+.2f points", busy-bare), target: "< 1% (above Fyne's own idle)", verdict: verdict(busy-bare, 0.999)})
	add(row{measure: "What the 10 answers themselves cost: the same Parley with none pending", parley: fmt.Sprintf("%+.2f points", busy-idle),
		baseline: fmt.Sprintf("%.2f%% (none pending)", idle)})
	add(row{measure: "Same minute: requests per pending answer", parley: fmt.Sprintf("%.1f a minute", perMinute),
		target: "≤ 30 a minute (one per 2 s), backing off to 2", verdict: verdict(perMinute, 30)})
	focused, _ := idleWith(10, true)
	add(row{measure: "Same, Parley's window focused (the caret at rest: it stops blinking 10 s after the last key)", parley: fmt.Sprintf("%.2f%%", focused)})
}

// bareIdle is the bare Fyne window's CPU share over a minute, idle: what Fyne's own event loop
// costs on this machine.
func bareIdle() float64 {
	cmd, _, _ := launch(*bare, home("background-bare"), "Bare")
	defer quit(cmd)
	time.Sleep(5 * time.Second)
	before, begin := cpuTime(cmd.Process.Pid), time.Now()
	time.Sleep(time.Minute)
	return 100 * (cpuTime(cmd.Process.Pid) - before).Seconds() / time.Since(begin).Seconds()
}

// idleWith runs Parley idle with n answers pending, its window focused or another one (the bare
// window) in front, and returns its CPU share over a minute and the requests each answer cost.
func idleWith(pendingAnswers int, focused bool) (float64, float64) {
	srv := chattest.New(chattest.Options{Key: benchKey, BackgroundRun: time.Hour, BackgroundTTL: 2 * time.Hour,
		Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	name := fmt.Sprintf("background-%d-%v", pendingAnswers, focused)
	env := home(name)
	dir := filepath.Join(workDir, name)
	config := filepath.Join(dir, ".config", "parley")
	os.MkdirAll(config, 0o700)
	check(os.WriteFile(filepath.Join(config, "settings.json"), []byte(fmt.Sprintf(
		`{"version":2,"current_profile":"bench","profiles":[{"id":"bench","name":"Bench","base_url":%q,"model":"gpt-5.6-sol","tier":"tier1","api":"responses"}]}`,
		ts.URL+"/v1")), 0o600))
	st, err := store.Open(store.DefaultPath(filepath.Join(dir, ".local", "share", "parley")))
	check(err)
	for i := range pendingAnswers {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/responses", strings.NewReader(`{"model":"gpt-5.6-sol","input":"Think.","background":true,"store":true}`))
		req.Header.Set("Authorization", "Bearer "+benchKey)
		resp, err := http.DefaultClient.Do(req)
		check(err)
		var created struct{ ID string }
		check(json.NewDecoder(resp.Body).Decode(&created))
		resp.Body.Close()
		c, err := st.CreateConversation(store.Conversation{Title: fmt.Sprintf("Pending %d", i+1), Profile: "bench", Model: "gpt-5.6-sol"})
		check(err)
		_, err = st.Append(store.Message{ConversationID: c.ID, Role: chat.User, Content: "Think."})
		check(err)
		_, err = st.Append(store.Message{ConversationID: c.ID, Role: chat.Assistant, Model: "gpt-5.6-sol", Finish: chat.FinishBackground, ResponseID: created.ID})
		check(err)
	}
	st.Close()

	cmd, _, _ := launch(*bin, append(env, "OPENAI_API_KEY="+benchKey), "Parley")
	if !focused {
		other, win, _ := launch(*bare, home("background-other"), "Bare")
		defer quit(other)
		xdotool("windowfocus", "--sync", fmt.Sprint(win))
	}
	time.Sleep(10 * time.Second) // started, and every answer taken up
	before, requests := cpuTime(cmd.Process.Pid), len(srv.Requests())
	begin := time.Now()
	time.Sleep(time.Minute)
	used, elapsed := cpuTime(cmd.Process.Pid)-before, time.Since(begin)
	polls := len(srv.Requests()) - requests
	quit(cmd)
	share := 100 * used.Seconds() / elapsed.Seconds()
	if pendingAnswers == 0 {
		return share, 0
	}
	return share, float64(polls) / float64(pendingAnswers) / elapsed.Minutes()
}
