package settings

import (
	"sort"
	"strings"
)

// CatalogDate is when the figures below were last checked against OpenAI's pricing and
// rate-limit pages. Prices and limits change: update the tables and this date together.
const CatalogDate = "2025-08-07"

// Model is what Parley knows of a model: its context window, output limit, tokenizer, price and
// rate limits per usage tier.
type Model struct {
	ID            string
	ContextWindow int    // tokens
	MaxOutput     int    // tokens
	Encoding      string // tiktoken encoding
	Reasoning     bool   // takes max_completion_tokens and no temperature
	// Prices in dollars per million tokens. CachedInput is 0 when the model has no cached rate.
	Input, CachedInput, Output float64
	family                     family
}

// Known reports whether the model is in the catalog; an unknown model stays usable, with
// unknown limits and price.
func (m Model) Known() bool { return m.ContextWindow > 0 }

type family int

const (
	familyUnknown  family = iota
	familyFlagship        // gpt-4o, gpt-4.1, o3, gpt-5 and their kin
	familySmall           // the mini and nano models, gpt-3.5
)

// catalog is the table of known models, from OpenAI's model and pricing pages (CatalogDate).
var catalog = []Model{
	{ID: "gpt-5", ContextWindow: 400_000, MaxOutput: 128_000, Encoding: "o200k_base", Reasoning: true, Input: 1.25, CachedInput: 0.125, Output: 10, family: familyFlagship},
	{ID: "gpt-5-mini", ContextWindow: 400_000, MaxOutput: 128_000, Encoding: "o200k_base", Reasoning: true, Input: 0.25, CachedInput: 0.025, Output: 2, family: familySmall},
	{ID: "gpt-5-nano", ContextWindow: 400_000, MaxOutput: 128_000, Encoding: "o200k_base", Reasoning: true, Input: 0.05, CachedInput: 0.005, Output: 0.40, family: familySmall},
	{ID: "gpt-5-chat-latest", ContextWindow: 128_000, MaxOutput: 16_384, Encoding: "o200k_base", Input: 1.25, CachedInput: 0.125, Output: 10, family: familyFlagship},
	{ID: "gpt-4.1", ContextWindow: 1_047_576, MaxOutput: 32_768, Encoding: "o200k_base", Input: 2, CachedInput: 0.50, Output: 8, family: familyFlagship},
	{ID: "gpt-4.1-mini", ContextWindow: 1_047_576, MaxOutput: 32_768, Encoding: "o200k_base", Input: 0.40, CachedInput: 0.10, Output: 1.60, family: familySmall},
	{ID: "gpt-4.1-nano", ContextWindow: 1_047_576, MaxOutput: 32_768, Encoding: "o200k_base", Input: 0.10, CachedInput: 0.025, Output: 0.40, family: familySmall},
	{ID: "gpt-4o", ContextWindow: 128_000, MaxOutput: 16_384, Encoding: "o200k_base", Input: 2.50, CachedInput: 1.25, Output: 10, family: familyFlagship},
	{ID: "gpt-4o-mini", ContextWindow: 128_000, MaxOutput: 16_384, Encoding: "o200k_base", Input: 0.15, CachedInput: 0.075, Output: 0.60, family: familySmall},
	{ID: "chatgpt-4o-latest", ContextWindow: 128_000, MaxOutput: 16_384, Encoding: "o200k_base", Input: 5, Output: 15, family: familyFlagship},
	{ID: "o3", ContextWindow: 200_000, MaxOutput: 100_000, Encoding: "o200k_base", Reasoning: true, Input: 2, CachedInput: 0.50, Output: 8, family: familyFlagship},
	{ID: "o3-mini", ContextWindow: 200_000, MaxOutput: 100_000, Encoding: "o200k_base", Reasoning: true, Input: 1.10, CachedInput: 0.55, Output: 4.40, family: familySmall},
	{ID: "o4-mini", ContextWindow: 200_000, MaxOutput: 100_000, Encoding: "o200k_base", Reasoning: true, Input: 1.10, CachedInput: 0.275, Output: 4.40, family: familySmall},
	{ID: "o1", ContextWindow: 200_000, MaxOutput: 100_000, Encoding: "o200k_base", Reasoning: true, Input: 15, CachedInput: 7.50, Output: 60, family: familyFlagship},
	{ID: "gpt-4-turbo", ContextWindow: 128_000, MaxOutput: 4_096, Encoding: "cl100k_base", Input: 10, Output: 30, family: familyFlagship},
	{ID: "gpt-4", ContextWindow: 8_192, MaxOutput: 8_192, Encoding: "cl100k_base", Input: 30, Output: 60, family: familyFlagship},
	{ID: "gpt-3.5-turbo", ContextWindow: 16_385, MaxOutput: 4_096, Encoding: "cl100k_base", Input: 0.50, Output: 1.50, family: familySmall},
}

