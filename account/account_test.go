package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"parley/chat"
	"parley/chat/chattest"
	"parley/settings"
)

const (
	apiKey   = "sk-proj-acctTESTkey0123456789abcdefLEAK"
	adminKey = "sk-admin-acctTESTadmin0123456789abcdefGHIJ"
)

// rig is an organization on the test server and a profile that reaches it, with its key and
// its admin key in a mock keychain.
type rig struct {
	server *chattest.Server
	org    *chattest.Org
	deps   Deps
	prof   settings.Profile
	dir    string
	now    time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	keyring.MockInit()
	now := time.Date(2026, 12, 10, 15, 30, 0, 0, time.UTC)
	org := chattest.DefaultOrg(adminKey, apiKey, now)
	s := chattest.New(chattest.Options{Org: org, Now: func() time.Time { return now }})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	prefs, err := settings.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	meter, _ := settings.OpenMeter(filepath.Join(dir, "data"), func() time.Time { return now })
	p := prefs.Prefs().CurrentProfile()
	p.BaseURL = ts.URL + "/v1"
	prefs.SaveProfile(p)
	keys := settings.NewKeys(settings.SystemKeyring{})
	keys.Delete(p.ID)
	keys.DeleteAdmin(p.ID)
	keys.Unstage(p.ID)
	if err := keys.Set(p.ID, apiKey); err != nil {
		t.Fatal(err)
	}
	if err := keys.SetAdmin(p.ID, adminKey); err != nil {
		t.Fatal(err)
	}
	noSleep := func(context.Context, time.Duration) error { return nil }
	d := Deps{
		Prefs: prefs, Keys: keys, Meter: meter, Now: func() time.Time { return now },
		Admin: func(p settings.Profile, key string) *chat.Admin {
			return chat.NewAdmin(chat.Config{BaseURL: p.BaseURL, APIKey: key, Sleep: noSleep, Now: func() time.Time { return now }})
		},
		Test: func(ctx context.Context, p settings.Profile, key string) error {
			_, err := chat.New(chat.Config{BaseURL: p.BaseURL, APIKey: key, Sleep: noSleep, MaxRetries: -1}, nil).Models(ctx)
			var ce *chat.Error
			if errors.As(err, &ce) && ce.Kind == chat.InvalidKey {
				return fmt.Errorf("%w: %w", settings.ErrKeyRefused, err)
			}
			return err
		},
	}
	return &rig{server: s, org: org, deps: d, prof: p, dir: dir, now: now}
}

// ask sends one question with the profile's key, as Parley would.
func (r *rig) ask(t *testing.T, model string) {
	t.Helper()
	key, _, _ := r.deps.Keys.Get(r.prof.ID)
	c := chat.New(chat.Config{BaseURL: r.prof.BaseURL, APIKey: key, API: chat.APIChat}, nil)
	for e := range c.Stream(context.Background(), chat.Request{Model: model, Messages: []chat.Message{{Role: chat.User, Content: "hello there"}}}) {
		if d, ok := e.(chat.Done); ok && d.Answer.Err != nil {
			t.Fatal(d.Answer.Err)
		}
	}
}

