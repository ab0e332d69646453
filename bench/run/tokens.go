package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"parley/chat/tokens"
)

// tokenizer compares Parley's tokenizer with OpenAI's own (npm's tiktoken, Rust compiled to
// WebAssembly) on the same texts: prose and code, and runs without a space, which tiktoken
// merges in time quadratic in their length.
func tokenizer() {
	script := filepath.Join(workDir, "tiktoken.js")
	check(os.WriteFile(script, []byte(`const { get_encoding } = require("tiktoken");
const fs = require("fs");
const text = fs.readFileSync(process.argv[2], "utf8");
const enc = get_encoding("o200k_base");
enc.encode_ordinary("warm up");
const begin = process.hrtime.bigint();
const n = enc.encode_ordinary(text).length;
const secs = Number(process.hrtime.bigint() - begin) / 1e9;
console.log(n, secs);
`), 0o644))
	check(tokens.Warm(tokens.O200k))
	r := uint32(42)
	run := func(n int, from string) string { // testdata/gen-tiktoken.js's generator
		b := make([]byte, n)
		for i := range b {
			r = (r*1103515245 + 12345) & 0x7fffffff
			b[i] = from[r%uint32(len(from))]
		}
		return string(b)
	}
	compare("Tokenizer throughput, %s tokens of prose and code (%s)", strings.Repeat(realisticAnswer(2000), 25), script, true, "")
	compare("Count 100 KB of DNA, no space in it: %s tokens (%s)", run(100_000, "ACGT"), script, true, "≤ 1 s")
	compare("Count 1 MB of letters with no space: %s tokens (%s)", run(1<<20, "abcdefghijklmnopqrstuvwxyz"), script, false, "≤ 1 s")
}

// compare counts text with Parley and, when withNPM, with npm's tiktoken, and adds a row.
func compare(measure, text, script string, withNPM bool, target string) {
	file := filepath.Join(workDir, "tokens.txt")
	check(os.WriteFile(file, []byte(text), 0o644))
	begin := time.Now()
	n, err := tokens.Default().Text(tokens.O200k, text)
	check(err)
	goSecs := time.Since(begin).Seconds()
	rate := fmt.Sprintf("%.2f MB/s", float64(len(text))/goSecs/1e6)
	if target != "" {
		rate = fmt.Sprintf("%.2f s", goSecs)
	}
	verdictOf := ""
	if target != "" {
		verdictOf = verdict(goSecs, 1)
	}
	if !withNPM {
		add(row{measure: fmt.Sprintf(measure, thousandsOf(n), "npm tiktoken not run: over a megabyte it fails in WebAssembly"), parley: rate, target: target, verdict: verdictOf})
		return
	}
	cmd := exec.Command("node", script, file)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(*npmDir, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		add(row{measure: fmt.Sprintf(measure, thousandsOf(n), "npm tiktoken failed"), parley: rate, baseline: "npm tiktoken: " + err.Error(), target: target, verdict: verdictOf})
		return
	}
	f := strings.Fields(string(out))
	npmN, _ := strconv.Atoi(f[0])
	npmSecs, _ := strconv.ParseFloat(f[1], 64)
	same := "same count"
	if npmN != n {
		same = fmt.Sprintf("COUNTS DIFFER: %d vs %d", n, npmN)
	}
	baseline := fmt.Sprintf("%.2f MB/s (npm tiktoken)", float64(len(text))/npmSecs/1e6)
	if target != "" {
		baseline = fmt.Sprintf("%.2f s (npm tiktoken)", npmSecs)
	}
	add(row{measure: fmt.Sprintf(measure, thousandsOf(n), same), parley: rate, baseline: baseline,
		ratio: fmt.Sprintf("%.2f× the time", goSecs/npmSecs), target: target, verdict: verdictOf})
}

func thousandsOf(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
