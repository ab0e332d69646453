// Command run measures Parley for `make bench` and prints one table: each figure beside the
// baseline measured in the same run (a bare Fyne window, a raw go-openai client, OpenAI's own
// tokenizer), their ratio, and the target. Run it through scripts/bench.sh, which builds what it
// needs and provides the X display and the D-Bus session.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type row struct {
	measure, parley, baseline, ratio, target, verdict string
}

var (
	bin        = flag.String("parley", "build/parley", "the parley binary")
	bare       = flag.String("bare", "build/bench/bare", "the bare Fyne window")
	bareStream = flag.String("barestream", "build/bench/barestream", "the bare Fyne window that streams into a label")
	raw        = flag.String("raw", "build/bench/rawclient", "the raw go-openai client")
	server     = flag.String("server", "build/chattest", "the test server")
	runs       = flag.Int("runs", 10, "runs of each start-up and client measurement")
	npmDir     = flag.String("npm", "build/bench/npm", "where npm's tiktoken is installed")
	out        = flag.String("out", "build/bench/table.md", "where to write the table too")
	skipGo     = flag.Bool("skip-go", false, "skip the go test benchmarks (for a quick run)")
	only       = flag.String("only", "", "take only these measures, comma-separated: startup, memory, quick, streaming, idle, background, client, tokens, go")
	rows       []row
	workDir    string
)

func main() {
	flag.Parse()
	var err error
	workDir, err = os.MkdirTemp("", "parley-bench-*")
	check(err)
	defer os.RemoveAll(workDir)

	for _, sec := range sections {
		var parts []func()
		for _, m := range sec.measures {
			if wanted(m.name) {
				parts = append(parts, m.run)
			}
		}
		if len(parts) > 0 {
			section(sec.title)
			for _, run := range parts {
				run()
			}
		}
	}
	print()
}

// sections are the table's parts, in order; -only names measures.
var sections = []struct {
	title    string
	measures []measure
}{
	{"Start-up and memory (real binary under Xvfb)", []measure{{"startup", startup}, {"memory", memory}}},
	{"Quick Ask (real binary under Xvfb)", []measure{{"quick", quickAsk}}},
	{"Streaming and idle (real binary under Xvfb)", []measure{{"streaming", streamingCPU}, {"idle", idleCPU}}},
	{"Background answers (real binary under Xvfb)", []measure{{"background", backgroundIdle}}},
	{"Client overhead (parley ask against a raw go-openai client)", []measure{{"client", clientOverhead}}},
	{"Tokens", []measure{{"tokens", tokenizer}}},
	{"Go benchmarks (views on Fyne's test driver; engine, tokens, history)", []measure{{"go", goBenchmarks}}},
}

type measure struct {
	name string
	run  func()
}

