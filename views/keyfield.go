package views

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/bridge"
)

// keyField is an API key's entry and what saving it says and offers: the key is tested before
// it is stored (settings.Keys.SaveTested); one that could not be tested may be saved untested,
// and one the keychain cannot keep may be used for this session only. The first-run card and
// Settings both take keys through it.
type keyField struct {
	m        *Main
	entry    *widget.Entry
	status   *widget.RichText
	untested *widget.Button // "Save untested", shown when the server could not be asked
	session  *widget.Button // "Use for this session only", shown when the keychain cannot be used

	// target is the profile the key is for, as it will be saved (the first-run card adds the
	// server address typed below the key).
	target func() (settings.Profile, error)
	// prepare runs off the UI goroutine before the key is stored (nil: nothing to do).
	prepare func(settings.Profile) error
	// saved follows a stored key (or one used for this session); stale drops the result of a
	// save for a profile the screen has moved away from.
	saved func(p settings.Profile, key string, how string)
	stale func(settings.Profile) bool
}

func newKeyField(m *Main, placeholder string) *keyField {
	k := &keyField{m: m, entry: widget.NewPasswordEntry(), status: widget.NewRichText(),
		target: func() (settings.Profile, error) { return m.profile(), nil },
		stale:  func(settings.Profile) bool { return false },
	}
	k.entry.SetPlaceHolder(placeholder)
	k.entry.OnSubmitted = func(string) { k.save(false) }
	k.status.Wrapping = fyne.TextWrapWord
	k.untested = &widget.Button{Text: "Save untested", OnTapped: func() { k.save(true) }}
	k.untested.Hide()
	k.session = &widget.Button{Text: "Use for this session only", OnTapped: k.useForSession}
	k.session.Hide()
	return k
}

// reset forgets what was said about another profile's key.
func (k *keyField) reset() {
	k.entry.SetText("")
	setStatus(k.status, "", false)
	k.untested.Hide()
	k.session.Hide()
}

// save tests the typed key against the profile's endpoint and stores it once the server takes
// it; untested stores it without asking.
func (k *keyField) save(untested bool) {
	key := k.entry.Text
	if _, err := settings.CleanKey(key); err != nil {
		setStatus(k.status, "Not saved: "+err.Error()+".", true)
		return
	}
	p, err := k.target()
	if err != nil {
		setStatus(k.status, "Not saved: "+plain(err), true)
		return
	}
	k.untested.Hide()
	if untested {
		setStatus(k.status, "Saving to the keychain…", false)
	} else {
		setStatus(k.status, "Testing the key with "+k.m.svc.Keys.Where(p).URL()+"…", false)
	}
	svc, prepare := k.m.svc, k.prepare
	bridge.Work(func() error {
		if prepare != nil {
			if err := prepare(p); err != nil {
				return err
			}
		}
		if untested {
			return svc.Keys.Set(p.ID, key)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return svc.Keys.SaveTested(ctx, p, key, svc.TestKey)
	}, func(err error) {
		if k.stale(p) {
			return
		}
		if err != nil {
			k.failed(err)
			return
		}
		k.entry.SetText("")
		k.session.Hide()
		how := "Tested and saved to the keychain: "
		if untested {
			how = "Saved to the keychain, untested: "
		}
		setStatus(k.status, how+settings.Mask(key)+".", false)
		k.saved(p, key, how)
	})
}

// failed says why the key was not stored, and offers what can still be done.
func (k *keyField) failed(err error) {
	setStatus(k.status, "Not saved: "+plain(err), true)
	var ke *settings.KeychainError
	var ue *settings.UntestedError
	switch {
	case errors.As(err, &ke):
		k.session.Show()
	case errors.As(err, &ue):
		k.untested.Show()
	}
}

// useForSession holds the typed key in memory for this session: never written anywhere.
func (k *keyField) useForSession() {
	p, err := k.target()
	if err == nil {
		err = k.m.svc.Keys.SetSession(p.ID, k.entry.Text)
	}
	if err != nil {
		setStatus(k.status, "Not used: "+plain(err), true)
		return
	}
	key := k.entry.Text
	k.entry.SetText("")
	setStatus(k.status, "Using "+settings.Mask(key)+" for this session only. It is not saved anywhere.", false)
	k.saved(p, key, "session")
}
