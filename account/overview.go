// Package account is the account as OpenAI sees it, through the Admin API: the real spend and
// usage of the organization and the profile's project (not only what Parley sent), the
// project's own rate limits, its keys and what each used, and rotating a key. The window, the
// tray and the command line use it alike; it never imports Fyne.
package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"parley/chat"
	"parley/settings"
)

// Deps are what the account's use cases work with; app hands them in.
type Deps struct {
	Prefs *settings.Store
	Keys  *settings.Keys
	Meter *settings.Meter
	// Admin is an Admin API client for a profile's endpoint with an admin key.
	Admin func(p settings.Profile, adminKey string) *chat.Admin
	// Test proves a key works with a real request to the profile's endpoint.
	Test settings.Tester
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// ErrNoAdminKey says the profile has no admin key: the figures are Parley's own.
var ErrNoAdminKey = errors.New("no admin key is set for this profile: the figures are this app's only")

// Tokens are usage in tokens and requests.
type Tokens struct {
	Requests, Input, Cached, CacheWrite, Output int
}

// Total is input plus output tokens.
func (t Tokens) Total() int { return t.Input + t.Output }

func (t *Tokens) add(u chat.UsageResult) {
	t.Requests += u.Requests
	t.Input += u.Input
	t.Cached += u.Cached
	t.CacheWrite += u.CacheWrite
	t.Output += u.Output
}

// Day is a day's real cost (the project's, or the organization's without a project), and the
// part Parley itself spent.
type Day struct {
	Date        time.Time
	USD, Parley float64
}

// ModelUsage is a model's usage this month and today.
type ModelUsage struct {
	Model        string
	Month, Today Tokens
}

// KeyUsage is one of the project's keys, what it used in the last 24 hours (hour by hour) and
// this month, and whether it is the profile's own.
type KeyUsage struct {
	chat.AdminKey
	Hours  [24]int // tokens, the oldest hour first
	Last24 Tokens
	Month  Tokens
	Yours  bool
}

// Overview is the account's figures, as of At. Parts that could not be fetched are said in
// Warnings; the rest stands.
type Overview struct {
	At      time.Time
	Project chat.AdminProject
	// Spend this month (UTC, as OpenAI bills it): the whole organization's and the project's.
	OrgMonth, ProjectMonth float64
	// Limit is the monthly ceiling (the project's, else the organization's, else the user's own
	// budget) and LimitSource which; Projected the month's end at this month's daily rate.
	Limit       float64
	LimitSource string
	Projected   float64
	Days        []Day // the last 30, oldest first
	Models      []ModelUsage
	Keys        []KeyUsage
	RateLimits  []chat.AdminRateLimit
	Warnings    []string
}

// Fetch reads the account's figures for a profile with its admin key.
func Fetch(ctx context.Context, d Deps, p settings.Profile) (*Overview, error) {
	adminKey, _, err := d.Keys.GetAdmin(p.ID)
	if err != nil {
		return nil, err
	}
	if adminKey == "" {
		return nil, ErrNoAdminKey
	}
	apiKey, _, _ := d.Keys.Get(p.ID)
	admin := d.Admin(p, adminKey)
	now := d.now().UTC()
	o := &Overview{At: d.now()}
	if o.Project, err = findProject(ctx, admin, p, apiKey); err != nil {
		return nil, err
	}
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	today := now.Truncate(24 * time.Hour)
	warn := func(what string, err error) {
		o.Warnings = append(o.Warnings, what+": "+chat.Describe(err))
	}

	// Costs: a month back, or to the month's start when that is further, by project.
	from := today.AddDate(0, 0, -29)
	if monthStart.Before(from) {
		from = monthStart
	}
	costs, err := admin.Costs(ctx, from, now, true)
	if err != nil {
		return nil, err // without costs there is nothing to show
	}
	byDay := map[time.Time]float64{}
	for _, b := range costs {
		for _, r := range b.Results {
			if !b.Start.Before(monthStart) {
				o.OrgMonth += r.USD
				if r.Project == o.Project.ID {
					o.ProjectMonth += r.USD
				}
			}
			if r.Project == o.Project.ID {
				byDay[b.Start] += r.USD
			}
		}
	}
	parley := map[string]float64{}
	if d.Meter != nil {
		for _, h := range d.Meter.History(p.ID, 30) {
			parley[h.Day.Format(time.DateOnly)] = h.Cost
		}
	}
	for i := 29; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		o.Days = append(o.Days, Day{Date: day, USD: byDay[day], Parley: parley[day.Format(time.DateOnly)]})
	}
	elapsed := now.Sub(monthStart).Hours() / 24
	daysInMonth := float64(monthStart.AddDate(0, 1, 0).Sub(monthStart).Hours() / 24)
	if elapsed > 0 {
		o.Projected = o.ProjectMonth / elapsed * daysInMonth
	}

	// The ceiling.
	if usd, ok, err := admin.SpendLimit(ctx, o.Project.ID); err != nil {
		warn("The project's spend limit could not be read", err)
	} else if ok {
		o.Limit, o.LimitSource = usd, "the project's spend limit"
	}
	if o.Limit == 0 {
		if usd, ok, err := admin.SpendLimit(ctx, ""); err != nil {
			warn("The organization's spend limit could not be read", err)
		} else if ok {
			o.Limit, o.LimitSource = usd, "the organization's spend limit"
		}
	}
	if o.Limit == 0 {
		if b := p.Limits(p.Model).MonthlyBudget; b > 0 {
			o.Limit, o.LimitSource = b, "your budget (Settings)"
		}
	}

	// Usage by model, this month and today.
	if usage, err := admin.Usage(ctx, monthStart, now, "1d", []string{"model"}, nil, o.Project.ID); err != nil {
		warn("The usage by model could not be read", err)
	} else {
		models := map[string]*ModelUsage{}
		for _, u := range usage {
			m := models[u.Model]
			if m == nil {
				m = &ModelUsage{Model: u.Model}
				models[u.Model] = m
			}
			m.Month.add(u)
			if !u.Start.Before(today) {
				m.Today.add(u)
			}
		}
		for _, m := range models {
			o.Models = append(o.Models, *m)
		}
		sort.Slice(o.Models, func(i, j int) bool { return o.Models[i].Month.Total() > o.Models[j].Month.Total() })
	}

	// The keys, and what each used.
	if keys, err := admin.APIKeys(ctx, o.Project.ID); err != nil {
		warn("The project's keys could not be read", err)
	} else {
		byID := map[string]*KeyUsage{}
		for _, k := range keys {
			o.Keys = append(o.Keys, KeyUsage{AdminKey: k, Yours: apiKey != "" && k.Matches(apiKey)})
		}
		for i := range o.Keys {
			byID[o.Keys[i].ID] = &o.Keys[i]
		}
		hourStart := now.Truncate(time.Hour).Add(-23 * time.Hour)
		if hours, err := admin.Usage(ctx, hourStart, now, "1h", []string{"api_key_id"}, nil, o.Project.ID); err != nil {
			warn("The usage by key could not be read", err)
		} else {
			for _, u := range hours {
				if k := byID[u.KeyID]; k != nil {
					if i := int(u.Start.Sub(hourStart).Hours()); i >= 0 && i < 24 {
						k.Hours[i] += u.Input + u.Output
					}
					k.Last24.add(u)
				}
			}
		}
		if month, err := admin.Usage(ctx, monthStart, now, "1d", []string{"api_key_id"}, nil, o.Project.ID); err == nil {
			for _, u := range month {
				if k := byID[u.KeyID]; k != nil {
					k.Month.add(u)
				}
			}
		}
	}

	// The project's own ceilings, which outrank the tier table.
	if limits, err := admin.RateLimits(ctx, o.Project.ID); err != nil {
		warn("The project's rate limits could not be read", err)
	} else {
		o.RateLimits = limits
		if d.Meter != nil {
			d.Meter.SetProjectLimits(p.ID, projectLimits(limits), o.At)
		}
	}
	return o, nil
}

