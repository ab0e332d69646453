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
	idle, _ := idleWith(0)
	busy, perMinute := idleWith(10)
	add(row{measure: "Idle with 10 answers being made in the background, polled (a minute, once taken up): CPU, of one core", parley: fmt.Sprintf("%.2f%%", busy),
		baseline: fmt.Sprintf("%.2f%% (none pending)", idle), ratio: fmt.Sprintf("+%.2f points", busy-idle), target: "< 1% for the answers", verdict: verdict(busy-idle, 0.999)})
	add(row{measure: "Same minute: requests per pending answer", parley: fmt.Sprintf("%.1f a minute", perMinute),
		target: "≤ 30 a minute (one per 2 s), backing off to 2", verdict: verdict(perMinute, 30)})
}

// idleWith runs Parley idle with n answers pending, and returns its CPU share over a minute and
// the requests each answer cost in it.
func idleWith(pendingAnswers int) (float64, float64) {
	srv := chattest.New(chattest.Options{Key: benchKey, BackgroundRun: time.Hour, BackgroundTTL: 2 * time.Hour,
		Models: append([]string{"gpt-5.6-sol"}, chattest.DefaultModels...)})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	name := fmt.Sprintf("background-%d", pendingAnswers)
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
