package settings

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func feedServer(t *testing.T, body string, status int) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/api.json"
}

// An update takes OpenAI's chat models from a models.dev catalog: new models come in, known ones
// are brought up to date, the rows it gets wrong are corrected, nothing is dropped, and the
// result is kept for the next start.
func TestUpdateCatalog(t *testing.T) {
	dir := t.TempDir()
	defer LoadCatalog(t.TempDir())
	feed, _ := os.ReadFile(filepath.Join("testdata", "modelsdev.json"))
	before := len(CatalogModels())
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	c, err := UpdateCatalog(context.Background(), http.DefaultClient, feedServer(t, string(feed), 200), dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Date != "2026-12-02" || !strings.Contains(c.Source, "models.dev") {
		t.Fatalf("dated %s from %q", c.Date, c.Source)
	}
	if n := len(CatalogModels()); n != before+1 {
		t.Fatalf("%d models after the update, %d before: one new one expected, none dropped", n, before)
	}
	nova := LookupModel("gpt-6.3-nova")
	if !nova.Known() || nova.Price.CacheWrite != 3.75 || nova.LongContext == nil || nova.LongContext.Above != 272_000 ||
		nova.LongContext.Input != 2 || nova.LongContext.Output != 1.5 || nova.DefaultEffort != "medium" || nova.Family != "flagship" || !nova.Vision || nova.Files {
		t.Fatalf("new model %+v %+v", nova, nova.LongContext)
	}
	// models.dev's stale Luna row is corrected to OpenAI's page; Sol 6.2's "none" is dropped.
	if luna := LookupModel("gpt-5.6-luna"); luna.Price.Input != 0.20 || luna.Price.CacheWrite != 0.25 || !luna.Accepts("max") {
		t.Fatalf("luna %+v", luna)
	}
	if sol := LookupModel("gpt-6.2-sol"); sol.Accepts("none") {
		t.Fatal("the correction of gpt-6.2-sol was lost")
	}
	if LookupModel("text-embedding-3-small").Known() || LookupModel("gpt-image-1").Known() || LookupModel("claude-x").Known() {
		t.Fatal("a model that does not chat, or is not OpenAI's, came in")
	}
	if LookupModel("gpt-4o").Price.Input != 2.5 {
		t.Fatal("a model the feed does not list was changed or dropped")
	}
	// The next start reads it back.
	LoadCatalog(t.TempDir())
	if LookupModel("gpt-6.3-nova").Known() {
		t.Fatal("the built-in catalog knows nova")
	}
	if w := LoadCatalog(dir); w != "" || !LookupModel("gpt-6.3-nova").Known() {
		t.Fatalf("the kept catalog was not read back: %q", w)
	}
	if info, _ := os.Stat(filepath.Join(dir, catalogFile)); info.Mode().Perm() != 0o600 {
		t.Fatalf("catalog file mode %v", info.Mode())
	}
}

// A failed update says why and changes nothing.
func TestAFailedUpdateKeepsTheCatalog(t *testing.T) {
	defer LoadCatalog(t.TempDir())
	now := time.Now()
	for _, tc := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"an error page", "<html>Bad gateway</html>", 502, "502"},
		{"not JSON", "<html>a captive portal</html>", 200, "expected form"},
		{"no OpenAI models", `{"anthropic": {"models": {}}}`, 200, "no OpenAI models"},
		{"an absurd price", `{"openai": {"models": {"gpt-4o": {"id": "gpt-4o", "cost": {"input": -5, "output": 10}, "limit": {"context": 128000, "output": 16384}}}}}`, 200, "out of range"},
	} {
		dir := t.TempDir()
		_, err := UpdateCatalog(context.Background(), http.DefaultClient, feedServer(t, tc.body, tc.status), dir, now)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, catalogFile)); err == nil {
			t.Errorf("%s: a refused catalog was kept", tc.name)
		}
		if LookupModel("gpt-4o").Price.Input != 2.5 {
			t.Errorf("%s: the catalog in use changed", tc.name)
		}
	}
	_, err := UpdateCatalog(context.Background(), http.DefaultClient, "http://127.0.0.1:9/api.json", t.TempDir(), now)
	if err == nil || !strings.Contains(err.Error(), "could not be fetched") {
		t.Fatalf("unreachable: %v", err)
	}
}
