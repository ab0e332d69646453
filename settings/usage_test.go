package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestMeterReadingAgainstTier(t *testing.T) {
	c := &clock{time.Date(2026, 11, 22, 12, 0, 0, 0, time.Local)}
	m, err := OpenMeter(t.TempDir(), c.now)
	if err != nil {
		t.Fatal(err)
	}
	p := defaultProfile() // Tier 1: gpt-4o-mini 500 RPM, 200k TPM, 10k RPD, $100 a month
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 1, PromptTokens: 100_000, CompletionTokens: 70_000, CostUSD: 40, At: c.t.Add(-30 * time.Second)})
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 2, PromptTokens: 5_000, CompletionTokens: 0, CostUSD: 45, At: c.t.Add(-2 * time.Minute)})
	m.Record(Spend{Profile: "default", Model: "gpt-4o", Requests: 1, PromptTokens: 10, CompletionTokens: 10, CostUSD: 1, At: c.t})
	m.Record(Spend{Profile: "other", Model: "gpt-4o-mini", Requests: 1, PromptTokens: 1, CompletionTokens: 1, CostUSD: 1000, At: c.t})
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 1, PromptTokens: 1, CostUSD: 4, At: c.t.AddDate(0, -1, 0)})

	r := m.Reading(p, "gpt-4o-mini")
	if r.RPM.Used != 1 || r.RPM.Limit != 500 || r.TPM.Used != 170_000 || r.TPM.Limit != 200_000 {
		t.Fatalf("minute: %+v %+v", r.RPM, r.TPM)
	}
	if r.TPM.Level() != LevelWarn || r.RPM.Level() != LevelOK {
		t.Fatalf("levels %v %v", r.TPM.Level(), r.RPM.Level())
	}
	if r.RPD.Used != 3 || r.RPD.Limit != 10_000 {
		t.Fatalf("day requests %+v", r.RPD)
	}
	if r.TodayTokens != 175_020 || r.TodayCost != 86 || r.MonthCost != 86 || r.Budget.Limit != 100 || r.Budget.Level() != LevelWarn {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(r.Source, "Tier 1") {
		t.Fatalf("source %q", r.Source)
	}
	// A minute later the rolling minute is empty; the day is not.
	c.t = c.t.Add(time.Minute)
	if r := m.Reading(p, "gpt-4o-mini"); r.RPM.Used != 0 || r.TPM.Used != 0 || r.RPD.Used != 3 {
		t.Fatalf("%+v", r)
	}
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 1, CostUSD: 20, At: c.t})
	if r := m.Reading(p, "gpt-4o-mini"); r.Budget.Level() != LevelOver {
		t.Fatalf("budget %+v", r.Budget)
	}
}

func TestLiveHeadersOutrankTheTable(t *testing.T) {
	c := &clock{time.Date(2026, 11, 22, 12, 0, 0, 0, time.Local)}
	m, _ := OpenMeter(t.TempDir(), c.now)
	m.SetLive("default", "gpt-4o", Live{LimitRequests: 5000, RemainingRequests: 4000, LimitTokens: 800_000, RemainingTokens: 200_000, ResetRequests: 12 * time.Second, ResetTokens: 45 * time.Second, At: c.t})
	r := m.Reading(defaultProfile(), "gpt-4o")
	if r.RPM.Limit != 5000 || r.RPM.Used != 1000 || r.TPM.Limit != 800_000 || r.TPM.Used != 600_000 || r.Source != "live from the server" {
		t.Fatalf("%+v", r)
	}
	c.t = c.t.Add(6 * time.Second) // half of the requests' reset: half refilled
	if r := m.Reading(defaultProfile(), "gpt-4o"); r.RPM.Used != 500 {
		t.Fatalf("refill %+v", r.RPM)
	}
}

func TestMeterPersistsMergesAndHistory(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Date(2026, 11, 22, 12, 0, 0, 0, time.Local)}
	a, _ := OpenMeter(dir, c.now)
	b, _ := OpenMeter(dir, c.now) // the command line, recording at the same time
	a.Record(Spend{Profile: "default", Model: "gpt-4o", Requests: 1, PromptTokens: 10, CompletionTokens: 5, CostUSD: 0.5, At: c.t})
	b.Record(Spend{Profile: "default", Model: "gpt-4o", Requests: 1, PromptTokens: 20, CompletionTokens: 5, CostUSD: 0.25, At: c.t.AddDate(0, 0, -3)})
	again, _ := OpenMeter(dir, c.now)
	h := again.History("default", 30)
	if len(h) != 30 || h[29].Tokens != 15 || h[26].Tokens != 25 || h[26].Cost != 0.25 || h[0].Tokens != 0 {
		t.Fatalf("%+v", h[25:])
	}
	if tokens, cost := again.Today(); tokens != 15 || cost != 0.5 {
		t.Fatalf("today %d %v", tokens, cost)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "usage.json"))
	if strings.Contains(strings.ToLower(string(data)), "sk-") {
		t.Fatal("usage holds something key-like")
	}
}

func TestCorruptUsageIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "usage.json"), []byte("garbage"), 0o600)
	m, err := OpenMeter(dir, nil)
	if err != nil || !strings.Contains(m.Warning(), "moved to") {
		t.Fatalf("%v %q", err, m.Warning())
	}
	if err := m.Record(Spend{Profile: "p", Model: "m", Requests: 1}); err != nil {
		t.Fatal(err)
	}
}

// defaultProfile is the profile a fresh install has: ID "default".
func defaultProfile() Profile { return defaultPrefs().Profiles[0] }

// A batch's spend counts in the day and the month, and apart as batch spend; never in the
// requests and tokens per minute, nor the requests per day, which batches do not use.
func TestBatchSpendIsCountedApart(t *testing.T) {
	c := &clock{time.Date(2026, 12, 2, 12, 0, 0, 0, time.Local)}
	dir := t.TempDir()
	m, _ := OpenMeter(dir, c.now)
	p := defaultProfile()
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 1, PromptTokens: 1_000, CompletionTokens: 500, CostUSD: 2, At: c.t})
	m.Record(Spend{Profile: "default", Model: "gpt-4o-mini", Requests: 1, PromptTokens: 90_000, CompletionTokens: 9_000, CostUSD: 3, At: c.t, Batch: true})
	again, _ := OpenMeter(dir, c.now)
	for _, r := range []Reading{m.Reading(p, "gpt-4o-mini"), again.Reading(p, "gpt-4o-mini")} {
		if r.TodayCost != 5 || r.TodayBatchCost != 3 || r.MonthBatchCost != 3 || r.TodayTokens != 100_500 || r.RPD.Used != 1 {
			t.Fatalf("%+v", r)
		}
	}
	if r := m.Reading(p, "gpt-4o-mini"); r.RPM.Used != 1 || r.TPM.Used != 1_500 {
		t.Fatalf("the batch counted in the minute: %+v %+v", r.RPM, r.TPM)
	}
}