func projectLimits(limits []chat.AdminRateLimit) map[string]settings.Limits {
	out := map[string]settings.Limits{}
	for _, l := range limits {
		out[l.Model] = settings.Limits{RPM: l.RPM, TPM: l.TPM, RPD: l.RPD, BatchQueue: l.BatchDayTokens}
	}
	return out
}

// findProject is the profile's project: the one it names, else the one its API key belongs to,
// else the organization's only one.
func findProject(ctx context.Context, admin *chat.Admin, p settings.Profile, apiKey string) (chat.AdminProject, error) {
	projects, err := admin.Projects(ctx)
	if err != nil {
		return chat.AdminProject{}, err
	}
	if len(projects) == 0 {
		return chat.AdminProject{}, errors.New("the organization has no projects: make one at platform.openai.com, with a key for Parley")
	}
	if p.Project != "" {
		if i := slices.IndexFunc(projects, func(x chat.AdminProject) bool { return x.ID == p.Project }); i >= 0 {
			return projects[i], nil
		}
		return chat.AdminProject{}, fmt.Errorf("the organization has no project %q (the profile's project in Settings)", p.Project)
	}
	if apiKey != "" {
		for _, pr := range projects {
			keys, err := admin.APIKeys(ctx, pr.ID)
			if err != nil {
				return chat.AdminProject{}, err
			}
			for _, k := range keys {
				if k.Matches(apiKey) {
					return pr, nil
				}
			}
		}
	}
	if len(projects) == 1 {
		return projects[0], nil
	}
	return chat.AdminProject{}, fmt.Errorf("the organization has %d projects and the profile's key is in none Parley can see: name the project in Settings (proj_…)", len(projects))
}

// Cache keeps each profile's overview with its time: the figures are fetched again on demand,
// and at most every MaxAge otherwise (OpenAI's reporting lags anyway).
type Cache struct {
	MaxAge time.Duration

	mu   sync.Mutex
	last map[string]*Overview
}

// Get returns the profile's overview, fetching it when it is older than MaxAge (or force).
func (c *Cache) Get(ctx context.Context, d Deps, p settings.Profile, force bool) (*Overview, error) {
	c.mu.Lock()
	o := c.last[p.ID]
	c.mu.Unlock()
	if o != nil && !force && d.now().Sub(o.At) < c.MaxAge {
		return o, nil
	}
	o, err := Fetch(ctx, d, p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.last == nil {
		c.last = map[string]*Overview{}
	}
	c.last[p.ID] = o
	c.mu.Unlock()
	return o, nil
}

// Forget drops a profile's figures (its admin key changed).
func (c *Cache) Forget(profile string) {
	c.mu.Lock()
	delete(c.last, profile)
	c.mu.Unlock()
}
