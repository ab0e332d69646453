package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"parley/account"
	"parley/chat"
	"parley/settings"
	"parley/views/format"
)

// The account on the command line: the admin key, the project's keys, rotation, usage.

// adminKeySet tests an admin key against the Admin API and stores it once it passes.
func (c *cli) adminKeySet(p settings.Profile, noTest bool) int {
	key, err := c.readSecret(fmt.Sprintf("Admin key for profile %q (input hidden): ", p.Name))
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if key, err = settings.CleanKey(key); err != nil {
		return c.fail(exitUsage, err)
	}
	if noTest {
		err = c.svc.keys.SetAdmin(p.ID, key)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = c.svc.keys.SaveAdminTested(ctx, p, key, c.svc.testAdminKey)
	}
	if errors.Is(err, settings.ErrAPIKeyAsAdminKey) {
		fmt.Fprintf(c.stderr, "parley: not stored: %s (parley key set)\n", err)
		return exitUsage
	}
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintf(c.stdout, "Stored the admin key for profile %q in the keychain: %s\n", p.Name, settings.Mask(key))
	return exitOK
}

func (c *cli) adminKeyShow(p settings.Profile) int {
	key, src, err := c.svc.keys.GetAdmin(p.ID)
	switch {
	case err != nil:
		return c.fail(exitFailure, err)
	case key == "":
		fmt.Fprintf(c.stdout, "no admin key for profile %q (set one with: parley key set --admin --profile %q)\n", p.Name, p.Name)
	default:
		fmt.Fprintf(c.stdout, "%s (%s)\n", settings.Mask(key), src)
	}
	return exitOK
}

// listedKey is one of the project's keys as `parley key list --json` prints it.
type listedKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Redacted  string    `json:"redacted_value"`
	Owner     string    `json:"owner"`
	Created   time.Time `json:"created"`
	LastUsed  *string   `json:"last_used"`
	Tokens24h int       `json:"tokens_last_24h"`
	Yours     bool      `json:"yours"`
}

func (c *cli) keyList(p settings.Profile, asJSON bool) int {
	o, code := c.overview(p)
	if o == nil {
		return code
	}
	out := []listedKey{}
	for _, k := range o.Keys {
		l := listedKey{ID: k.ID, Name: k.Name, Redacted: k.RedactedValue, Owner: keyOwner(k.AdminKey), Created: k.Created(), Tokens24h: k.Last24.Total(), Yours: k.Yours}
		if !k.LastUsed().IsZero() {
			s := k.LastUsed().Format(time.RFC3339)
			l.LastUsed = &s
		}
		out = append(out, l)
	}
	if asJSON {
		return c.printJSONValue(out)
	}
	fmt.Fprintf(c.stdout, "Keys of project %s (%s), as of %s:\n", o.Project.Name, o.Project.ID, o.At.Local().Format("15:04"))
	for _, l := range out {
		last := "never used"
		if l.LastUsed != nil {
			last = "last used " + *l.LastUsed
		}
		mark := " "
		if l.Yours {
			mark = "*"
		}
		fmt.Fprintf(c.stdout, "%s %-24s %-22s %-28s %s, %s tokens in 24 h\n", mark, l.Name, l.Redacted, l.Owner, last, format.Thousands(l.Tokens24h))
	}
	fmt.Fprintln(c.stdout, "* this profile's key")
	return exitOK
}

func keyOwner(k chat.AdminKey) string {
	if k.Owner.ServiceAccount != nil {
		return "service account " + k.Owner.ServiceAccount.Name
	}
	if k.Owner.User != nil {
		return "user " + k.Owner.User.Name
	}
	return k.Owner.Type
}