// wanted tells whether a measure is to be taken: -only names it, or there is no -only.
func wanted(name string) bool {
	if name == "go" && *skipGo {
		return false
	}
	if *only == "" {
		return true
	}
	for _, s := range strings.Split(*only, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func section(name string) {
	fmt.Fprintln(os.Stderr, "bench:", name, "…")
	rows = append(rows, row{measure: "**" + name + "**"})
}

func add(r row) { rows = append(rows, r) }

// verdict says whether a figure meets its target: lower is better for all of them.
func verdict(value, limit float64) string {
	if value <= limit {
		return "met"
	}
	return "MISSED"
}

// verdict2 is the verdict of a target of several conditions.
func verdict2(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func print() {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s/%s, %s; taken %s.\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintln(&b, "| Measure | Parley | Baseline | Ratio | Target | Verdict |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.measure, r.parley, r.baseline, r.ratio, r.target, r.verdict)
	}
	os.Stdout.Write(b.Bytes())
	if *out != "" {
		os.MkdirAll(filepath.Dir(*out), 0o755)
		os.WriteFile(*out, b.Bytes(), 0o644)
	}
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// --- Go benchmarks --------------------------------------------------------------------------

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// goBench runs go test benchmarks and returns each one's metrics by unit.
func goBench(pkg, pattern string, times int) map[string]map[string]float64 {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchtime", fmt.Sprintf("%dx", times), pkg)
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, os.Stderr
	check(cmd.Run())
	res := map[string]map[string]float64{}
	for _, line := range strings.Split(outBuf.String(), "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		metrics := map[string]float64{}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				metrics[f[i+1]] = v
			}
		}
		res[m[1]] = metrics
	}
	return res
}

func goBenchmarks() {
	v := goBench("./views/", "Open2000Messages|ScrollTopToBottom|StreamLag|KeystrokeWhileStreaming", 3)
	open := v["BenchmarkOpen2000Messages"]
	add(row{measure: "Open a 2,000-message conversation (load, build visible rows, draw)", parley: fmt.Sprintf("%.0f ms", open["ms/open"]), target: "≤ 300 ms", verdict: verdict(open["ms/open"], 300)})
	add(row{measure: "Heap added by the 2,000-message conversation", parley: fmt.Sprintf("%.1f MB", open["MB-added"]), target: "≤ 100 MB", verdict: verdict(open["MB-added"], 100)})
	sc := v["BenchmarkScrollTopToBottom"]
	add(row{measure: fmt.Sprintf("Scroll top to bottom, a screen a frame (%.0f frames): layout per frame p50 / p99", sc["frames"]), parley: fmt.Sprintf("%.1f / %.1f ms", sc["p50-ms/frame"], sc["p99-ms/frame"]), target: "p99 ≤ 16.7 ms (60 fps)", verdict: verdict(sc["p99-ms/frame"], 16.7)})
	lag := v["BenchmarkStreamLag"]
	add(row{measure: "Stream at 1,000 tokens/s, arrival to shown, p50 / p99 (an answer with paragraphs, code, a table)", parley: fmt.Sprintf("%.1f / %.1f ms", lag["p50-ms"], lag["p99-ms"]), target: "p99 ≤ 50 ms", verdict: verdict(lag["p99-ms"], 50)})
	one := v["BenchmarkStreamLagOneParagraph"]
	add(row{measure: "Same, worst case: 2,000 tokens in one paragraph", parley: fmt.Sprintf("%.1f / %.1f ms", one["p50-ms"], one["p99-ms"]), target: "p99 ≤ 50 ms", verdict: verdict(one["p99-ms"], 50)})
	sw := goBench("./views/", "SwitchVersionIn2000Messages", 40)["BenchmarkSwitchVersionIn2000Messages"]
	add(row{measure: "Switch a message's version halfway through a 2,000-message conversation (history switched, what follows read, rows laid out), p50 / p99", parley: fmt.Sprintf("%.1f / %.1f ms", sw["p50-ms/switch"], sw["p99-ms/switch"]), target: "≤ 50 ms", verdict: verdict(sw["p99-ms/switch"], 50)})
	ten := goBench("./views/", "Open10000Messages|Scroll10000Messages", 2)
	open10 := ten["BenchmarkOpen10000Messages"]
	add(row{measure: "Open a 10,000-message conversation (5 million characters), and the heap it adds", parley: fmt.Sprintf("%.0f ms, %.1f MB", open10["ms/open"], open10["MB-added"]), target: "≤ 300 ms", verdict: verdict(open10["ms/open"], 300)})
	sc10 := ten["BenchmarkScroll10000Messages"]
	add(row{measure: fmt.Sprintf("Scroll it top to bottom, a screen a frame (%.0f frames): layout per frame p50 / p99", sc10["frames"]), parley: fmt.Sprintf("%.1f / %.1f ms", sc10["p50-ms/frame"], sc10["p99-ms/frame"]), target: "p99 ≤ 16.7 ms (60 fps)", verdict: verdict(sc10["p99-ms/frame"], 16.7)})
	ws := goBench("./views/", "StreamLagWhileSearching", 2)["BenchmarkStreamLagWhileSearching"]
	add(row{measure: "Same stream while the sidebar searches 200,000 messages (a query every 300 ms), p50 / p99", parley: fmt.Sprintf("%.1f / %.1f ms", ws["p50-ms"], ws["p99-ms"]), target: "p99 ≤ 50 ms", verdict: verdict(ws["p99-ms"], 50)})
	keys := v["BenchmarkKeystrokeWhileStreaming"]
	add(row{measure: "Keystroke in the composer while streaming, 2,000-message conversation, p50 / p99", parley: fmt.Sprintf("%.2f / %.2f ms", keys["p50-ms"], keys["p99-ms"]), target: "≤ 16 ms", verdict: verdict(keys["p99-ms"], 16)})
	wheel := goBench("./views/", "WheelThroughCodeAnswers", 1)["BenchmarkWheelThroughCodeAnswers"]
	add(row{measure: "Wheel through the 2,000-message conversation of code answers, pointer over the code: px per notch, p99 per notch", parley: fmt.Sprintf("%.0f px, %.2f ms", wheel["px/notch"], wheel["p99-ms/notch"]), target: "≈ 3 lines (≥ 50 px), p99 ≤ 16.7 ms", verdict: verdict2(wheel["px/notch"] >= 50 && wheel["p99-ms/notch"] <= 16.7)})
	paste := goBench("./views/", "KeystrokeAfterLargePaste", 200)
	for _, name := range []string{"one-line", "20000-lines"} {
		k := paste["BenchmarkKeystrokeAfterLargePaste/"+name]
		add(row{measure: fmt.Sprintf("Paste 1 MB (%s) into the composer, then type: the paste, keystroke p99", strings.Replace(name, "20000", "20,000", 1)), parley: fmt.Sprintf("%.1f ms, %.2f ms", k["paste-ms"], k["p99-ms"]), target: "keystroke ≤ 16 ms", verdict: verdict(k["p99-ms"], 16)})
	}
	att := goBench("./views/", "KeystrokeWhileAttaching20MB", 5)["BenchmarkKeystrokeWhileAttaching20MB"]
	add(row{measure: "Keystroke in the composer while a 20 MB image is read, hashed and thumbnailed, p50 / p99", parley: fmt.Sprintf("%.2f / %.2f ms", att["p50-ms"], att["p99-ms"]), target: "p99 ≤ 16 ms", verdict: verdict(att["p99-ms"], 16)})
	thumbs := goBench("./views/", "ScrollFiftyThumbnails", 10)["BenchmarkScrollFiftyThumbnails"]
	add(row{measure: "Scroll a conversation of 50 image thumbnails top to bottom, a screen a frame: p50 / p99", parley: fmt.Sprintf("%.1f / %.1f ms", thumbs["p50-ms/frame"], thumbs["p99-ms/frame"]), target: "p99 ≤ 16.7 ms", verdict: verdict(thumbs["p99-ms/frame"], 16.7)})
	huge := goBench("./views/", "OpenHugeMessage", 2)["BenchmarkOpenHugeMessage"]
	add(row{measure: "Open a conversation holding one 50 MB paragraph, and the heap it adds", parley: fmt.Sprintf("%.0f ms, %.0f MB", huge["ms/open"], huge["MB-added"]), target: "< 1 s", verdict: verdict(huge["ms/open"], 1000)})

	t := goBench("./chat/tokens/", "Count100k", 20)
	cold, plus := t["BenchmarkCount100kConversationCold"]["ns/op"], t["BenchmarkCount100kConversationPlusOneMessage"]["ns/op"]
	add(row{measure: "Count a 100,000-token conversation, cold (encoder loaded)", parley: fmt.Sprintf("%.0f ms", cold/1e6), target: "", verdict: ""})
	add(row{measure: "Count it again after one new message (cached per message)", parley: fmt.Sprintf("%.2f ms", plus/1e6), baseline: fmt.Sprintf("%.0f ms cold", cold/1e6), ratio: fmt.Sprintf("%.4f×", plus/cold), target: "only the new message", verdict: verdict(plus, cold/100)})
	c := goBench("./chat/", "StreamPerChunk|ResponsesPerEvent", 5)
	add(row{measure: "Engine per streamed chunk, Chat Completions (client and local server together)", parley: fmt.Sprintf("%.1f µs", c["BenchmarkStreamPerChunk"]["ns/chunk"]/1000)})
	add(row{measure: "Engine per streamed text event, Responses API (client and local server together)", parley: fmt.Sprintf("%.1f µs", c["BenchmarkResponsesPerEvent"]["ns/event"]/1000)})
	poll := goBench("./chat/", "BackgroundPolling", 1)["BenchmarkBackgroundPolling"]
	add(row{measure: "Polling one background answer (server clock): requests in its first minute, and a minute after five", parley: fmt.Sprintf("%.0f, %.1f", poll["requests/first-minute"], poll["requests/minute-after-5"]),
		target: "≤ 30 (one per 2 s), backing off to ≈ 2 (one per 30 s)", verdict: verdict2(poll["requests/first-minute"] <= 30 && poll["requests/minute-after-5"] <= 2.5)})
	exact := goBench("./views/", "ExactCountAfterTyping", 30)["BenchmarkExactCountAfterTyping"]
	add(row{measure: "The composer's exact count from the server after the last keystroke, p50 / p99 (local server)", parley: fmt.Sprintf("%.0f / %.0f ms", exact["p50-ms"], exact["p99-ms"]), target: "≤ 300 ms", verdict: verdict(exact["p99-ms"], 300)})

	shape := goBench("./views/widgets/", "MeasureNewText", 3000)["BenchmarkMeasureNewText"]
	add(row{measure: "Measure a line of text never measured before (shaping it: every new title, label and streamed line)", parley: fmt.Sprintf("%.0f µs", shape["µs/text"])})

	s := goBench("./chat/store/", "SidebarFirstPage|FullTextSearch|OpenBigHistory", 40)
	opened := s["BenchmarkOpenBigHistory"]["ns/op"] / 1e6
	add(row{measure: "History of 10,000 conversations / 200,000 messages (350 MB): opening it as every start and every parley ask does (open, look for interrupted and background answers, first page)",
		parley: fmt.Sprintf("%.1f ms", opened), target: "≤ 50 ms", verdict: verdict(opened, 50)})
	first := s["BenchmarkSidebarFirstPage"]["ns/op"] / 1e6
	add(row{measure: "Same history: sidebar's first page", parley: fmt.Sprintf("%.2f ms", first), target: "≤ 50 ms", verdict: verdict(first, 50)})
	fts := s["BenchmarkFullTextSearch"]["median-ms"]
	add(row{measure: "Same history: full-text search, median of mixed queries", parley: fmt.Sprintf("%.2f ms", fts), target: "≤ 30 ms", verdict: verdict(fts, 30)})
	grown := goBench("./chat/store/", "SameFileAttachedFiveTimes", 1)["BenchmarkSameFileAttachedFiveTimes"]
	add(row{measure: "The same 20 MB screenshot attached to five questions: what the history file grows by", parley: fmt.Sprintf("%.1f MB (%.2f× the file)", grown["MB-grown"], grown["file-sizes-grown"]), target: "the file once", verdict: verdict(grown["file-sizes-grown"], 1.05)})
	imp := goBench("./chat/importer/", "ImportChatGPT5000", 1)["BenchmarkImportChatGPT5000"]
	add(row{measure: fmt.Sprintf("Import a ChatGPT export of 5,000 conversations, 101,000 messages (%.0f MB): time, peak memory, slowest sidebar page meanwhile", imp["MB-export"]),
		parley: fmt.Sprintf("%.1f s, %.0f MB, %.1f ms", imp["s/import"], imp["MB-peak-RSS"], imp["ms-worst-sidebar-page"]), target: "≤ 20 s, ≤ 300 MB",
		verdict: verdict2(imp["s/import"] <= 20 && imp["MB-peak-RSS"] <= 300)})
	e := goBench("./chat/markdown/", "Export2000", 10)
	exp := e["BenchmarkExport2000Messages"]["ns/op"] / 1e6
	add(row{measure: "Markdown export of a 2,000-message conversation (read and render, 1.3 MB)", parley: fmt.Sprintf("%.0f ms", exp), target: "≤ 200 ms", verdict: verdict(exp, 200)})
}
