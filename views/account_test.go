package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/chat/chattest"
)

const testAdminKey = "sk-admin-viewsTESTadmin0123456789abcdefQR"

// The account in Settings: without an admin key the meter says it counts this app only; a key
// of the wrong kind is refused with words that say where it goes; with the admin key the
// account's own figures show, the project's limits drive the meter, the project's keys list
// with their last day, and the key rotates in one step.
func TestTheAccountInSettings(t *testing.T) {
	org := chattest.DefaultOrg(testAdminKey, testKey, time.Now())
	m, srv, _ := newTestMain(t, chattest.Options{Org: org})
	m.ShowSettings()
	a := m.settings.account
	settleUntil(t, 5*time.Second, func() bool { return strings.Contains(a.where.String(), "this app only") })

	a.adminKey.SetText(testKey)
	a.saveAdminKey()
	settleUntil(t, 5*time.Second, func() bool { return strings.Contains(a.status.String(), "Not saved") })
	if !strings.Contains(a.status.String(), "API key, not an admin key") {
		t.Fatalf("status %q", a.status.String())
	}
	a.adminKey.SetText(testAdminKey)
	a.saveAdminKey()
	settleUntil(t, 10*time.Second, func() bool { return strings.Contains(a.asOf.String(), "Project Parley, as of") })
	if !strings.Contains(a.where.String(), "sk-…OPQR") && !strings.Contains(a.where.String(), "Admin key: sk-") {
		t.Fatalf("where %q", a.where.String())
	}
	if !strings.Contains(a.org.String(), "the organization's spend limit") || !strings.Contains(a.models.String(), "gpt-4o-mini") {
		t.Fatalf("figures %q / %q", a.org.String(), a.models.String())
	}
	settleUntil(t, 5*time.Second, func() bool { return strings.Contains(m.settings.meterFor.String(), "project's own limits") })

	a.showKeys()
	markup := test.RenderToMarkup(m.Window.Canvas())
	if !strings.Contains(markup, "laptop (this profile's key)") || !strings.Contains(markup, "nightly scripts") || strings.Contains(markup, testKey) {
		t.Fatal("the keys dialog does not list the project's keys")
	}
	m.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	a.rotateInOneStep(m.profile())
	m.dialogs[len(m.dialogs)-1].confirm()
	settleUntil(t, 10*time.Second, func() bool {
		return strings.Contains(a.status.String(), "now uses a new key") || strings.Contains(a.status.String(), "stopped")
	})
	if !strings.Contains(a.status.String(), "now uses a new key") {
		t.Fatalf("status %q", a.status.String())
	}
	if srv.KeyValid(testKey) {
		t.Fatal("the old key was not revoked")
	}
	if key, _, _ := m.svc.Keys.Get(m.profile().ID); key == testKey || !srv.KeyValid(key) {
		t.Fatal("the profile does not use a working new key")
	}
}
