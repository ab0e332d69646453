package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"parley/account"
	"parley/chat"
	"parley/chat/ask"
	"parley/chat/batch"
	"parley/chat/store"
	"parley/settings"
)

// services are what the window and the command line both work with.
type services struct {
	paths   settings.Paths
	prefs   *settings.Store
	keys    *settings.Keys
	meter   *settings.Meter
	presets *settings.Presets
	getenv  func(string) string

	historyOnce sync.Once
	historyDB   *store.Store
	historyErr  error
}

// history opens the conversation history on first use.
func (s *services) history() (*store.Store, error) {
	s.historyOnce.Do(func() {
		s.historyDB, s.historyErr = store.Open(store.DefaultPath(s.paths.Data))
		if s.historyErr == nil {
			// Answers a stopped Parley left: priced and counted once. One written to in the last
			// seconds may still be another Parley's: looked at again once it would be stale.
			s.asker().Recover(s.historyDB)
			time.AfterFunc(store.StaleAfter+time.Second, func() { s.asker().Recover(s.historyDB) })
		}
	})
	return s.historyDB, s.historyErr
}

// historyCheckAfter is how long after start the window first looks whether the history is due
// its daily check: once starting has settled.
const historyCheckAfter = 10 * time.Second

// checkHistoryDaily reads the history whole for damage once a day (store.Check: seconds for a
// large history, so never while opening it): first a little after start, then looking every
// hour whether a day has passed. damaged hears what a check found. It stops with ctx, a check
// under way too.
func (s *services) checkHistoryDaily(ctx context.Context, damaged func(error)) {
	wait := historyCheckAfter
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = time.Hour
		st, err := s.history()
		if err != nil {
			return // the window has said why
		}
		if _, err := st.CheckIfDue(ctx, store.CheckEvery); errors.Is(err, store.ErrDamaged) {
			damaged(err)
			return
		}
	}
}

// close closes what is open; everything is already saved.
func (s *services) close() {
	if s.historyDB != nil {
		s.historyDB.Close()
	}
}

