package settings

import "testing"

func TestLookupModel(t *testing.T) {
	for id, want := range map[string]string{
		"gpt-4o": "gpt-4o", "gpt-4o-2024-08-06": "gpt-4o", "gpt-4o-mini": "gpt-4o-mini",
		"gpt-4o-mini-2024-07-18": "gpt-4o-mini", "o3-mini": "o3-mini", "o3-2025-04-16": "o3",
		"gpt-4-0613": "gpt-4", "gpt-4-turbo-preview": "gpt-4-turbo", "GPT-4.1": "gpt-4.1",
		"openai/gpt-5-mini": "gpt-5-mini", "gpt-5-chat-latest": "gpt-5-chat-latest",
	} {
		m := LookupModel(id)
		if !m.Known() || m.ID != id {
			t.Errorf("LookupModel(%q) unknown", id)
			continue
		}
		ref := LookupModel(want)
		if m.Input != ref.Input || m.ContextWindow != ref.ContextWindow {
			t.Errorf("LookupModel(%q) priced as %+v, want %s", id, m, want)
		}
	}
	for _, id := range []string{"llama3.2", "gpt-4o-audio-preview-x", "o5", ""} {
		if m := LookupModel(id); m.Known() || m.ID != id {
			t.Errorf("LookupModel(%q) = %+v", id, m)
		}
	}
	m := LookupModel("gpt-4o")
	if m.Input != 2.5 || m.CachedInput != 1.25 || m.Output != 10 || m.ContextWindow != 128_000 || m.MaxOutput != 16_384 || m.Encoding != "o200k_base" || m.Reasoning {
		t.Fatalf("%+v", m)
	}
	if !LookupModel("o4-mini").Reasoning || LookupModel("gpt-3.5-turbo").Encoding != "cl100k_base" {
		t.Fatal("reasoning or encoding wrong")
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
