package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"

	"parley/chat"
	"parley/chat/store"
)

const benchKey = "sk-proj-benchKEY0123456789abcdefGHIJKLmn"

// home is a throw-away user for one measurement.
func home(name string) []string {
	dir := filepath.Join(workDir, name)
	for _, d := range []string{".config", ".local/share", "run"} {
		os.MkdirAll(filepath.Join(dir, d), 0o700)
	}
	return append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, ".config"),
		"XDG_DATA_HOME="+filepath.Join(dir, ".local/share"), "XDG_RUNTIME_DIR="+filepath.Join(dir, "run"))
}

// startServer runs the test server with flags and returns its base URL.
func startServer(args ...string) (string, func()) {
	cmd := exec.Command(*server, append([]string{"-key", benchKey}, args...)...)
	stdout, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	check(err)
	return strings.TrimSpace(line), func() { cmd.Process.Kill(); cmd.Wait() }
}

// mapWatcher reports windows mapped on the X display, by title.
type mapWatcher struct {
	conn *xgb.Conn
	// shows, when set, is asked of each window the moment its mapping is heard of, before
	// anything else (its title takes two round trips): does it show the content already?
	shows func(conn *xgb.Conn, win xproto.Window) bool
}

func newMapWatcher() *mapWatcher {
	xgb.Logger.SetOutput(io.Discard)
	conn, err := xgb.NewConn()
	check(err)
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	check(xproto.ChangeWindowAttributesChecked(conn, root, xproto.CwEventMask, []uint32{xproto.EventMaskSubstructureNotify}).Check())
	return &mapWatcher{conn: conn}
}

// title is a window's title: _NET_WM_NAME (UTF-8) when set, else WM_NAME.
func (w *mapWatcher) title(win xproto.Window) string {
	atom := xproto.Atom(xproto.AtomWmName)
	if a, err := xproto.InternAtom(w.conn, true, uint16(len("_NET_WM_NAME")), "_NET_WM_NAME").Reply(); err == nil && a.Atom != 0 {
		if r, err := xproto.GetProperty(w.conn, false, win, a.Atom, xproto.AtomAny, 0, 256).Reply(); err == nil && len(r.Value) > 0 {
			return string(r.Value)
		}
	}
	r, err := xproto.GetProperty(w.conn, false, win, atom, xproto.AtomAny, 0, 256).Reply()
	if err != nil {
		return ""
	}
	return string(r.Value)
}

// mapping is a window mapped: when it was heard of, and when the read that followed showed its
// content (zero if it did not, or the watcher does not ask).
type mapping struct {
	win     xproto.Window
	at      time.Time
	content time.Time
}

// waitMapped waits for a window with this title to be mapped and returns when it was.
func (w *mapWatcher) waitMapped(title string, timeout time.Duration) mapping {
	found := make(chan mapping, 1)
	go func() {
		for {
			ev, err := w.conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if m, ok := ev.(xproto.MapNotifyEvent); ok {
				got := mapping{win: m.Window, at: time.Now()}
				if w.shows != nil && w.shows(w.conn, m.Window) {
					got.content = time.Now()
				}
				if w.title(m.Window) == title {
					found <- got
					return
				}
			}
		}
	}()
	select {
	case m := <-found:
		return m
	case <-time.After(timeout):
		check(fmt.Errorf("no window %q within %v", title, timeout))
	}
	return mapping{}
}

// showsContent tells whether a window shows Parley's content: the sidebar's blue "New chat"
// button at (20, 53).
func showsContent(conn *xgb.Conn, win xproto.Window) bool {
	img, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(win), 20, 53, 1, 1, 0xffffffff).Reply()
	if err != nil || len(img.Data) < 3 {
		return false
	}
	b, g, r := img.Data[0], img.Data[1], img.Data[2] // BGRX on a 24-bit TrueColor visual
	return b > 180 && r < 120 && g < 170
}

