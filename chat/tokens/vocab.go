package tokens

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"io"
	"math/bits"
	"strconv"
)

// vocab is a byte-pair encoding's vocabulary: every token's bytes in one block, in rank order,
// and an open-addressing hash table from bytes to rank. A map[string]int of o200k's 200,000
// tokens took 145 ms and 600,000 allocations to build and held 30 MB; this takes a few
// milliseconds, and 5 MB.
type vocab struct {
	bytes []byte   // every token's bytes, by rank
	start []uint32 // token r is bytes[start[r]:start[r+1]]; a rank the file skips is empty
	slots []uint32 // rank+1 of the token hashed there, 0 for an empty slot
	seed  maphash.Seed
}

// readVocab reads a .tiktoken file: one token a line, its bytes in base64, a space, its rank,
// ranks rising.
func readVocab(r io.Reader) (*vocab, error) {
	v := &vocab{seed: maphash.MakeSeed()}
	sc := bufio.NewScanner(r)
	var token []byte
	for line := 1; sc.Scan(); line++ {
		text := sc.Bytes()
		if len(text) == 0 {
			continue
		}
		encoded, rankText, ok := bytes.Cut(text, []byte{' '})
		rank, err := strconv.Atoi(string(rankText))
		if !ok || err != nil || rank < len(v.start) || rank > 1<<24 {
			return nil, fmt.Errorf("line %d: want a token and a rank above the last, not %q", line, text)
		}
		token = token[:0]
		if token, err = base64.StdEncoding.AppendDecode(token, encoded); err != nil || len(token) == 0 {
			return nil, fmt.Errorf("line %d: the token is not base64: %q", line, encoded)
		}
		for len(v.start) <= rank { // ranks the file skips stay empty
			v.start = append(v.start, uint32(len(v.bytes)))
		}
		v.bytes = append(v.bytes, token...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(v.start) == 0 {
		return nil, fmt.Errorf("no tokens")
	}
	v.start = append(v.start, uint32(len(v.bytes)))

	// At most half full, so that probes stay short.
	v.slots = make([]uint32, 1<<bits.Len(uint(2*v.size())))
	for r := range v.size() {
		t := v.token(r)
		if len(t) == 0 {
			continue
		}
		slot, _, twice := find(v, t, maphash.Bytes(v.seed, t))
		if twice {
			return nil, fmt.Errorf("the token %q has two ranks", t)
		}
		v.slots[slot] = uint32(r + 1)
	}
	return v, nil
}

// size is the number of ranks, the highest plus one.
func (v *vocab) size() int { return len(v.start) - 1 }

// token is the bytes of rank r, empty if there is none.
func (v *vocab) token(r int) []byte {
	if r < 0 || r >= v.size() {
		return nil
	}
	return v.bytes[v.start[r]:v.start[r+1]]
}

// rank is the rank of the token with these bytes.
func (v *vocab) rank(b []byte) (int, bool) {
	_, r, ok := find(v, b, maphash.Bytes(v.seed, b))
	return r, ok
}

// rankOf is rank for a string, without copying it.
func (v *vocab) rankOf(s string) (int, bool) {
	_, r, ok := find(v, s, maphash.String(v.seed, s))
	return r, ok
}

// find looks a token up by its hash (maphash.Bytes and maphash.String agree): its slot and rank
// when it is there, else the empty slot where it would go.
func find[T string | []byte](v *vocab, token T, hash uint64) (slot uint64, rank int, ok bool) {
	mask := uint64(len(v.slots) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		if v.slots[i] == 0 {
			return i, 0, false
		}
		if r := int(v.slots[i] - 1); string(v.token(r)) == string(token) {
			return i, r, true
		}
	}
}
