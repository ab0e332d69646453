package views

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
	"parley/settings"
)

func TestSettingsViewKeyTierAndMeter(t *testing.T) {
	m, _, _ := newTestMain(t, chattest.Options{RPM: 4})
	m.ShowSettings()
	s := m.settings
	settleUntil(t, 5*time.Second, func() bool { return strings.Contains(s.keyWhere.String(), "Stored in the system keychain") })
	if w := s.keyWhere.String(); !strings.Contains(w, settings.Mask(testKey)) || strings.Contains(w, testKey) {
		t.Fatalf("key shown as %q", w)
	}

	// A mistyped key is tested first and refused: the working key stays in the keychain.
	const typo = "sk-proj-rotatedKEY0123456789abcdefZZZZ"
	test.Type(s.key.entry, typo)
	if !s.key.entry.Password {
		t.Fatal("the key field is not a password field")
	}
	s.key.save(false)
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(s.key.status.String(), "Not saved") })
	if st := s.key.status.String(); !strings.Contains(st, "refused") || strings.Contains(st, typo) {
		t.Fatalf("status %q", st)
	}
	if got, _, _ := m.svc.Keys.Get(m.profile().ID); got != testKey {
		t.Fatalf("the refused key replaced the working one: %q", got)
	}
	// The right key passes the test and is kept.
	s.key.entry.SetText(testKey)
	s.key.save(false)
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(s.key.status.String(), "Tested and saved") })
	if s.key.entry.Text != "" {
		t.Fatal("the key stays in the field after saving")
	}

	// Custom limits show their fields, apply once saved, and drive the meter.
	if s.custom.Visible() {
		t.Fatal("custom fields shown for Tier 1")
	}
	s.tier.SetSelected(settings.TierCustom.Label())
	if !s.custom.Visible() {
		t.Fatal("custom fields hidden for Custom")
	}
	for _, label := range []string{"Requests per minute", "Tokens per minute", "Requests per day", "Monthly budget"} {
		if !strings.Contains(test.RenderObjectToMarkup(s.custom), ">"+label+"<") {
			t.Errorf("the custom limits have no %q label", label)
		}
	}
	settle(t, time.Second)
	if m.profile().Tier == settings.TierCustom {
		t.Fatal("Custom applied before its limits were saved")
	}
	s.rpm.SetText("10")
	s.tpm.SetText("1,000")
	s.budget.SetText("$5")
	s.saveCustom()
	settleUntil(t, 5*time.Second, func() bool { return m.profile().Tier == settings.TierCustom })
	p := m.profile()
	if p.Custom.RPM != 10 || p.Custom.TPM != 1000 || p.Custom.MonthlyBudget != 5 {
		t.Fatalf("custom limits %+v", p.Custom)
	}
	m.svc.Meter.Record(settings.Spend{Profile: p.ID, Model: m.conversation.model(), Requests: 9, PromptTokens: 500, CostUSD: 4.5})
	s.refreshMeter()
	if s.rpmBar.Text() != "9 / 10" || s.rpmBar.Level() != settings.LevelWarn || s.bud.Level() != settings.LevelWarn {
		t.Fatalf("meter %q", s.rpmBar.Text())
	}
	test.AssertObjectRendersToMarkup(t, "settings_meter.xml", s.rpmBar)

	// Profiles: add one, switch to it: the first profile's status line does not follow.
	setStatus(s.key.status, "valid: 12 chat models at the first profile's server", false)
	if _, err := m.svc.Prefs.AddProfile(settings.NewProfile("local")); err != nil {
		t.Fatal(err)
	}
	s.show()
	if len(s.profiles.Options) != 2 {
		t.Fatalf("profiles %v", s.profiles.Options)
	}
	s.profiles.SetSelected("local")
	settleUntil(t, 5*time.Second, func() bool { return m.profile().Name == "local" })
	settle(t, time.Second)
	if st := s.key.status.String(); st != "" {
		t.Fatalf("another profile's status follows: %q", st)
	}
	if w := s.keyWhere.String(); !strings.Contains(w, "No key yet") {
		t.Fatalf("key line %q", w)
	}
}

