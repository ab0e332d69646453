package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"parley/settings"
	"parley/views/bridge"
)

// The API key part of the settings screen: where the key comes from, and saving (tested
// first), testing and deleting it.

// showKey says where the profile's key comes from, reading the keychain off the UI goroutine.
func (s *settingsView) showKey() {
	p := s.m.profile()
	setStatus(s.keyWhere, "Looking in the keychain…", false)
	type found struct {
		e         settings.Endpoint
		stored    settings.Source
		storedErr error
	}
	keys := s.m.svc.Keys
	bridge.Work(func() found {
		f := found{e: keys.Resolve(p)}
		f.stored, f.storedErr = keys.Stored(p.ID)
		return f
	}, func(f found) {
		if s.stale(p) {
			return
		}
		e := f.e
		var text string
		bad := false
		switch {
		case e.KeySource == settings.FromEnv:
			text = fmt.Sprintf("Using %s from the environment (%s): it overrides the keychain for as long as it is set.", settings.Mask(e.Key), settings.EnvKey)
			if f.stored == settings.FromKeychain {
				text += " A key is also stored in the keychain for this profile."
			}
		case e.KeySource == settings.FromSession:
			text = fmt.Sprintf("Using %s for this session only: it is held in memory and forgotten when Parley quits.", settings.Mask(e.Key))
		case e.KeySource == settings.FromKeychain:
			text = fmt.Sprintf("Stored in the system keychain (service “%s”, account “%s”): %s", settings.KeychainService, p.ID, settings.Mask(e.Key))
		case e.KeyErr != nil || f.storedErr != nil:
			err := e.KeyErr
			if err == nil {
				err = f.storedErr
			}
			text, bad = plain(err), true
			s.key.session.Show()
		case !e.IsOpenAI():
			text = "No key: " + e.URL() + " may not need one. Paste one below if it does."
		default:
			text = "No key yet. Paste your OpenAI API key below: Parley tests it, then keeps it in the keychain."
		}
		setStatus(s.keyWhere, text, bad)
		if len(e.FromEnv) > 0 {
			verb := "overrides"
			if len(e.FromEnv) > 1 {
				verb = "override"
			}
			setStatus(s.envNote, "From the environment: "+strings.Join(e.FromEnv, ", ")+" "+verb+" this profile's settings.", false)
		} else {
			setStatus(s.envNote, "", false)
		}
	})
}

// testKey asks the endpoint for its models with the key: the cheapest call that proves it
// works. The models it lists are kept for the model picker.
func (s *settingsView) testKey() {
	setStatus(s.key.status, "Testing…", false)
	p := s.m.profile()
	type tested struct {
		ids []string
		url string
		err error
	}
	bridge.Work(func() tested {
		client, e := s.m.svc.Client(p)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ids, err := client.Models(ctx)
		if err == nil {
			s.m.svc.Prefs.RememberModels(p.ID, ids, time.Now())
		}
		return tested{ids, e.URL(), err}
	}, func(t tested) {
		if s.stale(p) {
			return
		}
		if t.err != nil {
			setStatus(s.key.status, plain(t.err), true)
			return
		}
		setStatus(s.key.status, fmt.Sprintf("valid: %d chat models at %s", len(t.ids), t.url), false)
	})
}

func (s *settingsView) deleteKey() {
	p := s.m.profile()
	s.m.confirm("Delete the key", fmt.Sprintf("Remove the key of profile “%s” from the keychain?", p.Name), "Delete the key", true, func() {
		bridge.Work(func() error { return s.m.svc.Keys.Delete(p.ID) }, func(err error) {
			if s.stale(p) {
				return
			}
			if err != nil {
				setStatus(s.key.status, plain(err), true)
				return
			}
			setStatus(s.key.status, "Deleted from the keychain.", false)
			s.m.keyChanged()
		})
	})
}
