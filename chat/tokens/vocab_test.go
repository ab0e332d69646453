package tokens

import (
	"strings"
	"testing"

	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// The vocabulary holds exactly what tiktoken-go-loader's own reading of the same files gives:
// every token at its rank, both ways, and nothing else.
func TestVocabMatchesTheLoader(t *testing.T) {
	for _, name := range []string{O200k, Cl100k} {
		want, err := tiktoken_loader.NewOfflineLoader().LoadTiktokenBpe(rankFiles[name])
		if err != nil {
			t.Fatal(err)
		}
		enc, err := loadBPE(name)
		if err != nil {
			t.Fatal(err)
		}
		v := enc.vocab
		if v.size() != len(want) {
			t.Fatalf("%s: %d ranks, the loader %d", name, v.size(), len(want))
		}
		for token, rank := range want {
			if r, ok := v.rank([]byte(token)); !ok || r != rank {
				t.Fatalf("%s: %q has rank %d (%v), want %d", name, token, r, ok, rank)
			}
			if r, ok := v.rankOf(token); !ok || r != rank {
				t.Fatalf("%s: %q as a string has rank %d (%v), want %d", name, token, r, ok, rank)
			}
			if got := string(v.token(rank)); got != token {
				t.Fatalf("%s: rank %d is %q, want %q", name, rank, got, token)
			}
		}
		for _, absent := range []string{"", "not one token at all, surely", "\xff\xfe\xfd\xfc\xfb"} {
			if r, ok := v.rankOf(absent); ok {
				t.Fatalf("%s: %q found at %d", name, absent, r)
			}
		}
	}
}

// A file a release might ship damaged is refused with its line, never read into wrong counts.
func TestVocabRefusesADamagedFile(t *testing.T) {
	for _, tc := range []struct{ name, file, says string }{
		{"empty", "", "no tokens"},
		{"not base64", "IQ== 0\n!!!! 1\n", "line 2: the token is not base64"},
		{"no rank", "IQ== 0\nIg==\n", "line 2: want a token and a rank"},
		{"ranks falling", "IQ== 1\nIg== 0\n", "line 2: want a token and a rank above the last"},
		{"a rank twice", "IQ== 0\nIg== 0\n", "line 2: want a token and a rank above the last"},
		{"a token twice", "IQ== 0\nIQ== 1\n", `the token "!" has two ranks`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readVocab(strings.NewReader(tc.file)); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err %v, want %q", err, tc.says)
			}
		})
	}
	// Ranks the file skips are no token, and the ones after them keep their numbers.
	v, err := readVocab(strings.NewReader("IQ== 0\nIg== 3\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := v.rankOf(`"`); v.size() != 4 || !ok || r != 3 || len(v.token(1)) != 0 || string(v.token(0)) != "!" {
		t.Fatalf("size %d, rank of \" %d %v", v.size(), r, ok)
	}
}

func BenchmarkLoadO200k(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := loadBPE(O200k); err != nil {
			b.Fatal(err)
		}
	}
}