// The figures are the organization's, not only Parley's: the month's spend of the organization
// and the project (what other apps spent included), against the project's or the
// organization's limit, projected to the month's end; usage by model and by key; the project's
// own rate limits, which then drive the meter.
func TestOverviewIsTheAccountsOwn(t *testing.T) {
	r := newRig(t)
	r.org.PageSize = 4 // every list and every bucketed figure comes in several pages
	r.ask(t, "gpt-4o-mini")
	o, err := Fetch(context.Background(), r.deps, r.prof)
	if err != nil {
		t.Fatal(err)
	}
	if o.Project.ID != "proj_parley" || len(o.Warnings) != 0 {
		t.Fatalf("project %+v warnings %v", o.Project, o.Warnings)
	}
	// Worked out from the seed: days 1..9 of December (the 10th is today) are days n = 9..1 back,
	// each gpt-4o-mini 0.09+0.001n and gpt-5.6-sol 0.25; plus what the server served today.
	want := 0.0
	for n := 1; n <= 9; n++ {
		want += 0.09 + 0.001*float64(n) + 0.25
	}
	if o.ProjectMonth < want || o.ProjectMonth > want+0.001 || math.Abs(o.OrgMonth-o.ProjectMonth) > 1e-9 {
		t.Fatalf("month %v (org %v), want %v and a little", o.ProjectMonth, o.OrgMonth, want)
	}
	if want := o.ProjectMonth / (9 + 15.5/24) * 31; math.Abs(o.Projected-want) > 1e-6 {
		t.Fatalf("projected %v, want %v", o.Projected, want)
	}
	if o.Limit != 500 || o.LimitSource != "the organization's spend limit" {
		t.Fatalf("limit %v from %q", o.Limit, o.LimitSource)
	}
	if len(o.Days) != 30 || !o.Days[29].Date.Equal(r.now.Truncate(24*time.Hour)) || o.Days[28].USD < 0.34 {
		t.Fatalf("days %+v", o.Days[27:])
	}
	if len(o.Models) != 2 || o.Models[0].Model != "gpt-4o-mini" || o.Models[0].Today.Requests != 1 || o.Models[1].Month.CacheWrite != 9*8_000 {
		t.Fatalf("models %+v", o.Models)
	}
	var yours, scripts *KeyUsage
	for i := range o.Keys {
		switch o.Keys[i].ID {
		case "key_user":
			yours = &o.Keys[i]
		case "key_scripts":
			scripts = &o.Keys[i]
		}
	}
	if yours == nil || !yours.Yours || yours.Last24.Requests != 1 || yours.Hours[23] == 0 || scripts == nil || scripts.Yours || scripts.Month.Requests != 9*120 {
		t.Fatalf("keys %+v", o.Keys)
	}
	if len(o.RateLimits) != 3 {
		t.Fatalf("rate limits %+v", o.RateLimits)
	}
	reading := r.deps.Meter.Reading(r.prof, "gpt-5.6-sol")
	if reading.RPM.Limit != 1_000 || reading.RPD.Limit != 20_000 || !strings.Contains(reading.Source, "project's own limits") {
		t.Fatalf("meter %+v", reading)
	}
	if n := r.server.AdminRequests()["GET /v1/organization/usage/completions"]; n < 4 {
		t.Fatalf("usage read in %d requests: the pages were not followed", n)
	}
}

// A rotation makes a new key, tests it, swaps it in, and revokes the old one; nothing of either
// key is written to a file.
func TestRotateInOneStep(t *testing.T) {
	r := newRig(t)
	var steps []string
	res, err := Rotate(context.Background(), r.deps, r.prof, func(s string) { steps = append(steps, s) })
	if err != nil {
		t.Fatal(err)
	}
	newKey, _, _ := r.deps.Keys.Get(r.prof.ID)
	if !res.Revoked || newKey == apiKey || !strings.HasPrefix(newKey, "sk-svcacct-") || res.OldKey.ID != "key_user" || len(steps) != 4 {
		t.Fatalf("%+v key %s steps %q", res, settings.Mask(newKey), steps)
	}
	if r.server.KeyValid(apiKey) || !r.server.KeyValid(newKey) {
		t.Fatal("the old key still works, or the new one does not")
	}
	if j, _ := r.deps.Prefs.Rotation(); j != nil {
		t.Fatalf("the journal stayed: %+v", j)
	}
	if staged, _ := r.deps.Keys.Staged(r.prof.ID); staged != "" {
		t.Fatal("the staged key stayed in the keychain")
	}
	r.ask(t, "gpt-4o-mini") // the new key answers
	filepath.Walk(r.dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			if bytes.Contains(data, []byte(apiKey)) || bytes.Contains(data, []byte(newKey)) || bytes.Contains(data, []byte(adminKey)) {
				t.Errorf("%s holds a key", path)
			}
		}
		return nil
	})
}

// A rotation that fails at any step leaves a working key and says where things stand.
func TestARotationThatFailsLeavesAWorkingKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   chattest.Fault
		says    string
		swapped bool
	}{
		{"making the new key fails", chattest.Fault{Kind: chattest.Status, Status: 500, Path: "/v1/organization/projects/proj_parley/service_accounts", Times: 3}, "no new key could be made", false},
		{"the new key fails its test", chattest.Fault{Kind: chattest.Status, Status: 503, Path: "/v1/models", Times: 3}, "did not pass its test", false},
		{"revoking the old key fails", chattest.Fault{Kind: chattest.Status, Status: 500, Path: "/v1/organization/projects/proj_parley/api_keys/key_user", Times: 3}, "could not be revoked", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.server.Fault(tc.fault)
			res, err := Rotate(context.Background(), r.deps, r.prof, nil)
			key, _, _ := r.deps.Keys.Get(r.prof.ID)
			if !r.server.KeyValid(key) {
				t.Fatalf("the profile's key %s does not work", settings.Mask(key))
			}
			if tc.swapped {
				if err != nil || res.Revoked || !strings.Contains(res.Remaining, tc.says) || key == apiKey {
					t.Fatalf("%+v %v", res, err)
				}
				// The next start finishes it.
				msg, err := Resume(context.Background(), r.deps)
				if err != nil || !strings.Contains(msg, "revoked") || r.server.KeyValid(apiKey) {
					t.Fatalf("resume: %q %v", msg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "old key") && !strings.Contains(err.Error(), "works as before") || key != apiKey {
				t.Fatalf("err %v, key %s", err, settings.Mask(key))
			}
			if j, _ := r.deps.Prefs.Rotation(); j != nil {
				t.Fatalf("journal %+v", j)
			}
			keys := 0
			for _, p := range r.org.Projects {
				keys += len(p.Keys)
			}
			if keys != 2 {
				t.Fatalf("%d keys in the project after an undone rotation", keys)
			}
		})
	}
}

