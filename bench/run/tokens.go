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

// tokenizer compares Parley's tokenizer (tiktoken-go) with OpenAI's own (npm's tiktoken, Rust
// compiled to WebAssembly) on the same text.
func tokenizer() {
	text := strings.Repeat(realisticAnswer(2000), 25) // about 45,000 tokens of prose and code
	file := filepath.Join(workDir, "tokens.txt")
	check(os.WriteFile(file, []byte(text), 0o644))
	check(tokens.Warm(tokens.O200k))
	begin := time.Now()
	n, err := tokens.Default().Text(tokens.O200k, text)
	check(err)
	goSecs := time.Since(begin).Seconds()

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
	cmd := exec.Command("node", script, file)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(*npmDir, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		add(row{measure: "Tokenizer throughput", parley: fmt.Sprintf("%.2f MB/s", float64(len(text))/goSecs/1e6), baseline: "npm tiktoken unavailable: " + err.Error()})
		return
	}
	f := strings.Fields(string(out))
	npmN, _ := strconv.Atoi(f[0])
	npmSecs, _ := strconv.ParseFloat(f[1], 64)
	same := "same count"
	if npmN != n {
		same = fmt.Sprintf("COUNTS DIFFER: %d vs %d", n, npmN)
	}
	add(row{measure: fmt.Sprintf("Tokenizer throughput, %s tokens of prose and code (%s)", thousandsOf(n), same),
		parley: fmt.Sprintf("%.2f MB/s", float64(len(text))/goSecs/1e6), baseline: fmt.Sprintf("%.2f MB/s (npm tiktoken)", float64(len(text))/npmSecs/1e6),
		ratio: fmt.Sprintf("%.2f× the time", goSecs/npmSecs)})
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