// Renaming a profile keeps its conversations and its spend: they hang on its ID.
func TestRenamedProfileKeepsItsHistoryAndSpend(t *testing.T) {
	m, srv, hist := newTestMain(t, chattest.Options{})
	id := m.profile().ID
	if err := m.svc.Prefs.RenameProfile(id, "work"); err != nil {
		t.Fatal(err)
	}
	m.profileSwitched()
	settle(t, 2*time.Second)
	srv.Reply("An answer that costs something.")
	v := m.conversation
	test.Type(v.composer, "After the rename")
	v.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settleUntil(t, 10*time.Second, func() bool { return !v.busy && len(v.items) == 2 && v.conv.ID != 0 })
	conv, _ := hist.Conversation(v.conv.ID)
	if conv.Profile != id {
		t.Fatalf("filed under %q, not the profile's ID %q", conv.Profile, id)
	}
	if r := m.svc.Meter.Reading(m.profile(), v.model()); r.TodayCost == 0 || r.TodayTokens == 0 {
		t.Fatalf("the meter lost the spend: %+v", r)
	}
	if src := v.status.source.Text; strings.Contains(src, "today $0 ") || strings.HasSuffix(src, "today $0") {
		t.Fatalf("status says %q", src)
	}
}

// The profile's protocol and storage are chosen in Settings and saved with the connection; the
// model catalog shows its date and updates, or says why not and keeps the one in use.
func TestSettingsProtocolAndCatalog(t *testing.T) {
	defer settings.LoadCatalog(t.TempDir())
	m, _, _ := newTestMain(t, chattest.Options{})
	m.ShowSettings()
	s := m.settings
	if s.api.Selected != apiChoices[0].label || s.storeResponses.Checked {
		t.Fatalf("a new profile shows %q, store %v", s.api.Selected, s.storeResponses.Checked)
	}
	if !strings.Contains(s.catalogInfo.String(), "dated "+settings.Embedded().Date) {
		t.Fatalf("catalog %q", s.catalogInfo.String())
	}
	s.api.SetSelected("Responses API")
	s.storeResponses.SetChecked(true)
	s.saveConnection()
	settleUntil(t, 5*time.Second, func() bool { return m.profile().API == settings.APIResponses })
	if !m.profile().StoreResponses {
		t.Fatal("store not saved")
	}
	settleUntil(t, 5*time.Second, func() bool { c, _ := m.client(); return c.API() == "responses" })

	// Unreachable: said, and nothing changes.
	s.updateCatalog()
	settleUntil(t, 10*time.Second, func() bool {
		return s.catalogBtn.Disabled() == false && strings.Contains(s.catalogInfo.String(), "not updated")
	})
	if settings.LookupModel("gpt-6.3-nova").Known() {
		t.Fatal("a failed update changed the catalog")
	}
	// From a models.dev catalog: a new model, and the date of today.
	feed, _ := os.ReadFile(filepath.Join("..", "settings", "testdata", "modelsdev.json"))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(feed) }))
	defer ts.Close()
	catalogFeed = ts.URL
	defer func() { catalogFeed = "http://127.0.0.1:9/unreachable.json" }()
	s.updateCatalog()
	settleUntil(t, 10*time.Second, func() bool { return settings.LookupModel("gpt-6.3-nova").Known() })
	settle(t, time.Second)
	if !strings.Contains(s.catalogInfo.String(), "dated "+time.Now().UTC().Format("2006-01-02")) || !strings.Contains(s.status(), "1 new model") {
		t.Fatalf("catalog %q, notice %q", s.catalogInfo.String(), s.status())
	}
}

func (s *settingsView) status() string { return s.m.conversation.status.notice.Text }
