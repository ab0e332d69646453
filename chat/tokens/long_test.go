package tokens

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// lcg is the generator testdata/gen-tiktoken.js uses for its long texts, so both sides count
// the very same text.
func lcg(seed uint32) func() uint32 {
	s := seed
	return func() uint32 {
		s = (s*1103515245 + 12345) & 0x7fffffff
		return s
	}
}

func longTexts() map[string]string {
	r := lcg(42)
	pick := func(n int, from string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = from[r()%uint32(len(from))]
		}
		return string(b)
	}
	dna := pick(100_000, "ACGT")
	letters := pick(200_000, "abcdefghijklmnopqrstuvwxyz")
	return map[string]string{"dna100k": dna, "letters200k": letters,
		"underscores50k": strings.Repeat("_", 50_000), "han20k": strings.Repeat("漢字", 10_000)}
}

// Counts of npm's tiktoken (OpenAI's own tokenizer, in WebAssembly) for the long texts, taken
// with testdata/gen-tiktoken.js: it needed 1 to 17 s for each.
var upstreamLong = map[string]map[string]int{
	O200k:  {"dna100k": 50001, "letters200k": 101113, "underscores50k": 782, "han20k": 20000},
	Cl100k: {"dna100k": 50001, "letters200k": 105423, "underscores50k": 782, "han20k": 30000},
}

// Long runs without a space (DNA, a minified line, a wall of underscores) count as upstream
// counts them, in a fraction of upstream's time.
func TestLongRunsCountAsUpstreamDoes(t *testing.T) {
	texts := longTexts()
	for enc, counts := range upstreamLong {
		for name, want := range counts {
			begin := time.Now()
			got, err := Default().Text(enc, texts[name])
			if err != nil || got != want {
				t.Errorf("%s %s: %d tokens (%v), upstream %d", enc, name, got, err, want)
			}
			t.Logf("%s %s: %d tokens in %v", enc, name, got, time.Since(begin))
		}
	}
}

// The heap merge gives exactly the merges of the plain one, on pieces short enough for both.
func TestLongAndShortMergesAgree(t *testing.T) {
	b, err := encoderFor(O200k)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabets := []string{"ab", "abcdefghij", "ACGT", "_-=", "the quick brown fox ", "日本語", "aaab"}
	for i := range 300 {
		from := []rune(alphabets[i%len(alphabets)])
		var sb strings.Builder
		for range 1 + r.IntN(450) {
			sb.WriteRune(from[r.IntN(len(from))])
		}
		piece := []byte(sb.String())
		var short, long []int
		b.merge(context.Background(), piece, func(id int) { short = append(short, id) })
		b.mergeLong(context.Background(), piece, func(id int) { long = append(long, id) })
		if !slices.Equal(short, long) {
			t.Fatalf("%q: plain %v, heap %v", piece, short, long)
		}
	}
}

// Parley's encoder gives tiktoken-go's tokens, id for id, on text of every kind.
func TestSameTokensAsTiktokenGo(t *testing.T) {
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"hello", " world", "\n\n", "  ", "func", "(", ")", "{", "}", "日本語", "👩‍💻", "Ünïcödé", "'s", "'LL", "123456",
		"\t", "https://x.org/a?b=c", "<|endoftext|>", "CamelCase", "snake_case", "x", "ACGTACGT", "—", "\r\n"}
	for _, name := range []string{O200k, Cl100k} {
		ref, err := tiktoken.GetEncoding(name)
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			var sb strings.Builder
			for range r.IntN(200) {
				sb.WriteString(words[r.IntN(len(words))])
			}
			text := sb.String()
			got, _ := Encode(name, text)
			if want := ref.EncodeOrdinary(text); !slices.Equal(got, want) {
				t.Fatalf("%s %q:\n ours %v\n tiktoken-go %v", name, text, got, want)
			}
			if back, _ := Decode(name, got); back != text {
				t.Fatalf("decode %q != %q", back, text)
			}
		}
	}
}

// Counting stops when asked to.
func TestCountingIsCancellable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Default().TextContext(ctx, O200k, strings.Repeat("word ", 100_000)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if _, err := Default().TextContext(ctx, O200k, strings.Repeat("x", 1<<20)); !errors.Is(err, context.Canceled) {
		t.Fatalf("long piece: err %v", err)
	}
}
