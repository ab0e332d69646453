package views

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"parley/account"
	"parley/chat"
	"parley/chat/ask"
	"parley/chat/batch"
	"parley/chat/chattest"
	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/widgets"
)

const testKey = "sk-proj-viewsTESTkey0123456789abcdefWXYZ"

// testTransport carries the test clients' requests (nil: Go's default); benchmarks time bytes
// as they arrive through it.
var testTransport http.RoundTripper

// uiQueue holds what background goroutines hand to the UI; settle runs it on the test's
// goroutine, as Fyne's event loop would.
var uiQueue = make(chan func(), 4096)

func init() { bridge.UseQueue(uiQueue) }

// newTestApp is a Fyne test app in Parley's theme for one test. UI work the test left queued is
// dropped when it ends: run in the next test, it would meet another app.
func newTestApp(t testing.TB) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(widgets.NewTheme())
	bridge.UseQueue(uiQueue)
	t.Cleanup(func() {
		for {
			select {
			case <-uiQueue:
			default:
				return
			}
		}
	})
	return a
}

// settle runs queued UI work until nothing arrives for a while, or fails after timeout.
func settle(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f := <-uiQueue:
			f()
		case <-time.After(150 * time.Millisecond):
			return
		case <-deadline:
			t.Fatal("the UI did not settle")
		}
	}
}

// settleUntil runs queued UI work until done reports true.
func settleUntil(t testing.TB, timeout time.Duration, done func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for !done() {
		select {
		case f := <-uiQueue:
			f()
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("timed out waiting for the UI")
		}
	}
}

// modelInfo is what app's modelInfo gives the engine: the catalog's row.
func modelInfo(id string) chat.ModelInfo {
	m := settings.LookupModel(id)
	return chat.ModelInfo{ID: id, ContextWindow: m.ContextWindow, MaxOutput: m.MaxOutput, Encoding: m.Encoding, Reasoning: m.Reasoning(),
		Efforts: m.Efforts, Pro: m.Pro, ServiceTiers: m.ServiceTiers,
		Price: chat.Price{Input: m.Price.Input, CachedInput: m.Price.Cached, CacheWrite: m.Price.CacheWrite, Output: m.Price.Output, Known: m.Known()}}
}

// catalogFeed is where the test window's "Update model catalog" reads (a test sets it).
var catalogFeed = "http://127.0.0.1:9/unreachable.json"

// newTestMain builds the main window on the test driver, with its own folders, a mock keychain
// holding a key, and the test server.
func newTestMain(t testing.TB, opts chattest.Options) (*Main, *chattest.Server, *store.Store) {
	t.Helper()
	a := newTestApp(t)
	keyring.MockInit()
	dir := t.TempDir()
	prefs, err := settings.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	meter, _ := settings.OpenMeter(filepath.Join(dir, "data"), nil)
	presets, _, _ := settings.OpenPresets(filepath.Join(dir, "config"))
	hist, err := store.Open(filepath.Join(dir, "data", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	if opts.Key == "" {
		opts.Key = testKey
	}
	srv := chattest.New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	p := prefs.Prefs().CurrentProfile()
	p.BaseURL = ts.URL + "/v1"
	prefs.SaveProfile(p)
	keys := settings.NewKeys(settings.SystemKeyring{}) // go-keyring's mock
	keys.Set(p.ID, testKey)
	clientFor := func(p settings.Profile, e settings.Endpoint) *chat.Client {
		return chat.New(chat.Config{BaseURL: e.BaseURL, APIKey: e.Key, Models: modelInfo, Transport: testTransport, API: p.API}, nil)
	}
	svc := &Services{
		Prefs: prefs, Keys: keys, Meter: meter, Presets: presets,
		History: func() (*store.Store, error) { return hist, nil },
		Client: func(p settings.Profile) (*chat.Client, settings.Endpoint) {
			e := keys.Resolve(p)
			return clientFor(p, e), e
		},
		Models: modelInfo,
		Asker: ask.New(ask.Deps{
			History: func() (*store.Store, error) { return hist, nil },
			Models:  modelInfo,
			Record: func(profile, model string, a chat.Answer) error {
				return meter.Record(settings.Spend{Profile: profile, Model: model, Requests: 1, PromptTokens: a.Usage.PromptTokens, CompletionTokens: a.Usage.CompletionTokens, CostUSD: a.Cost.USD})
			},
		}),
		TestKey: func(ctx context.Context, p settings.Profile, key string) error {
			e := keys.Where(p)
			e.Key = key
			ids, err := clientFor(p, e).Models(ctx)
			var ce *chat.Error
			if errors.As(err, &ce) && ce.Kind == chat.InvalidKey {
				return fmt.Errorf("%w: %w", settings.ErrKeyRefused, err)
			}
			if err == nil {
				prefs.RememberModels(p.ID, ids, time.Now())
			}
			return err
		},
	}
	svc.Batches = batch.New(batch.Deps{History: svc.History})
	svc.FollowPending = func(ctx context.Context, started func(store.Message, *ask.Run, context.CancelFunc)) {
		pending, _ := svc.Asker.Pending()
		for _, msg := range pending {
			p := prefs.Prefs().CurrentProfile()
			client, _ := svc.Client(p)
			runCtx, cancel := context.WithCancel(ctx)
			run, ok, err := svc.Asker.Follow(runCtx, client, msg, ask.Following{})
			if err != nil || !ok {
				cancel()
				continue
			}
			started(msg, run, cancel)
		}
	}
	svc.Account = func() account.Deps {
		return account.Deps{Prefs: prefs, Keys: keys, Meter: meter, Test: svc.TestKey,
			Admin: func(p settings.Profile, key string) *chat.Admin {
				return chat.NewAdmin(chat.Config{BaseURL: keys.Where(p).BaseURL, APIKey: key, Transport: testTransport, Sleep: func(context.Context, time.Duration) error { return nil }})
			}}
	}
	svc.TestAdminKey = func(ctx context.Context, p settings.Profile, key string) error {
		_, err := svc.Account().Admin(p, key).Projects(ctx)
		var ce *chat.Error
		if errors.As(err, &ce) && ce.Kind == chat.InvalidKey {
			return fmt.Errorf("%w: %w", settings.ErrKeyRefused, err)
		}
		return err
	}
	svc.UpdateCatalog = func(ctx context.Context) (*settings.Catalog, error) {
		return settings.UpdateCatalog(ctx, http.DefaultClient, catalogFeed, filepath.Join(dir, "config"), time.Now())
	}
	m := NewMain(a, NewWindow(a, prefs), svc)
	t.Cleanup(m.Shutdown) // no answer goes on writing into the next test
	m.Window.Resize(fyne.NewSize(1000, 720))
	settle(t, 5*time.Second)
	return m, srv, hist
}
