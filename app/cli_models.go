package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func (c *cli) models(args []string) int {
	fs := c.flags("models", "[--profile NAME]\n\nLists the chat models the endpoint offers, one a line.")
	profileName := fs.String("profile", "", "the profile to use (default: the current one)")
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
	for _, id := range ids {
		fmt.Fprintln(c.stdout, id)
	}
	c.cacheModels(p.ID, ids)
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