// overview fetches the account's figures, or says why not (exit code when nil).
func (c *cli) overview(p settings.Profile) (*account.Overview, int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o, err := account.Fetch(ctx, c.svc.accountDeps(), p)
	if errors.Is(err, account.ErrNoAdminKey) {
		fmt.Fprintf(c.stderr, "parley: %s (set one with: parley key set --admin --profile %q)\n", err, p.Name)
		return nil, exitUsage
	}
	if err != nil {
		return nil, c.fail(exitFailure, err)
	}
	for _, w := range o.Warnings {
		fmt.Fprintln(c.stderr, "parley: warning:", w)
	}
	return o, exitOK
}

func (c *cli) keyRotate(p settings.Profile, resume bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	d := c.svc.accountDeps()
	if resume {
		msg, err := account.Resume(ctx, d)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		if msg == "" {
			msg = "No key rotation is under way."
		}
		fmt.Fprintln(c.stdout, msg)
		tell(c.svc.paths.Runtime, requestKeys)
		return exitOK
	}
	r, err := account.Rotate(ctx, d, p, func(step string) { fmt.Fprintln(c.stderr, "parley:", step) })
	if errors.Is(err, account.ErrNoAdminKey) {
		fmt.Fprintf(c.stderr, "parley: rotating a key in one step needs the organization's admin key (parley key set --admin).\n"+
			"Without it: make a new key at https://platform.openai.com/api-keys, store it with parley key set, and revoke the old one there.\n")
		return exitUsage
	}
	if err != nil {
		return c.fail(exitFailure, err)
	}
	tell(c.svc.paths.Runtime, requestKeys) // the running window uses the new key at once
	fmt.Fprintf(c.stdout, "The profile %q now uses a new key, %s, tested.\n", p.Name, r.NewKey)
	if r.Revoked {
		fmt.Fprintf(c.stdout, "The old key %s (%s) is revoked.\n", r.OldKey.RedactedValue, r.OldKey.Name)
	}
	if r.Remaining != "" {
		fmt.Fprintln(c.stdout, r.Remaining)
	}
	return exitOK
}

// usageReport is what `parley usage --json` prints.
type usageReport struct {
	Source       string     `json:"source"` // "admin api" or "this app only"
	AsOf         time.Time  `json:"as_of"`
	Period       string     `json:"period"`
	Project      string     `json:"project,omitempty"`
	SpendUSD     float64    `json:"spend_usd"`
	OrgSpendUSD  *float64   `json:"organization_spend_usd,omitempty"`
	LimitUSD     *float64   `json:"limit_usd,omitempty"`
	LimitSource  string     `json:"limit_source,omitempty"`
	ProjectedUSD *float64   `json:"projected_month_usd,omitempty"`
	Rows         []usageRow `json:"rows"`
	Warnings     []string   `json:"warnings,omitempty"`
}

type usageRow struct {
	Name       string `json:"name"`
	Requests   int    `json:"requests"`
	Input      int    `json:"input_tokens"`
	Cached     int    `json:"cached_tokens"`
	CacheWrite int    `json:"cache_write_tokens"`
	Output     int    `json:"output_tokens"`
}

const usageUsageText = `[--today|--month] [--by model|key] [--json] [--profile NAME]

With the profile's admin key: the account's own figures from OpenAI's Admin API (the
organization's and the project's spend against its limit, tokens by model or by key). Without:
what Parley itself sent, labelled so.`

