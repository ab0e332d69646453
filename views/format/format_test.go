package format

import (
	"testing"
	"time"

	"parley/chat"
)

func TestFormats(t *testing.T) {
	for in, want := range map[float64]string{0: "$0", 0.000001: "<$0.00001", 0.00042: "$0.00042", 0.031: "$0.0310", 12.4: "$12.40", 1234: "$1,234"} {
		if got := Dollars(in); got != want {
			t.Errorf("Dollars(%v) = %q, want %q", in, got, want)
		}
	}
	if Thousands(1047576) != "1,047,576" || Thousands(-1200) != "-1,200" || Compact(30_000_000) != "30M" || Compact(1500) != "1.5k" {
		t.Fatal("number formats")
	}
	if u := Usage(chat.Usage{PromptTokens: 10, CompletionTokens: 5, Estimated: true}); u != "≈10 / ≈5 tokens" {
		t.Fatalf("%q", u)
	}
	u := Usage(chat.Usage{PromptTokens: 2000, CachedTokens: 1024, CacheWriteTokens: 512, CompletionTokens: 300, ReasoningTokens: 128, ServiceTier: "flex"})
	if u != "2,000 / 300 tokens (1,024 cached, 512 written to cache, 128 reasoning) · flex" {
		t.Fatalf("%q", u)
	}
	if Duration(800*time.Millisecond) != "0.8 s" || Duration(12*time.Second) != "12 s" || Duration(125*time.Second) != "2 min 5 s" {
		t.Fatal("durations")
	}
	if Cost(chat.Cost{}) != "price unknown" || Seconds(4200*time.Millisecond) != "4.2 s" || Seconds(95*time.Second) != "1m35s" {
		t.Fatal("cost or seconds")
	}
}
