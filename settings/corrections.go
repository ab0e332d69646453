package settings

import "slices"

// corrections are the rows public catalogs are known to get wrong, set right from OpenAI's own
// model pages (read 2026-07 to 2026-11; see ../shared/OPENAI-RESPONSES.md §8). An update applies
// them after merging, so a stale row upstream never undoes a fix. One line per fact.
var corrections = map[string]func(*Model){
	// models.dev keeps the launch prices (1 / 0.10 / 6) and no cache-write price; OpenAI cut them
	// on 2026-07-30, and GPT-5.6 bills cache writes at 1.25x input.
	"gpt-5.6-luna": func(m *Model) {
		m.Price = Price{Input: 0.20, Cached: 0.02, CacheWrite: 0.25, Output: 1.20}
		m.Efforts = withEffort(m.Efforts, "max")
	},
	"gpt-5.6-terra": func(m *Model) {
		m.Price = Price{Input: 2, Cached: 0.20, CacheWrite: 2.50, Output: 12}
		m.Efforts = withEffort(m.Efforts, "max")
	},
	// models.dev says 2 / 0.20 / 2.50 / 10, which is neither the launch promotion nor the list
	// price on OpenAI's page (5 / 0.50 / 6.25 / 30).
	"gpt-5.6-sol": func(m *Model) { m.Price = Price{Input: 5, Cached: 0.50, CacheWrite: 6.25, Output: 30} },
	// GPT-6.2 rejects effort "none" (its page says so); some catalogs list it.
	"gpt-6.2-sol":   func(m *Model) { m.Efforts = withoutEffort(m.Efforts, "none") },
	"gpt-6.2-astra": func(m *Model) { m.Efforts = withoutEffort(m.Efforts, "none") },
	"gpt-6-astra":   func(m *Model) { m.Efforts = withoutEffort(m.Efforts, "none") },
}

// correct applies the correction of a model's row, if it has one.
func correct(m Model) Model {
	if fix, ok := corrections[m.ID]; ok {
		m.Efforts = slices.Clone(m.Efforts)
		fix(&m)
		if m.DefaultEffort != "" && !m.Accepts(m.DefaultEffort) {
			m.DefaultEffort = defaultEffort(m.Efforts)
		}
	}
	return m
}

// effortOrder is the order efforts are listed in.
var effortOrder = []string{"none", "minimal", "low", "medium", "high", "xhigh", "max"}

func withEffort(efforts []string, e string) []string {
	if slices.Contains(efforts, e) {
		return efforts
	}
	out := append(slices.Clone(efforts), e)
	slices.SortFunc(out, func(a, b string) int { return slices.Index(effortOrder, a) - slices.Index(effortOrder, b) })
	return out
}

func withoutEffort(efforts []string, e string) []string {
	return slices.DeleteFunc(slices.Clone(efforts), func(x string) bool { return x == e })
}
