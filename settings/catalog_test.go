package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookupModel(t *testing.T) {
	for id, want := range map[string]string{
		"gpt-4o": "gpt-4o", "gpt-4o-2024-08-06": "gpt-4o", "gpt-4o-mini": "gpt-4o-mini",
		"gpt-4o-mini-2024-07-18": "gpt-4o-mini", "o3-mini": "o3-mini", "o3-2025-04-16": "o3",
		"gpt-4-0613": "gpt-4", "gpt-4-turbo-preview": "gpt-4-turbo", "GPT-4.1": "gpt-4.1",
		"openai/gpt-5-mini": "gpt-5-mini", "gpt-5-chat-latest": "gpt-5-chat-latest",
		"gpt-5.6-sol-2026-07-09": "gpt-5.6-sol", "gpt-6.2-sol": "gpt-6.2-sol",
	} {
		m := LookupModel(id)
		if !m.Known() || m.ID != id {
			t.Errorf("LookupModel(%q) unknown", id)
			continue
		}
		ref := LookupModel(want)
		if m.Price != ref.Price || m.ContextWindow != ref.ContextWindow {
			t.Errorf("LookupModel(%q) priced as %+v, want %s", id, m, want)
		}
	}
	for _, id := range []string{"llama3.2", "gpt-4o-audio-preview-x", "o5", "", "gpt-6.2-sol-mini"} {
		if m := LookupModel(id); m.Known() || m.ID != id {
			t.Errorf("LookupModel(%q) = %+v", id, m)
		}
	}
	m := LookupModel("gpt-4o")
	if m.Price.Input != 2.5 || m.Price.Cached != 1.25 || m.Price.Output != 10 || m.ContextWindow != 128_000 || m.MaxOutput != 16_384 || m.Encoding != "o200k_base" || m.Reasoning() {
		t.Fatalf("%+v", m)
	}
	if !LookupModel("o4-mini").Reasoning() || LookupModel("gpt-3.5-turbo").Encoding != "cl100k_base" {
		t.Fatal("reasoning or encoding wrong")
	}
}

// The models of December 2026 are known, with the facts OpenAI publishes for them.
func TestTodaysModels(t *testing.T) {
	for _, tc := range []struct {
		id                  string
		efforts             string
		input, write, out   float64
		context, maxOut     int
		longContext, vision bool
	}{
		{"gpt-5.6-luna", "none low medium high xhigh max", 0.20, 0.25, 1.20, 1_050_000, 128_000, true, true},
		{"gpt-5.6-sol", "none low medium high xhigh max", 5, 6.25, 30, 1_050_000, 128_000, true, true},
		{"gpt-6-astra", "low medium high xhigh max", 10, 12.50, 50, 1_050_000, 128_000, true, true},
		{"gpt-6.1-terra", "none low medium high xhigh max", 1, 1.25, 5, 1_050_000, 128_000, true, true},
		{"gpt-6.2-sol", "low medium high xhigh max", 2, 2.50, 10, 1_050_000, 128_000, true, true},
		{"gpt-5", "minimal low medium high", 1.25, 0, 10, 400_000, 128_000, false, true},
		{"gpt-4o-mini", "", 0.15, 0, 0.60, 128_000, 16_384, false, true},
	} {
		m := LookupModel(tc.id)
		if got := strings.Join(m.Efforts, " "); got != tc.efforts {
			t.Errorf("%s efforts %q, want %q", tc.id, got, tc.efforts)
		}
		if m.Price.Input != tc.input || m.Price.CacheWrite != tc.write || m.Price.Output != tc.out || m.ContextWindow != tc.context || m.MaxOutput != tc.maxOut {
			t.Errorf("%s: %+v", tc.id, m)
		}
		if (m.LongContext != nil) != tc.longContext || m.Vision != tc.vision {
			t.Errorf("%s: long context %v, vision %v", tc.id, m.LongContext, m.Vision)
		}
		if m.Reasoning() && !m.Accepts(m.DefaultEffort) {
			t.Errorf("%s defaults to %q, which it does not accept", tc.id, m.DefaultEffort)
		}
	}
	if ServiceTierMultiplier("flex") != 0.5 || ServiceTierMultiplier("priority") != 2 || ServiceTierMultiplier("unheard-of") != 1 {
		t.Fatal("service tier multipliers")
	}
	if CatalogDate() < "2026-12-01" {
		t.Fatalf("the catalog is dated %s", CatalogDate())
	}
}

func TestTierLimits(t *testing.T) {
	if l := TierLimits(Tier1, "gpt-4o"); l.RPM != 500 || l.TPM != 30_000 || l.MonthlyBudget != 100 {
		t.Fatalf("%+v", l)
	}
	if l := TierLimits(Tier1, "gpt-4o-mini"); l.RPM != 500 || l.TPM != 200_000 || l.RPD != 10_000 {
		t.Fatalf("%+v", l)
	}
	if l := TierLimits(Tier5, "gpt-4.1-mini"); l.RPM != 30_000 || l.TPM != 150_000_000 || l.MonthlyBudget != 200_000 {
		t.Fatalf("%+v", l)
	}
	if l := TierLimits(Tier2, "llama3"); l.RPM != 0 || l.TPM != 0 || l.MonthlyBudget != 500 {
		t.Fatalf("unknown model %+v", l)
	}
	for _, tier := range Tiers {
		if TierFromLabel(tier.Label()) != tier {
			t.Errorf("label round trip %s", tier)
		}
	}
}

// The user's models.json changes a known model field by field and adds new ones; a broken file
// is said and the catalog stays as it was.
func TestUserOverrides(t *testing.T) {
	defer LoadCatalog(t.TempDir()) // the embedded catalog again for the other tests
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, overridesFile), []byte(`{"models": [
		{"id": "gpt-4o", "price": {"input": 2, "cached": 1, "output": 8}},
		{"id": "my-finetune", "context": 32000, "max_output": 4000, "price": {"input": 3, "output": 12}}
	]}`), 0o600)
	if w := LoadCatalog(dir); w != "" {
		t.Fatal(w)
	}
	if m := LookupModel("gpt-4o"); m.Price.Input != 2 || m.ContextWindow != 128_000 || !m.Vision {
		t.Fatalf("override of gpt-4o: %+v", m)
	}
	if m := LookupModel("my-finetune"); !m.Known() || m.Price.Output != 12 || m.Encoding != "o200k_base" {
		t.Fatalf("added model: %+v", m)
	}
	os.WriteFile(filepath.Join(dir, overridesFile), []byte(`{"models": [{"id": "gpt-4o", "price": {"input": -1, "output": 1}}]}`), 0o600)
	if w := LoadCatalog(dir); !strings.Contains(w, "out of range") {
		t.Fatalf("warning %q", w)
	}
	if m := LookupModel("gpt-4o"); m.Price.Input != 2.5 {
		t.Fatalf("a refused override changed gpt-4o: %+v", m)
	}
}