// painted waits until the window shows Parley's content, and returns when it did. It asks on
// conn, opened before the launch: making a connection to the X server takes milliseconds that
// are not Parley's.
func painted(conn *xgb.Conn, win xproto.Window, timeout time.Duration) time.Time {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if showsContent(conn, win) {
			return time.Now()
		}
		time.Sleep(time.Millisecond)
	}
	check(fmt.Errorf("the window never showed its content"))
	return time.Time{}
}

// launch starts a GUI program and returns when its window is mapped.
func launch(path string, env []string, title string) (*exec.Cmd, xproto.Window, time.Duration) {
	w := newMapWatcher()
	defer w.conn.Close()
	cmd, begin := start(path, env)
	m := w.waitMapped(title, 30*time.Second)
	return cmd, m.win, m.at.Sub(begin)
}

// start starts a program and returns the moment it did.
func start(path string, env []string, args ...string) (*exec.Cmd, time.Time) {
	cmd := exec.Command(path, args...)
	cmd.Env = env
	begin := time.Now()
	check(cmd.Start())
	return cmd, begin
}

func quit(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func rssMB(pid int) float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuTime is the CPU a process has used so far.
func cpuTime(pid int) time.Duration {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(data)
	fields := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // CLK_TCK is 100 on Linux
}

func windowTitle(win xproto.Window) string {
	conn, err := xgb.NewConn()
	check(err)
	defer conn.Close()
	return (&mapWatcher{conn: conn}).title(win)
}

func xdotool(args ...string) {
	exec.Command("xdotool", args...).Run()
}

// parleyEnv is a user who has used Parley before (its settings and history exist), with a key.
func parleyEnv(name, url string) []string {
	env := home(name)
	return append(env, "OPENAI_BASE_URL="+url, "OPENAI_API_KEY="+benchKey)
}

// evict drops the binaries from the page cache, so that the first start reads them from disk, as
// after booting, and how much of each file is resident does not depend on how the build wrote
// it: a binary just written by the linker comes back mapped in larger pieces (the bare window:
// 16 MB of its file resident against 13 read from disk), and the idle memory row moved by 3 MB
// from one build to the next.
func evict(paths ...string) {
	for _, p := range paths {
		f, err := os.Open(p)
		check(err)
		check(f.Sync())
		check(unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
		f.Close()
	}
}

// startup measures launch to window mapped, Parley against the bare window, interleaved.
func startup() {
	url, stop := startServer()
	defer stop()
	env := parleyEnv("startup", url)
	bareEnv := home("bare")
	evict(*bin, *bare)
	// A first run of each, not counted: it writes the files later runs find.
	for _, p := range [][3]string{{*bin, "Parley"}, {*bare, "Bare"}} {
		e := env
		if p[1] == "Bare" {
			e = bareEnv
		}
		cmd, _, _ := launch(p[0], e, p[1])
		time.Sleep(300 * time.Millisecond)
		quit(cmd)
	}
	var ps, cs, bs []time.Duration
	for range *runs {
		cmd, _, d := launch(*bare, bareEnv, "Bare")
		bs = append(bs, d)
		quit(cmd)
		// The content is read the moment the mapping is heard of, before the window's title is
		// asked (two round trips), and then every millisecond until it shows: on a connection
		// opened before the launch, as making one takes milliseconds that are not Parley's.
		w := newMapWatcher()
		w.shows = showsContent
		cmd, begin := start(*bin, env)
		m := w.waitMapped("Parley", 30*time.Second)
		ps = append(ps, m.at.Sub(begin))
		if m.content.IsZero() {
			m.content = painted(w.conn, m.win, 10*time.Second)
		}
		cs = append(cs, m.content.Sub(begin))
		w.conn.Close()
		quit(cmd)
	}
	p, c, b := median(ps), median(cs), median(bs)
	ratio := float64(p) / float64(b)
	add(row{measure: fmt.Sprintf("Start-up: launch to window mapped, median of %d", *runs), parley: ms(p), baseline: ms(b) + " (bare Fyne window)",
		ratio: fmt.Sprintf("%.2f×", ratio), target: "≤ 1.3×", verdict: verdict(ratio, 1.3)})
	cratio := float64(c) / float64(b)
	add(row{measure: "Start-up: launch to the window showing its content (sidebar, composer), median", parley: ms(c), baseline: ms(b) + " (bare window mapped)",
		ratio: fmt.Sprintf("%.2f×", cratio), target: "≤ 1.15×", verdict: verdict(cratio, 1.15)})
}

// memory measures resident memory idle, and with a 2,000-message conversation open.
func memory() {
	url, stop := startServer()
	defer stop()
	env := parleyEnv("memory", url)
	evict(*bin, *bare)

	// The long conversation, stored as Parley would have stored it.
	dataDir := filepath.Join(workDir, "memory", ".local/share/parley")
	os.MkdirAll(dataDir, 0o700)
	st, err := store.Open(store.DefaultPath(dataDir))
	check(err)
	_, err = st.Import(store.Conversation{Title: "A long conversation", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, longMessages(2000))
	check(err)
	_, err = st.Import(store.Conversation{Title: "Ten thousand messages", Model: "gpt-4o", Created: time.Now(), Updated: time.Now()}, longMessages(10_000))
	check(err)
	st.Close()

	// Resident memory moves by a megabyte or two from one start to the next: each figure is the
	// median of three starts, the bare window's and Parley's interleaved.
	const starts = 3
	var bares, idles []float64
	var long, longest float64
	for i := range starts {
		bareCmd, _, _ := launch(*bare, home("bare-mem"), "Bare")
		time.Sleep(3 * time.Second)
		bares = append(bares, rssMB(bareCmd.Process.Pid))
		quit(bareCmd)

		cmd, win, _ := launch(*bin, env, "Parley")
		time.Sleep(3 * time.Second)
		idles = append(idles, rssMB(cmd.Process.Pid))
		if i == starts-1 {
			long = openConversation(cmd, win, "A long conversation")
		}
		quit(cmd)
	}
	cmd, win, _ := launch(*bin, env, "Parley")
	time.Sleep(3 * time.Second)
	longest = openConversation(cmd, win, "Ten thousand messages")
	quit(cmd)
	bareRSS, idle := medianOf(bares), medianOf(idles)
	add(row{measure: fmt.Sprintf("Resident memory, idle after start, median of %d", starts), parley: fmt.Sprintf("%.0f MB", idle), baseline: fmt.Sprintf("%.0f MB (bare)", bareRSS),
		ratio: fmt.Sprintf("+%.1f MB", idle-bareRSS), target: "≤ bare + 30 MB", verdict: verdict(idle-bareRSS, 30)})
	add(row{measure: "Resident memory, the 2,000-message conversation open", parley: fmt.Sprintf("%.0f MB", long), baseline: fmt.Sprintf("%.0f MB (bare)", bareRSS),
		ratio: fmt.Sprintf("+%.0f MB", long-bareRSS), target: "≤ bare + 150 MB", verdict: verdict(long-bareRSS, 150)})
	add(row{measure: "Resident memory, a 10,000-message conversation open (5 million characters)", parley: fmt.Sprintf("%.0f MB", longest), baseline: fmt.Sprintf("%.0f MB (bare)", bareRSS),
		ratio: fmt.Sprintf("+%.0f MB", longest-bareRSS), target: "≤ bare + 120 MB", verdict: verdict(longest-bareRSS, 120)})
}

// openConversation finds a conversation by its title with the sidebar's search, opens it, and
// returns Parley's resident memory once it shows.
func openConversation(cmd *exec.Cmd, win xproto.Window, title string) float64 {
	id := strconv.Itoa(int(win))
	xdotool("windowfocus", "--sync", id)
	xdotool("key", "--clearmodifiers", "ctrl+f")
	xdotool("type", "--delay", "5", strings.ToLower(strings.TrimPrefix(title, "A ")))
	time.Sleep(700 * time.Millisecond)
	xdotool("key", "Return")
	time.Sleep(3 * time.Second)
	if t := windowTitle(win); t != "Parley — "+title {
		check(fmt.Errorf("the long conversation did not open (the window is titled %q)", t))
	}
	return rssMB(cmd.Process.Pid)
}

func medianOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// longMessages is n messages, about 500 characters each (2,000 are a million), code and tables
// in the answers.
func longMessages(n int) []store.Message {
	var msgs []store.Message
	for i := range n {
		m := store.Message{Role: chat.User, Content: fmt.Sprintf("Question %d: how would you write step %d in Go, and why?", i, i), Created: time.Now()}
		if i%2 == 1 {
			m.Role, m.Model, m.Finish = chat.Assistant, "gpt-4o", chat.FinishStop
			m.Content = fmt.Sprintf("## Step %d\n\nHere is one way, with the reasons below.\n\n```go\nfunc step%d(ctx context.Context) error {\n\tfor i := 0; i < %d; i++ {\n\t\tif err := ctx.Err(); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n```\n\n| Choice | Why |\n|---|---|\n| context | cancellation |\n| loop | clarity |\n\n%s", i, i, i, strings.Repeat("The explanation goes on in prose for a while, as answers do. ", 12))
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// realisticAnswer is about n tokens of paragraphs, a list, code and a table.
func realisticAnswer(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n*4; i++ {
		switch i % 5 {
		case 2:
			b.WriteString("```go\nfunc handler(w http.ResponseWriter, r *http.Request) {\n\tfmt.Fprintln(w, \"hello\")\n}\n```\n\n")
		case 4:
			b.WriteString("| Option | Effect |\n|---|---|\n| timeout | ends slow calls |\n| retries | hides blips |\n\n")
		default:
			b.WriteString("Streaming text arrives a token at a time and the window shows it as it comes, wrapped into lines and paragraphs like this one, which runs for a few sentences before the next block begins.\n\n")
		}
	}
	return b.String()
}

// streamingCPU measures Parley's CPU while an answer streams in at 1,000 tokens a second, beside
// the floor: a bare Fyne window that appends the same stream to one label. Three runs of each,
// alternating, because the share moves by several points from one run to the next.
func streamingCPU() {
	answer := realisticAnswer(2000)
	url, stop := startServer("-tps", "1000", "-reply", answer)
	defer stop()
	env := parleyEnv("stream", url)
	floorEnv := append(home("barestream"), "OPENAI_BASE_URL="+url, "OPENAI_API_KEY="+benchKey)
	share := func(path string, env []string, title, prompt string) float64 {
		cmd, win, _ := launch(path, env, title)
		defer quit(cmd)
		time.Sleep(2 * time.Second)
		xdotool("windowfocus", "--sync", strconv.Itoa(int(win)))
		if prompt != "" {
			xdotool("type", "--delay", "5", prompt)
			time.Sleep(1500 * time.Millisecond) // the first keystroke loads the tokenizer: not part of streaming
		}
		before, begin := cpuTime(cmd.Process.Pid), time.Now()
		xdotool("key", "Return")
		time.Sleep(2500 * time.Millisecond)
		return 100 * (cpuTime(cmd.Process.Pid) - before).Seconds() / time.Since(begin).Seconds()
	}
	var ps, fs []float64
	for range 3 {
		fs = append(fs, share(*bareStream, floorEnv, "Bare stream", ""))
		ps = append(ps, share(*bin, env, "Parley", "Stream a long answer"))
	}
	p, f := medianOf(ps), medianOf(fs)
	limit := max(30, 1.5*f)
	add(row{measure: "CPU while a 2,000-token answer streams at 1,000 tokens/s (of one core), median of 3", parley: fmt.Sprintf("%.0f%%", p),
		baseline: fmt.Sprintf("%.0f%% (bare Fyne window appending to a label)", f), ratio: fmt.Sprintf("%.2f×", p/f),
		target: fmt.Sprintf("≤ 30%% or ≤ 1.5× the floor (here %.0f%%)", limit), verdict: verdict(p, limit)})
}

// clientOverhead runs parley ask and the raw client in turns against a server that thinks for
// 300 ms and streams 300 tokens at 1,000 a second, and times the first byte and the exit.
func clientOverhead() {
	url, stop := startServer("-tps", "1000", "-ttft", "300ms", "-reply", realisticAnswer(300))
	defer stop()
	env := parleyEnv("ask", url)
	run := func(path string, args ...string) (ttft, total time.Duration) {
		cmd := exec.Command(path, args...)
		cmd.Env = env
		stdout, err := cmd.StdoutPipe()
		check(err)
		begin := time.Now()
		check(cmd.Start())
		first := make([]byte, 1)
		_, err = stdout.Read(first)
		check(err)
		ttft = time.Since(begin)
		io.Copy(io.Discard, stdout)
		check(cmd.Wait())
		return ttft, time.Since(begin)
	}
	for _, api := range []struct {
		name, target string
		limit        float64
		parley, raw  []string // the arguments before the model and the prompt
	}{
		{"Chat Completions", "≤ 1.1×", 1.1, []string{"ask", "--api", "chat", "-m"}, nil},
		{"Responses API", "≤ 1.05×", 1.05, []string{"ask", "--api", "responses", "-m"}, []string{"-responses"}},
	} {
		call := func(path string, pre []string) (time.Duration, time.Duration) {
			return run(path, append(pre, "gpt-4o-mini", "How do I write an HTTP handler?")...)
		}
		call(*bin, api.parley) // warm up
		var pf, pt, rf, rt []time.Duration
		for range *runs {
			f, t := call(*raw, api.raw)
			rf, rt = append(rf, f), append(rt, t)
			f, t = call(*bin, api.parley)
			pf, pt = append(pf, f), append(pt, t)
		}
		for _, r := range []struct {
			name   string
			p, raw []time.Duration
		}{{"time to first token", pf, rf}, {"total time", pt, rt}} {
			p, b := median(r.p), median(r.raw)
			ratio := float64(p) / float64(b)
			add(row{measure: fmt.Sprintf("parley ask on the %s, %s, median of %d (server: 300 ms to think, 1,000 tokens/s)", api.name, r.name, *runs), parley: ms(p), baseline: ms(b) + " (go-openai alone)",
				ratio: fmt.Sprintf("%.2f× (+%s)", ratio, ms(p-b)), target: api.target, verdict: verdict(ratio, api.limit)})
		}
	}
}

// quickAsk times Quick Ask coming up: from `parley --quick` handing over to the running Parley,
// and from a click on the tray menu's "Quick Ask…" (over D-Bus, as a tray host sends it), to the
// Quick Ask window mapped.
func quickAsk() {
	url, stop := startServer()
	defer stop()
	env := parleyEnv("quick", url)
	cmd, _, _ := launch(*bin, env, "Parley")
	defer quit(cmd)
	time.Sleep(1500 * time.Millisecond)
	var handoff, tray []time.Duration
	for range *runs {
		w := newMapWatcher()
		second, begin := start(*bin, env, "--quick")
		m := w.waitMapped("Quick Ask", 10*time.Second)
		handoff = append(handoff, m.at.Sub(begin))
		check(second.Wait())
		w.conn.Close()
		xdotool("windowfocus", "--sync", strconv.Itoa(int(m.win)))
		xdotool("key", "Escape")
		time.Sleep(300 * time.Millisecond)

		w = newMapWatcher()
		begin = time.Now()
		clickTrayItem(cmd.Process.Pid, "Quick Ask…")
		m = w.waitMapped("Quick Ask", 10*time.Second)
		tray = append(tray, m.at.Sub(begin))
		w.conn.Close()
		xdotool("windowfocus", "--sync", strconv.Itoa(int(m.win)))
		xdotool("key", "Escape")
		time.Sleep(300 * time.Millisecond)
	}
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"parley --quick, handed to the running Parley, to Quick Ask mapped", handoff}, {"tray click on \"Quick Ask…\" to Quick Ask mapped", tray}} {
		m := median(r.d)
		add(row{measure: fmt.Sprintf("%s, median of %d", r.name, *runs), parley: ms(m), target: "≤ 150 ms", verdict: verdict(float64(m.Milliseconds()), 150)})
	}
}