// openServices opens the preferences and the usage meter in the user's folders. What could not
// be read was moved aside; warnings says so, for the user.
func openServices() (*services, []string, error) {
	paths, err := settings.DefaultPaths()
	if err != nil {
		return nil, nil, err
	}
	if err := paths.Ensure(); err != nil {
		return nil, nil, err
	}
	prefs, err := settings.OpenStore(paths.Config)
	if err != nil {
		return nil, nil, err
	}
	meter, err := settings.OpenMeter(paths.Data, nil)
	if err != nil {
		return nil, nil, err
	}
	presets, presetsWarning, err := settings.OpenPresets(paths.Config)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	for _, w := range []string{prefs.Warning(), meter.Warning(), presetsWarning, settings.LoadCatalog(paths.Config)} {
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	return &services{paths: paths, prefs: prefs, keys: settings.NewKeys(nil), meter: meter, presets: presets, getenv: os.Getenv}, warnings, nil
}

// client returns a chat client for a profile. notify hears its rate-limit snapshots.
func (s *services) client(p settings.Profile, notify func(chat.RateLimit)) (*chat.Client, settings.Endpoint) {
	e := s.keys.Resolve(p)
	return s.clientFor(p, e, notify), e
}

// clientFor returns a chat client for a profile's endpoint, with the key e holds. The meter
// keeps the rate limits its responses report.
func (s *services) clientFor(p settings.Profile, e settings.Endpoint, notify func(chat.RateLimit)) *chat.Client {
	cfg := chat.Config{BaseURL: e.BaseURL, APIKey: e.Key, OrgID: e.Org, Project: e.Project, Models: modelInfo,
		API: p.API, NoResponses: p.NoResponses, Store: p.StoreResponses,
		OnNoResponses: func() { s.prefs.RememberNoResponses(p.ID) }}
	var ke *settings.KeychainError
	if e.Key == "" && errors.As(e.KeyErr, &ke) {
		cfg.NoKey = ke.Problem
	}
	return chat.New(cfg, func(rl chat.RateLimit) {
		s.meter.SetLive(p.ID, rl.Model, settings.Live{
			LimitRequests: rl.LimitRequests, RemainingRequests: rl.RemainingRequests,
			LimitTokens: rl.LimitTokens, RemainingTokens: rl.RemainingTokens,
			ResetRequests: rl.ResetRequests, ResetTokens: rl.ResetTokens, At: rl.At,
		})
		if notify != nil {
			notify(rl)
		}
	})
}

// testKey asks a profile's endpoint for its models with a key (none: as it stands): the
// cheapest call that proves the server takes it. The models it lists are kept for the picker.
func (s *services) testKey(ctx context.Context, p settings.Profile, key string) error {
	e := s.keys.Where(p)
	e.Key = key
	ids, err := s.clientFor(p, e, nil).Models(ctx)
	var ce *chat.Error
	if errors.As(err, &ce) && ce.Kind == chat.InvalidKey {
		return fmt.Errorf("%w: %w", settings.ErrKeyRefused, err)
	}
	if err == nil {
		s.prefs.RememberModels(p.ID, ids, time.Now()) // a file that cannot be written only loses the list
	}
	return err
}

// modelInfo tells the engine what the catalog knows of a model.
func modelInfo(id string) chat.ModelInfo {
	return engineModel(settings.LookupModel(id))
}

// engineModel is a catalog row as the engine takes it.
func engineModel(m settings.Model) chat.ModelInfo {
	info := chat.ModelInfo{
		ID: m.ID, ContextWindow: m.ContextWindow, MaxOutput: m.MaxOutput, Encoding: m.Encoding, Reasoning: m.Reasoning(),
		Efforts: m.Efforts, Pro: m.Pro, ServiceTiers: m.ServiceTiers,
		Known: m.Known(), Vision: m.Vision, Files: m.Files, Image: imageSizing(m.ID),
		Price: chat.Price{Input: m.Price.Input, CachedInput: m.Price.Cached, CacheWrite: m.Price.CacheWrite, Output: m.Price.Output,
			Tiers: settings.CurrentCatalog().ServiceTiers, Known: m.Known()},
	}
	if l := m.LongContext; l != nil {
		info.Price.LongAbove, info.Price.LongInput, info.Price.LongOutput = l.Above, l.Input, l.Output
	}
	return info
}

// imageSizing is how the catalog says a model counts images, as the engine takes it.
func imageSizing(id string) chat.ImageSizing {
	s := settings.ImageSizingFor(id)
	out := chat.ImageSizing{PagePx: settings.PDFPagePixels()}
	if t := s.Tiles; t != nil {
		out.Base, out.Tile = t.Base, t.Tile
	}
	if p := s.Patches; p != nil {
		out.Budget, out.MaxPx, out.OriginalBudget, out.OriginalMaxPx = p.High, p.HighPx, p.Original, p.OriginalPx
		out.AutoOriginal, out.Multiplier, out.MaxPatches = p.AutoOriginal, p.Multiplier, p.MaxPatches
	}
	return out
}

// accountDeps are the account's use cases' dependencies: the Admin API on a profile's own
// endpoint, keys tested with a real request.
func (s *services) accountDeps() account.Deps {
	return account.Deps{
		Prefs: s.prefs, Keys: s.keys, Meter: s.meter, Test: s.testKey,
		Admin: func(p settings.Profile, adminKey string) *chat.Admin {
			e := s.keys.Where(p)
			return chat.NewAdmin(chat.Config{BaseURL: e.BaseURL, APIKey: adminKey, OrgID: e.Org})
		},
	}
}

// testAdminKey asks the Admin API for the organization's projects with an admin key: the
// cheapest call that proves the key is an admin key of this organization.
func (s *services) testAdminKey(ctx context.Context, p settings.Profile, key string) error {
	_, err := s.accountDeps().Admin(p, key).Projects(ctx)
	var ce *chat.Error
	if errors.As(err, &ce) && ce.Kind == chat.InvalidKey {
		return fmt.Errorf("%w: %w", settings.ErrKeyRefused, err)
	}
	return err
}

// asker is the ask use case on these services: the history, and the meter for usage.
func (s *services) asker() *ask.Asker {
	return ask.New(ask.Deps{History: s.history, Record: s.record, Models: modelInfo})
}

// record counts an answer to a request for model in the usage meter, under a profile's ID.
func (s *services) record(profile, model string, a chat.Answer) error {
	return s.meter.Record(settings.Spend{
		Profile: profile, Model: model, Requests: 1 + a.Retries,
		PromptTokens: a.Usage.PromptTokens, CompletionTokens: a.Usage.CompletionTokens, CostUSD: a.Cost.USD, At: a.Ended,
		Batch: a.Usage.ServiceTier == "batch",
	})
}

// profile picks the profile a user named (by name or ID), or the current one when name is
// empty.
func (s *services) profile(name string) (settings.Profile, error) {
	prefs := s.prefs.Prefs()
	if name == "" {
		return prefs.CurrentProfile(), nil
	}
	p, ok := prefs.Named(name)
	if !ok {
		return p, fmt.Errorf("there is no profile named %q (profiles: %s)", name, strings.Join(prefs.Names(), ", "))
	}
	return p, nil
}

// followPending takes up the background answers no Parley follows (left running, or left by a
// Parley that stopped), each through its conversation's profile; started hears each one taken
// up (another Parley may have the rest), with what stops following it: call it once the run
// is done.
func (s *services) followPending(ctx context.Context, asker *ask.Asker, how ask.Following, started func(store.Message, *ask.Run, context.CancelFunc)) error {
	st, err := s.history()
	if err != nil {
		return err
	}
	pending, err := asker.Pending()
	if err != nil {
		return err
	}
	for _, m := range pending {
		conv, err := st.Conversation(m.ConversationID)
		if err != nil {
			continue // deleted meanwhile
		}
		p, ok := s.prefs.Prefs().Profile(conv.Profile)
		if !ok {
			p = s.prefs.Prefs().CurrentProfile() // its profile is gone: the current one's key may still fetch it
		}
		client, _ := s.client(p, nil)
		runCtx, cancel := context.WithCancel(ctx)
		run, ok, err := asker.Follow(runCtx, client, m, how)
		if err != nil || !ok {
			cancel()
			continue
		}
		started(m, run, cancel)
	}
	return nil
}

// batcher is the batch use case on these services.
func (s *services) batcher() *batch.Batcher {
	return batch.New(batch.Deps{History: s.history, Record: s.record})
}