func (c *cli) usage(args []string) int {
	fs := c.flags("usage", usageUsageText)
	today := fs.Bool("today", false, "today's figures")
	month := fs.Bool("month", false, "this month's figures (the default)")
	by := fs.String("by", "model", "model or key")
	asJSON := fs.Bool("json", false, "print JSON")
	profileName := fs.String("profile", "", "the profile (default: the current one)")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	if *today && *month || *by != "model" && *by != "key" {
		fmt.Fprintf(c.stderr, "Usage: parley usage %s\n", usageUsageText)
		return exitUsage
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	period := "month"
	if *today {
		period = "today"
	}
	r := usageReport{Period: period, Rows: []usageRow{}}
	if key, _, _ := c.svc.keys.GetAdmin(p.ID); key == "" {
		r.Source, r.AsOf = "this app only", time.Now()
		reading := c.svc.meter.Reading(p, p.Model)
		r.SpendUSD = reading.MonthCost
		if *today {
			r.SpendUSD = reading.TodayCost
		}
	} else {
		o, code := c.overview(p)
		if o == nil {
			return code
		}
		r.Source, r.AsOf, r.Project, r.Warnings = "admin api", o.At, o.Project.Name, o.Warnings
		r.SpendUSD = o.ProjectMonth
		org, proj := o.OrgMonth, o.Projected
		r.OrgSpendUSD, r.ProjectedUSD = &org, &proj
		if *today && len(o.Days) > 0 {
			r.SpendUSD, r.OrgSpendUSD, r.ProjectedUSD = o.Days[len(o.Days)-1].USD, nil, nil
		}
		if o.Limit > 0 {
			limit := o.Limit
			r.LimitUSD, r.LimitSource = &limit, o.LimitSource
		}
		if *by == "model" {
			for _, m := range o.Models {
				t := m.Month
				if *today {
					t = m.Today
				}
				r.Rows = append(r.Rows, usageRow{Name: m.Model, Requests: t.Requests, Input: t.Input, Cached: t.Cached, CacheWrite: t.CacheWrite, Output: t.Output})
			}
		} else {
			for _, k := range o.Keys {
				t := k.Month
				if *today {
					t = k.Last24
				}
				r.Rows = append(r.Rows, usageRow{Name: k.Name + " " + k.RedactedValue, Requests: t.Requests, Input: t.Input, Cached: t.Cached, CacheWrite: t.CacheWrite, Output: t.Output})
			}
		}
		sort.SliceStable(r.Rows, func(i, j int) bool { return r.Rows[i].Input+r.Rows[i].Output > r.Rows[j].Input+r.Rows[j].Output })
	}
	if *asJSON {
		return c.printJSONValue(r)
	}
	if r.Source == "this app only" {
		fmt.Fprintf(c.stdout, "Spend %s: %s (this app only: set an admin key, parley key set --admin, for the account's own figures)\n", period, format.Dollars(r.SpendUSD))
		return exitOK
	}
	fmt.Fprintf(c.stdout, "Project %s, %s, as of %s (OpenAI's figures lag a little):\n", r.Project, period, r.AsOf.Local().Format("15:04"))
	line := "  spent " + format.Dollars(r.SpendUSD)
	if r.LimitUSD != nil {
		line += fmt.Sprintf(" of %s (%s, %.0f%%)", format.Dollars(*r.LimitUSD), r.LimitSource, 100*r.SpendUSD / *r.LimitUSD)
	}
	if r.ProjectedUSD != nil {
		line += ", " + format.Dollars(*r.ProjectedUSD) + " at the month's end at this rate"
	}
	fmt.Fprintln(c.stdout, line)
	if r.OrgSpendUSD != nil {
		fmt.Fprintf(c.stdout, "  the whole organization: %s\n", format.Dollars(*r.OrgSpendUSD))
	}
	for _, row := range r.Rows {
		fmt.Fprintf(c.stdout, "  %-40s %8s requests  %12s in (%s cached, %s written)  %10s out\n", row.Name, format.Thousands(row.Requests),
			format.Thousands(row.Input), format.Thousands(row.Cached), format.Thousands(row.CacheWrite), format.Thousands(row.Output))
	}
	return exitOK
}

// rotationNotice says, once per command, that a rotation was cut short.
func (c *cli) rotationNotice() {
	if j, _ := c.svc.prefs.Rotation(); j != nil {
		fmt.Fprintf(c.stderr, "parley: a key rotation of profile %q was cut short (%s): parley key rotate --resume finishes or undoes it\n", j.Profile, strings.ToLower(j.Step))
	}
}
