package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Spend is one answered request as the meter counts it.
type Spend struct {
	Profile, Model   string
	Requests         int // the request and its retries
	PromptTokens     int
	CompletionTokens int
	CostUSD          float64
	At               time.Time
	// Batch marks a batch's results: counted in the day's spend (and apart, in its batch
	// spend), never in the per-minute or per-day request limits, which batches do not use.
	Batch bool
}

// Day is what one profile spent on one model in one day.
type Day struct {
	Requests         int     `json:"requests"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	// BatchTokens and BatchCostUSD are the part of the day's tokens and cost that batches spent.
	BatchTokens  int     `json:"batch_tokens,omitempty"`
	BatchCostUSD float64 `json:"batch_cost_usd,omitempty"`
}

// Tokens is prompt plus completion tokens.
func (d Day) Tokens() int { return d.PromptTokens + d.CompletionTokens }

func (d *Day) add(s Spend) {
	d.Requests += s.Requests
	d.PromptTokens += s.PromptTokens
	d.CompletionTokens += s.CompletionTokens
	d.CostUSD += s.CostUSD
	if s.Batch {
		d.BatchTokens += s.PromptTokens + s.CompletionTokens
		d.BatchCostUSD += s.CostUSD
	}
}

// Live is the rate-limit state a server last reported in its x-ratelimit-* headers.
type Live struct {
	LimitRequests, RemainingRequests int
	LimitTokens, RemainingTokens     int
	ResetRequests, ResetTokens       time.Duration
	At                               time.Time
}

type dayKey struct{ Day, Profile, Model string }

// Meter counts what is spent: requests and tokens in a rolling minute, requests today, tokens
// and cost today and this month, per profile and model. Days are kept in usage.json in the data
// folder across restarts (counts only, no secrets); the rolling minute is this process's own.
type Meter struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	recent  []Spend
	days    map[dayKey]Day
	live    map[[2]string]Live
	project map[string]projectLimits // by profile: the project's own limits, from the Admin API
	warning string
}

// projectLimits are a project's rate limits per model, as of a time.
type projectLimits struct {
	byModel map[string]Limits
	at      time.Time
}

// SetProjectLimits keeps a project's own rate limits (from the Admin API) for a profile: they
// replace the tier table in the meter; live headers still win for the current minute.
func (m *Meter) SetProjectLimits(profile string, byModel map[string]Limits, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.project == nil {
		m.project = map[string]projectLimits{}
	}
	m.project[profile] = projectLimits{byModel: byModel, at: at}
}

const usageVersion = 1

// keepDays bounds the history kept on disk.
const keepDays = 400

type usageFile struct {
	Version int        `json:"version"`
	Days    []dayEntry `json:"days"`
}

type dayEntry struct {
	Day     string `json:"day"`
	Profile string `json:"profile"`
	Model   string `json:"model"`
	Usage   Day    `json:"usage"`
}

// OpenMeter reads usage.json in dir. An unreadable file is moved aside, never overwritten, and
// Warning says where.
func OpenMeter(dir string, now func() time.Time) (*Meter, error) {
	if now == nil {
		now = time.Now
	}
	m := &Meter{path: filepath.Join(dir, "usage.json"), now: now, days: map[dayKey]Day{}, live: map[[2]string]Live{}}
	err := withLock(m.path, func() error {
		days, err := m.read()
		if err != nil {
			aside, merr := moveAside(m.path, now())
			if merr != nil {
				return fmt.Errorf("usage.json is unreadable (%v) and could not be moved aside: %w", err, merr)
			}
			m.warning = fmt.Sprintf("The usage history could not be read (%v). It was moved to %s and counting starts afresh.", err, aside)
			days = map[dayKey]Day{}
		}
		m.days = days
		return nil
	})
	return m, err
}

// Warning is what went wrong reading the usage history at start; empty when nothing did.
func (m *Meter) Warning() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.warning
}

func (m *Meter) read() (map[dayKey]Day, error) {
	days := map[dayKey]Day{}
	data, err := os.ReadFile(m.path)
	if errors.Is(err, os.ErrNotExist) {
		return days, nil
	}
	if err != nil {
		return nil, err
	}
	var f usageFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if f.Version > usageVersion {
		return nil, fmt.Errorf("written by a newer Parley (version %d)", f.Version)
	}
	for _, e := range f.Days {
		days[dayKey{e.Day, e.Profile, e.Model}] = e.Usage
	}
	return days, nil
}

func (m *Meter) write(days map[dayKey]Day) error {
	oldest := m.now().AddDate(0, 0, -keepDays).Format(time.DateOnly)
	f := usageFile{Version: usageVersion}
	for k, d := range days {
		if k.Day >= oldest {
			f.Days = append(f.Days, dayEntry{Day: k.Day, Profile: k.Profile, Model: k.Model, Usage: d})
		}
	}
	sort.Slice(f.Days, func(i, j int) bool {
		a, b := f.Days[i], f.Days[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		return a.Model < b.Model
	})
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	return writeAtomic(m.path, data)
}

// Record counts a spend, in memory at once and on disk (merged with what other Parley
// processes recorded meanwhile). A failed write keeps the count in memory and says why.
func (m *Meter) Record(s Spend) error {
	if s.At.IsZero() {
		s.At = m.now()
	}
	key := dayKey{s.At.Local().Format(time.DateOnly), s.Profile, s.Model}
	if s.Batch {
		s.Requests = 0 // batches have their own queue, not the request limits
	}
	m.mu.Lock()
	if !s.Batch {
		m.recent = append(m.recent, s)
	}
	d := m.days[key]
	d.add(s)
	m.days[key] = d
	m.mu.Unlock()

	return withLock(m.path, func() error {
		days, err := m.read()
		if err != nil {
			return err // leave a bad file for the next start to move aside
		}
		d := days[key]
		d.add(s)
		days[key] = d
		return m.keep(days)
	})
}

// keep writes days to usage.json and holds them; the lock is held.
func (m *Meter) keep(days map[dayKey]Day) error {
	if err := m.write(days); err != nil {
		return fmt.Errorf("the usage could not be saved: %w", err)
	}
	m.mu.Lock()
	m.days = days
	m.mu.Unlock()
	return nil
}

// SetLive keeps the latest rate-limit headers for a profile and model: they outrank the tier
// table.
func (m *Meter) SetLive(profile, model string, l Live) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live[[2]string{profile, model}] = l
}

// Gauge is a use against a limit; Limit 0 means no limit is known.
type Gauge struct {
	Used, Limit float64
}

// Fraction is the share of the limit used, 0 when no limit is known.
func (g Gauge) Fraction() float64 {
	if g.Limit <= 0 {
		return 0
	}
	return g.Used / g.Limit
}

// Level is how close a gauge is to its limit.
type Level int

// The levels a usage bar shows: amber from 80%, red at 100%.
const (
	LevelOK Level = iota
	LevelWarn
	LevelOver
)

// Level tells OK, warning (80%) or over (100%).
func (g Gauge) Level() Level {
	switch f := g.Fraction(); {
	case f >= 1:
		return LevelOver
	case f >= 0.8:
		return LevelWarn
	}
	return LevelOK
}

// Reading is the meter for one profile and model, against its limits.
type Reading struct {
	RPM, TPM, RPD, Budget Gauge
	TodayTokens           int
	TodayCost             float64
	MonthTokens           int
	MonthCost             float64
	// TodayBatchCost and MonthBatchCost are the part of the costs that batches spent;
	// BatchQueue is the project's daily batch queue for the model, in input tokens (0: unknown).
	TodayBatchCost, MonthBatchCost float64
	BatchQueue                     int
	// Source says where the limits come from: "live from the server", "Tier 1 table", "custom".
	Source string
}

// Reading measures a profile's use of a model against its limits. The live headers, when a
// server sent them, outrank the tier table for requests and tokens per minute.
func (m *Meter) Reading(p Profile, model string) Reading {
	now := m.now()
	limits := p.Limits(model)
	m.mu.Lock()
	defer m.mu.Unlock()

	var r Reading
	cutoff := now.Add(-time.Minute)
	keep := m.recent[:0]
	for _, s := range m.recent {
		if s.At.After(cutoff) {
			keep = append(keep, s)
			if s.Profile == p.ID && s.Model == model {
				r.RPM.Used += float64(s.Requests)
				r.TPM.Used += float64(s.PromptTokens + s.CompletionTokens)
			}
		}
	}
	m.recent = keep

	today := now.Local().Format(time.DateOnly)
	month := today[:7]
	for k, d := range m.days {
		if k.Profile != p.ID {
			continue
		}
		if k.Day[:7] == month {
			r.MonthTokens += d.Tokens()
			r.MonthCost += d.CostUSD
			r.MonthBatchCost += d.BatchCostUSD
		}
		if k.Day == today {
			r.TodayTokens += d.Tokens()
			r.TodayCost += d.CostUSD
			r.TodayBatchCost += d.BatchCostUSD
			if k.Model == model {
				r.RPD.Used += float64(d.Requests)
			}
		}
	}

	source := ""
	if pl, ok := m.project[p.ID]; ok && p.Tier != TierCustom {
		if l, ok := pl.byModel[model]; ok {
			limits.RPM, limits.TPM, limits.RPD = l.RPM, l.TPM, l.RPD
			r.BatchQueue = l.BatchQueue
			source = "the project's own limits (Admin API, as of " + pl.at.Local().Format("15:04") + ")"
		}
	}
	r.RPM.Limit, r.TPM.Limit, r.RPD.Limit = float64(limits.RPM), float64(limits.TPM), float64(limits.RPD)
	r.Budget = Gauge{Used: r.MonthCost, Limit: limits.MonthlyBudget}
	switch {
	case source != "":
		r.Source = source
	case p.Tier == TierCustom:
		r.Source = "custom limits"
	case limits.RPM > 0:
		r.Source = p.Tier.Label() + " table (" + CatalogDate() + ", the fallback)"
	default:
		r.Source = "no limits known for this model"
	}
	if l, ok := m.live[[2]string{p.ID, model}]; ok && (l.LimitRequests > 0 || l.LimitTokens > 0) {
		elapsed := now.Sub(l.At)
		if l.LimitRequests > 0 {
			r.RPM = Gauge{Used: float64(l.LimitRequests) - refilled(l.RemainingRequests, l.LimitRequests, l.ResetRequests, elapsed), Limit: float64(l.LimitRequests)}
		}
		if l.LimitTokens > 0 {
			r.TPM = Gauge{Used: float64(l.LimitTokens) - refilled(l.RemainingTokens, l.LimitTokens, l.ResetTokens, elapsed), Limit: float64(l.LimitTokens)}
		}
		r.Source = "live from the server"
	}
	return r
}

// refilled estimates what remains of an allowance after elapsed, refilling evenly to its limit
// by reset.
func refilled(remaining, limit int, reset, elapsed time.Duration) float64 {
	if reset <= 0 || elapsed >= reset {
		return float64(limit)
	}
	return float64(remaining) + float64(limit-remaining)*elapsed.Seconds()/reset.Seconds()
}

// DayTotal is one day's tokens and cost for a profile, all models together.
type DayTotal struct {
	Day    time.Time
	Tokens int
	Cost   float64
}

// History returns the last n days for a profile, oldest first, empty days included.
func (m *Meter) History(profile string, n int) []DayTotal {
	now := m.now().Local()
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()).AddDate(0, 0, -(n - 1))
	out := make([]DayTotal, n)
	index := map[string]int{}
	for i := range out {
		out[i].Day = start.AddDate(0, 0, i)
		index[out[i].Day.Format(time.DateOnly)] = i
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, d := range m.days {
		if i, ok := index[k.Day]; ok && k.Profile == profile {
			out[i].Tokens += d.Tokens()
			out[i].Cost += d.CostUSD
		}
	}
	return out
}

// Today returns today's tokens and cost over every profile and model (the tray shows it).
func (m *Meter) Today() (int, float64) {
	today := m.now().Local().Format(time.DateOnly)
	m.mu.Lock()
	defer m.mu.Unlock()
	tokens, cost := 0, 0.0
	for k, d := range m.days {
		if k.Day == today {
			tokens += d.Tokens()
			cost += d.CostUSD
		}
	}
	return tokens, cost
}

// Export is the usage history as usage.json holds it, for a backup.
func (m *Meter) Export() ([]byte, error) {
	var data []byte
	err := withLock(m.path, func() error {
		days, err := m.read()
		if err != nil {
			return err
		}
		f := usageFile{Version: usageVersion}
		for k, d := range days {
			f.Days = append(f.Days, dayEntry{Day: k.Day, Profile: k.Profile, Model: k.Model, Usage: d})
		}
		sort.Slice(f.Days, func(i, j int) bool {
			a, b := f.Days[i], f.Days[j]
			return a.Day+"\x00"+a.Profile+"\x00"+a.Model < b.Day+"\x00"+b.Profile+"\x00"+b.Model
		})
		data, err = json.Marshal(f)
		return err
	})
	return data, err
}

// Merge adds a backup's usage history (Export's) to this one: days it does not hold are added;
// of a day both hold, the record with more requests and tokens stays (the same day counted by
// two machines is not added twice). It returns how many days it added or raised.
func (m *Meter) Merge(data []byte) (int, error) {
	var f usageFile
	if err := json.Unmarshal(data, &f); err != nil {
		return 0, fmt.Errorf("the backup's usage records are unreadable: %w", err)
	}
	if f.Version > usageVersion {
		return 0, fmt.Errorf("the backup's usage records were written by a newer Parley (version %d)", f.Version)
	}
	changed := 0
	err := withLock(m.path, func() error {
		days, err := m.read()
		if err != nil {
			return err
		}
		for _, e := range f.Days {
			key := dayKey{e.Day, e.Profile, e.Model}
			if have, ok := days[key]; !ok || e.Usage.Requests+e.Usage.Tokens() > have.Requests+have.Tokens() {
				days[key] = e.Usage
				changed++
			}
		}
		if changed == 0 {
			return nil
		}
		return m.keep(days)
	})
	return changed, err
}
