package tokens

import (
	"context"
	"fmt"
	"math"
	"path"

	"github.com/dlclark/regexp2/v2"
	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// bpe is one of OpenAI's byte-pair encodings: its split pattern and its ranks, as tiktoken
// defines them (the same pattern strings; the ranks are tiktoken's own files, shipped offline by
// tiktoken-go-loader, read into a vocab). It gives tiktoken's tokens exactly. Where tiktoken-go (and tiktoken before
// 2024) merge a piece in time quadratic in its length, so that 100 KB without a space took
// seconds and 1 MB minutes, long pieces are merged here with a heap, in n log n: the same merges
// in the same order, lowest rank first and leftmost among equals.
type bpe struct {
	name  string
	split *regexp2.Regexp
	vocab *vocab
}

// The split patterns, as tiktoken's openai_public.py has them.
var patterns = map[string]string{
	O200k: `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
	Cl100k: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
}

var rankFiles = map[string]string{
	O200k:  "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
	Cl100k: "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}

func loadBPE(name string) (*bpe, error) {
	pattern, ok := patterns[name]
	if !ok {
		return nil, fmt.Errorf("unknown encoding %q", name)
	}
	f, err := assets.Assets.Open(path.Base(rankFiles[name]))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := readVocab(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path.Base(rankFiles[name]), err)
	}
	split, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	return &bpe{name: name, split: split, vocab: v}, nil
}

// checkEvery is how many pieces, or merge steps, pass between two looks at the context.
const checkEvery = 4096

// encode returns the tokens of a text (special-token strings count as ordinary text), or the
// context's error once it is done.
func (b *bpe) encode(ctx context.Context, text string, emit func(int)) error {
	m, err := b.split.FindStringMatch(text)
	for n := 0; m != nil && err == nil; n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		piece := m.String()
		if t, ok := b.vocab.rankOf(piece); ok {
			emit(t)
		} else if err := b.merge(ctx, []byte(piece), emit); err != nil {
			return err
		}
		m, err = b.split.FindNextMatch(m)
	}
	return err
}

// longPiece is where merging with a heap starts to pay for its setup (tiktoken chose 500 too).
const longPiece = 500

// merge splits one piece into tokens: the pair of adjacent parts of lowest rank is merged first,
// the leftmost among equals, until no pair is a token.
func (b *bpe) merge(ctx context.Context, piece []byte, emit func(int)) error {
	if len(piece) > longPiece {
		return b.mergeLong(ctx, piece, emit)
	}
	// starts[i] is where part i begins; the last entry is the end of the piece.
	starts := make([]int, len(piece)+1)
	for i := range starts {
		starts[i] = i
	}
	rank := func(i int) int { // of merging parts i and i+1
		if i+2 < len(starts) {
			if r, ok := b.vocab.rank(piece[starts[i]:starts[i+2]]); ok {
				return r
			}
		}
		return math.MaxInt
	}
	ranks := make([]int, len(starts))
	for i := range ranks {
		ranks[i] = rank(i)
	}
	for {
		best, at := math.MaxInt, -1
		for i := 0; i < len(starts)-2; i++ {
			if ranks[i] < best {
				best, at = ranks[i], i
			}
		}
		if at < 0 {
			break
		}
		starts = append(starts[:at+1], starts[at+2:]...)
		ranks = append(ranks[:at+1], ranks[at+2:]...)
		ranks[at] = rank(at)
		if at > 0 {
			ranks[at-1] = rank(at - 1)
		}
	}
	for i := 0; i+1 < len(starts); i++ {
		r, _ := b.vocab.rank(piece[starts[i]:starts[i+1]]) // every byte is a token
		emit(r)
	}
	return nil
}

// mergeLong merges a long piece in n log n: parts form a linked list, and the candidate pairs a
// heap ordered by rank, then position. A merge changes only the pairs around it: those are
// pushed anew, and every part whose pair changed gets a new version, so that its old entries
// are recognised and skipped when they come up.
func (b *bpe) mergeLong(ctx context.Context, piece []byte, emit func(int)) error {
	n := len(piece)
	next := make([]int, n) // the part after part i (by its start), n at the end
	prev := make([]int, n)
	version := make([]int32, n)
	for i := range n {
		next[i], prev[i] = i+1, i-1
	}
	end := func(i int) int { return next[i] } // a part ends where the next begins
	rank := func(i int) (int, bool) {
		j := next[i]
		if j >= n {
			return 0, false
		}
		return b.vocab.rank(piece[i:end(j)])
	}
	h := make(pairs, 0, n)
	for i := range n {
		if r, ok := rank(i); ok {
			h = append(h, pair{key: pairKey(r, i)})
		}
	}
	h.init()
	for steps := 0; len(h) > 0; steps++ {
		if steps%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		p := h.pop()
		i := p.start()
		if version[i] != p.version || next[i] >= n {
			continue // the pair changed since this entry was pushed, or its part was merged away
		}
		// Merge part i with the part after it.
		j := next[i]
		next[i] = next[j]
		if next[j] < n {
			prev[next[j]] = i
		}
		version[j] = -1 // gone
		version[i]++
		if r, ok := rank(i); ok {
			h.push(pair{key: pairKey(r, i), version: version[i]})
		}
		if k := prev[i]; k >= 0 {
			version[k]++ // its pair now ends further on
			if r, ok := rank(k); ok {
				h.push(pair{key: pairKey(r, k), version: version[k]})
			}
		}
	}
	for i := 0; i < n; i = next[i] {
		r, _ := b.vocab.rank(piece[i:end(i)])
		emit(r)
	}
	return nil
}

// pair is a candidate merge of the part starting at start with the one after it. Its key holds
// the rank above the start, so that one comparison orders pairs: lowest rank first, then
// leftmost.
type pair struct {
	key     uint64
	version int32
}

func pairKey(rank, start int) uint64 { return uint64(rank)<<32 | uint64(start) }

func (p pair) start() int { return int(p.key & math.MaxUint32) }

// pairs is a binary min-heap of candidate merges, written out rather than through
// container/heap: its interface calls and boxing were half the time of a 1 MB piece.
type pairs []pair

func (h pairs) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairs) push(p pair) {
	*h = append(*h, p)
	s := *h
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if s[parent].key <= s[i].key {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

func (h *pairs) pop() pair {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	*h = s[:last]
	h.down(0)
	return top
}

func (h pairs) down(i int) {
	for {
		least, l := i, 2*i+1
		if l < len(h) && h[l].key < h[least].key {
			least = l
		}
		if r := l + 1; r < len(h) && h[r].key < h[least].key {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// decode turns token ids back into the bytes they stand for.
func (b *bpe) decode(ids []int) string {
	var out []byte
	for _, id := range ids {
		out = append(out, b.vocab.token(id)...)
	}
	return string(out)
}