// LookupModel finds a model in the catalog: by its id, or by the longest catalog id it extends
// (a dated snapshot such as "gpt-4o-2024-08-06" is priced as "gpt-4o"). An unknown model comes
// back with only its id.
func LookupModel(id string) Model {
	key := strings.ToLower(strings.TrimSpace(id))
	if i := strings.LastIndex(key, "/"); i >= 0 {
		key = key[i+1:]
	}
	best := -1
	for i, m := range catalog {
		if key == m.ID {
			best = i
			break
		}
		if strings.HasPrefix(key, m.ID+"-") && isSnapshotSuffix(key[len(m.ID)+1:]) && (best < 0 || len(m.ID) > len(catalog[best].ID)) {
			best = i
		}
	}
	if best < 0 {
		return Model{ID: id}
	}
	m := catalog[best]
	m.ID = id
	return m
}

// isSnapshotSuffix tells a dated snapshot ("2024-08-06", "0613", "latest", "preview") from a
// different model that shares the prefix ("mini", "nano", "audio").
func isSnapshotSuffix(s string) bool {
	if s == "latest" || s == "preview" || strings.HasPrefix(s, "preview-") {
		return true
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return s != ""
}

// CatalogModels lists the ids of the catalog, for offering before an endpoint has been asked.
func CatalogModels() []string {
	ids := make([]string, len(catalog))
	for i, m := range catalog {
		ids[i] = m.ID
	}
	sort.Strings(ids)
	return ids
}

// Tier is an OpenAI usage tier, or the user's own limits.
type Tier string

// The usage tiers.
const (
	TierFree   Tier = "free"
	Tier1      Tier = "tier1"
	Tier2      Tier = "tier2"
	Tier3      Tier = "tier3"
	Tier4      Tier = "tier4"
	Tier5      Tier = "tier5"
	TierCustom Tier = "custom"
)

// Tiers lists the tiers in order, for pickers.
var Tiers = []Tier{TierFree, Tier1, Tier2, Tier3, Tier4, Tier5, TierCustom}

// Label names a tier as OpenAI's dashboard does.
func (t Tier) Label() string {
	switch t {
	case TierFree:
		return "Free"
	case TierCustom:
		return "Custom"
	case Tier1, Tier2, Tier3, Tier4, Tier5:
		return "Tier " + string(t[len(t)-1])
	}
	return "Tier 1"
}

// TierFromLabel is the inverse of Label.
func TierFromLabel(label string) Tier {
	for _, t := range Tiers {
		if t.Label() == label {
			return t
		}
	}
	return Tier1
}

// Limits are an account's rate limits and budget for one model. Zero means no limit known.
type Limits struct {
	RPM, TPM, RPD int
	MonthlyBudget float64 // dollars
}

// monthlyLimits are the monthly usage limits of each tier, in dollars.
var monthlyLimits = map[Tier]float64{
	TierFree: 100, Tier1: 100, Tier2: 500, Tier3: 1_000, Tier4: 5_000, Tier5: 200_000,
}

// tierLimits are requests and tokens per minute (and requests per day where OpenAI sets one)
// per model family and tier.
var tierLimits = map[family]map[Tier]Limits{
	familyFlagship: {
		TierFree: {RPM: 3, TPM: 40_000, RPD: 200},
		Tier1:    {RPM: 500, TPM: 30_000},
		Tier2:    {RPM: 5_000, TPM: 450_000},
		Tier3:    {RPM: 5_000, TPM: 800_000},
		Tier4:    {RPM: 10_000, TPM: 2_000_000},
		Tier5:    {RPM: 10_000, TPM: 30_000_000},
	},
	familySmall: {
		TierFree: {RPM: 3, TPM: 40_000, RPD: 200},
		Tier1:    {RPM: 500, TPM: 200_000, RPD: 10_000},
		Tier2:    {RPM: 5_000, TPM: 2_000_000},
		Tier3:    {RPM: 5_000, TPM: 4_000_000},
		Tier4:    {RPM: 10_000, TPM: 10_000_000},
		Tier5:    {RPM: 30_000, TPM: 150_000_000},
	},
}

// TierLimits returns a tier's limits for a model from the table; the rate limits are zero for a
// model the catalog does not know.
func TierLimits(t Tier, model string) Limits {
	l := tierLimits[LookupModel(model).family][t]
	l.MonthlyBudget = monthlyLimits[t]
	return l
}
