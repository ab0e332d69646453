package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"parley/settings"
)

// knownModel is what `parley models --json` prints of a model the endpoint offers: what the
// catalog knows of it (known: false when nothing).
type knownModel struct {
	ID            string                `json:"id"`
	Known         bool                  `json:"known"`
	ContextWindow int                   `json:"context_window,omitempty"`
	MaxOutput     int                   `json:"max_output,omitempty"`
	Price         *settings.Price       `json:"price_per_million,omitempty"`
	LongContext   *settings.LongContext `json:"long_context,omitempty"`
	Efforts       []string              `json:"efforts,omitempty"`
	DefaultEffort string                `json:"default_effort,omitempty"`
	Pro           bool                  `json:"pro,omitempty"`
	Vision        bool                  `json:"vision,omitempty"`
	Files         bool                  `json:"files,omitempty"`
	ServiceTiers  []string              `json:"service_tiers,omitempty"`
	Note          string                `json:"note,omitempty"`
}

func (c *cli) models(args []string) int {
	fs := c.flags("models", "[--profile NAME] [--json]\n\nLists the chat models the endpoint offers, one a line; --json adds what Parley knows of each\n(context window, prices, efforts, what it reads), from the model catalog.")
	profileName := fs.String("profile", "", "the profile to use (default: the current one)")
	asJSON := fs.Bool("json", false, "print JSON with what the catalog knows of each model")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	client, _ := c.svc.client(p, nil)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ids, err := client.Models(ctx)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	c.cacheModels(p.ID, ids)
	if *asJSON {
		out := []knownModel{}
		for _, id := range ids {
			m := settings.LookupModel(id)
			k := knownModel{ID: id, Known: m.Known()}
			if m.Known() {
				price := m.Price
				k.ContextWindow, k.MaxOutput, k.Price, k.LongContext = m.ContextWindow, m.MaxOutput, &price, m.LongContext
				k.Efforts, k.DefaultEffort, k.Pro, k.Vision, k.Files, k.ServiceTiers, k.Note = m.Efforts, m.DefaultEffort, m.Pro, m.Vision, m.Files, m.ServiceTiers, m.Note
			}
			out = append(out, k)
		}
		return c.printJSONValue(out)
	}
	for _, id := range ids {
		fmt.Fprintln(c.stdout, id)
	}
	return exitOK
}

// cacheModels remembers the endpoint's models for the profile's model picker.
func (c *cli) cacheModels(profile string, ids []string) {
	prefs := c.svc.prefs.Prefs()
	p, ok := prefs.Profile(profile)
	if !ok {
		return
	}
	p.SetModels(ids, time.Now())
	c.svc.prefs.SaveProfile(p)
}