// A rotation a crash cut short is finished, or undone, at the next start.
func TestARotationCutShortIsFinishedOrUndone(t *testing.T) {
	r := newRig(t)
	// Cut after the new key was made and staged, before its test.
	made, err := r.deps.Admin(r.prof, adminKey).CreateServiceAccount(context.Background(), "proj_parley", "Parley (crashed)")
	if err != nil {
		t.Fatal(err)
	}
	r.deps.Keys.Stage(r.prof.ID, made.Value)
	r.deps.Prefs.SaveRotation(settings.Rotation{Profile: r.prof.ID, Project: "proj_parley", Step: settings.RotationStaged, OldKeyID: "key_user", NewAccountID: made.AccountID, NewKeyID: made.KeyID, Started: r.now})
	msg, err := Resume(context.Background(), r.deps)
	key, _, _ := r.deps.Keys.Get(r.prof.ID)
	if err != nil || !strings.Contains(msg, "finished") || key != made.Value || r.server.KeyValid(apiKey) {
		t.Fatalf("%q %v key %s", msg, err, settings.Mask(key))
	}

	// Cut while the new key was being made: it is unknown, and goes; the key stays.
	r2 := newRig(t)
	made2, _ := r2.deps.Admin(r2.prof, adminKey).CreateServiceAccount(context.Background(), "proj_parley", "Parley (crashed)")
	r2.deps.Prefs.SaveRotation(settings.Rotation{Profile: r2.prof.ID, Project: "proj_parley", Step: settings.RotationCreating, OldKeyID: "key_user", NewAccountID: made2.AccountID, Started: r2.now})
	msg, err = Resume(context.Background(), r2.deps)
	key, _, _ = r2.deps.Keys.Get(r2.prof.ID)
	if err != nil || !strings.Contains(msg, "undone") || key != apiKey || r2.server.KeyValid(made2.Value) || !r2.server.KeyValid(apiKey) {
		t.Fatalf("%q %v", msg, err)
	}
}

// The wrong key in the wrong place is told for what it is.
func TestKeysInTheWrongPlace(t *testing.T) {
	r := newRig(t)
	if err := r.deps.Keys.Set(r.prof.ID, adminKey); !errors.Is(err, settings.ErrAdminKeyAsAPIKey) {
		t.Fatalf("an admin key went in as the API key: %v", err)
	}
	if err := r.deps.Keys.SetAdmin(r.prof.ID, apiKey); !errors.Is(err, settings.ErrAPIKeyAsAdminKey) {
		t.Fatalf("an API key went in as the admin key: %v", err)
	}
	// Given to the other endpoint anyway, each is refused with words that say which it is.
	_, err := chat.NewAdmin(chat.Config{BaseURL: r.prof.BaseURL, APIKey: apiKey}).Projects(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not an admin key") {
		t.Fatalf("%v", err)
	}
	c := chat.New(chat.Config{BaseURL: r.prof.BaseURL, APIKey: adminKey}, nil)
	if _, err := c.Models(context.Background()); err == nil || !strings.Contains(chat.Describe(err), "refused") {
		t.Fatalf("%v", err)
	}
	// A read-only admin key reads, and is told it cannot change anything.
	r.org.ReadOnly = true
	if _, err := Fetch(context.Background(), r.deps, r.prof); err != nil {
		t.Fatal(err)
	}
	if _, err := Rotate(context.Background(), r.deps, r.prof, nil); err == nil || !strings.Contains(err.Error(), "may not do that") {
		t.Fatalf("%v", err)
	}
}

// A 429 on the Admin API is waited for and retried, as on the model endpoints.
func TestAdminAPIRetriesA429(t *testing.T) {
	r := newRig(t)
	r.server.Fault(chattest.Fault{Kind: chattest.RateLimit, RetryAfterMS: "10", Path: "/v1/organization/projects"})
	if _, err := Fetch(context.Background(), r.deps, r.prof); err != nil {
		t.Fatal(err)
	}
	// An organization without projects says so.
	r.org.Projects = nil
	if _, err := Fetch(context.Background(), r.deps, r.prof); err == nil || !strings.Contains(err.Error(), "no projects") {
		t.Fatalf("%v", err)
	}
}
