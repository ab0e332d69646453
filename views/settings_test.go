package views

import (
	"strings"
	"testing"
	"time"

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

	// Rotate the key: typed in the password field, saved, tested against the server.
	const rotated = "sk-proj-rotatedKEY0123456789abcdefZZZZ"
	test.Type(s.keyEntry, rotated)
	if !s.keyEntry.Password {
		t.Fatal("the key field is not a password field")
	}
	s.saveKey()
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(s.keyStatus.String(), "valid:") || strings.Contains(s.keyStatus.String(), "refused")
	})
	if st := s.keyStatus.String(); !strings.Contains(st, "refused") { // the server only takes the first key
		t.Fatalf("status %q", st)
	}
	if got, _, _ := m.svc.Keys.Get(m.profile().Name); got != rotated {
		t.Fatal("the rotated key is not in the keychain")
	}
	if s.keyEntry.Text != "" {
		t.Fatal("the key stays in the field after saving")
	}

	// Custom limits show their fields and drive the meter.
	if s.custom.Visible() {
		t.Fatal("custom fields shown for Tier 1")
	}
	s.tier.SetSelected(settings.TierCustom.Label())
	if !s.custom.Visible() {
		t.Fatal("custom fields hidden for Custom")
	}
	s.rpm.SetText("10")
	s.tpm.SetText("1,000")
	s.budget.SetText("$5")
	s.saveCustom()
	p := m.profile()
	if p.Tier != settings.TierCustom || p.Custom.RPM != 10 || p.Custom.TPM != 1000 || p.Custom.MonthlyBudget != 5 {
		t.Fatalf("custom limits %+v", p.Custom)
	}
	m.svc.Meter.Record(settings.Spend{Profile: p.Name, Model: m.conversation.model(), Requests: 9, PromptTokens: 500, CostUSD: 4.5})
	s.refreshMeter()
	if s.rpmBar.Text() != "9 / 10" || s.rpmBar.gauge.Level() != settings.LevelWarn || s.bud.gauge.Level() != settings.LevelWarn {
		t.Fatalf("meter %q %v", s.rpmBar.Text(), s.rpmBar.gauge)
	}
	test.AssertObjectRendersToMarkup(t, "settings_meter.xml", s.rpmBar)

	// Profiles: add one, switch to it, and back.
	if err := m.svc.Prefs.AddProfile(settings.NewProfile("local")); err != nil {
		t.Fatal(err)
	}
	s.show()
	if len(s.profiles.Options) != 2 {
		t.Fatalf("profiles %v", s.profiles.Options)
	}
	s.profiles.SetSelected("local")
	settle(t, 2*time.Second)
	if m.profile().Name != "local" {
		t.Fatal("the profile did not switch")
	}
}
