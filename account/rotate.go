package account

import (
	"context"
	"errors"
	"fmt"

	"parley/chat"
	"parley/settings"
)

// Rotating a key that may be compromised, in one step and safely: a new service-account key is
// made in the profile's project, kept in the keychain beside the old one, tested with a real
// request, and only then made the profile's key; the old key is revoked last. Every step is
// written to a journal before it is taken, and each can be undone until the last, so a rotation
// cut short (a failure, a crash) leaves a working key, never two keys lost.

// Rotated says how a rotation ended.
type Rotated struct {
	NewKey    string // masked
	OldKey    chat.AdminKey
	Revoked   bool   // the old key was deleted (or its service account)
	Remaining string // what the user should still do, when anything
}

// progress tells the user where a rotation is, step by step.
type progress func(step string)

// Rotate replaces a profile's API key with a new one. say hears each step.
func Rotate(ctx context.Context, d Deps, p settings.Profile, say progress) (Rotated, error) {
	if say == nil {
		say = func(string) {}
	}
	if r, err := d.Prefs.Rotation(); err != nil {
		return Rotated{}, err
	} else if r != nil {
		return Rotated{}, fmt.Errorf("a rotation of profile %q is already under way (started %s): it is finished at the next start, or with parley key rotate --resume", r.Profile, r.Started.Local().Format("Jan 2 15:04"))
	}
	adminKey, _, err := d.Keys.GetAdmin(p.ID)
	if err != nil {
		return Rotated{}, err
	}
	if adminKey == "" {
		return Rotated{}, ErrNoAdminKey
	}
	oldKey, src, err := d.Keys.Get(p.ID)
	if err != nil {
		return Rotated{}, err
	}
	if oldKey == "" || src != settings.FromKeychain {
		return Rotated{}, errors.New("the profile's key is not in the keychain (it comes from the environment, or this session only): Parley rotates only a key it keeps")
	}
	admin := d.Admin(p, adminKey)

	say("Finding your key in the organization…")
	project, err := findProject(ctx, admin, p, oldKey)
	if err != nil {
		return Rotated{}, err
	}
	keys, err := admin.APIKeys(ctx, project.ID)
	if err != nil {
		return Rotated{}, err
	}
	var old *chat.AdminKey
	for i := range keys {
		if keys[i].Matches(oldKey) {
			if old != nil {
				return Rotated{}, fmt.Errorf("two keys of project %s look like yours (%s and %s): rotate it in the dashboard", project.Name, old.RedactedValue, keys[i].RedactedValue)
			}
			old = &keys[i]
		}
	}
	if old == nil {
		return Rotated{}, fmt.Errorf("the profile's key (%s) is not among project %s's keys: it may be revoked already", settings.Mask(oldKey), project.Name)
	}

	j := settings.Rotation{Profile: p.ID, Project: project.ID, Step: settings.RotationCreating, OldKeyID: old.ID, Started: d.now()}
	if old.Owner.ServiceAccount != nil {
		j.OldAccountID = old.Owner.ServiceAccount.ID
	}
	if err := d.Prefs.SaveRotation(j); err != nil {
		return Rotated{}, fmt.Errorf("nothing was changed: the rotation's journal could not be written: %w", err)
	}

	say("Making a new key…")
	created, err := admin.CreateServiceAccount(ctx, project.ID, "Parley "+p.Name+" ("+d.now().Format("2006-01-02 15:04")+")")
	if err != nil {
		d.Prefs.EndRotation()
		return Rotated{}, fmt.Errorf("no new key could be made, so nothing was changed and your key works as before: %s", chat.Describe(err))
	}
	j.NewAccountID, j.NewKeyID = created.AccountID, created.KeyID
	if err := d.Prefs.SaveRotation(j); err != nil {
		return Rotated{}, undo(ctx, d, admin, j, "the rotation's journal could not be written", err)
	}
	if err := d.Keys.Stage(p.ID, created.Value); err != nil {
		return Rotated{}, undo(ctx, d, admin, j, "the new key could not be put in the keychain", err)
	}
	j.Step = settings.RotationStaged
	if err := d.Prefs.SaveRotation(j); err != nil {
		return Rotated{}, undo(ctx, d, admin, j, "the rotation's journal could not be written", err)
	}
	return finish(ctx, d, admin, p, j, created.Value, *old, say)
}

// finish takes a staged rotation to its end: test, swap, revoke.
func finish(ctx context.Context, d Deps, admin *chat.Admin, p settings.Profile, j settings.Rotation, newKey string, old chat.AdminKey, say progress) (Rotated, error) {
	say("Testing the new key…")
	if err := d.Test(ctx, p, newKey); err != nil {
		return Rotated{}, undo(ctx, d, admin, j, "the new key did not pass its test", err)
	}
	if err := d.Keys.Set(p.ID, newKey); err != nil {
		return Rotated{}, undo(ctx, d, admin, j, "the new key could not replace the old one in the keychain", err)
	}
	j.Step = settings.RotationSwapped
	if err := d.Prefs.SaveRotation(j); err != nil {
		// The new key is in place and works: only the old one's revocation is left.
		return Rotated{NewKey: settings.Mask(newKey), OldKey: old, Remaining: "Revoke the old key " + old.RedactedValue + " in the dashboard."}, nil
	}
	d.Keys.Unstage(p.ID)
	say("Revoking the old key…")
	out := Rotated{NewKey: settings.Mask(newKey), OldKey: old}
	if err := revoke(ctx, admin, j); err != nil {
		out.Remaining = "The old key " + old.RedactedValue + " could not be revoked (" + chat.Describe(err) + "): Parley tries again at its next start, or revoke it in the dashboard."
		return out, nil
	}
	out.Revoked = true
	d.Prefs.EndRotation()
	return out, nil
}

// revoke deletes the old key, or the service account that owns it.
func revoke(ctx context.Context, admin *chat.Admin, j settings.Rotation) error {
	if j.OldAccountID != "" {
		return admin.DeleteServiceAccount(ctx, j.Project, j.OldAccountID)
	}
	return admin.DeleteAPIKey(ctx, j.Project, j.OldKeyID)
}

// undo takes back what a rotation made, leaving the old key as the profile's, and says what
// happened and what state things are in.
func undo(ctx context.Context, d Deps, admin *chat.Admin, j settings.Rotation, what string, cause error) error {
	d.Keys.Unstage(j.Profile)
	msg := "Rotation stopped: " + what + " (" + chat.Describe(cause) + "). Your old key is still the profile's and works."
	if j.NewAccountID != "" {
		if err := admin.DeleteServiceAccount(ctx, j.Project, j.NewAccountID); err != nil {
			msg += " The new key's service account " + j.NewAccountID + " could not be deleted: delete it in the dashboard."
		}
	}
	d.Prefs.EndRotation()
	return errors.New(msg)
}

// Resume finishes or undoes a rotation that a crash cut short, and says what it did ("" when
// there was none).
func Resume(ctx context.Context, d Deps) (string, error) {
	j, err := d.Prefs.Rotation()
	if err != nil || j == nil {
		return "", err
	}
	p, ok := d.Prefs.Prefs().Profile(j.Profile)
	if !ok {
		d.Prefs.EndRotation()
		return "", nil
	}
	adminKey, _, err := d.Keys.GetAdmin(p.ID)
	if err != nil {
		return "", err
	}
	if adminKey == "" {
		return "", errors.New("a key rotation was cut short, and the profile's admin key is gone: check the project's keys in the dashboard")
	}
	admin := d.Admin(p, adminKey)
	switch j.Step {
	case settings.RotationCreating:
		// The new key may have been made, but never kept: it is unknown, and goes.
		if j.NewAccountID != "" {
			admin.DeleteServiceAccount(ctx, j.Project, j.NewAccountID)
		}
		d.Prefs.EndRotation()
		return "A key rotation was cut short before the new key was kept: it was undone, and your key is as it was.", nil
	case settings.RotationStaged:
		staged, err := d.Keys.Staged(p.ID)
		if err != nil {
			return "", err
		}
		if staged == "" {
			return "", undo(ctx, d, admin, *j, "the new key was not in the keychain", errors.New("it was lost in the crash"))
		}
		r, err := finish(ctx, d, admin, p, *j, staged, chat.AdminKey{ID: j.OldKeyID, RedactedValue: j.OldKeyID}, func(string) {})
		if err != nil {
			return "", err
		}
		return "A key rotation cut short was finished: the profile now uses " + r.NewKey + "." + suffix(r.Remaining), nil
	case settings.RotationSwapped:
		d.Keys.Unstage(p.ID)
		if err := revoke(ctx, admin, *j); err != nil {
			return "", fmt.Errorf("the old key of a finished rotation could not be revoked yet (%s): Parley tries again at its next start", chat.Describe(err))
		}
		d.Prefs.EndRotation()
		return "A key rotation cut short was finished: the old key is revoked.", nil
	}
	d.Prefs.EndRotation()
	return "", nil
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// DeleteKey deletes one of the project's keys (or the service account that owns it).
func DeleteKey(ctx context.Context, d Deps, p settings.Profile, project string, k chat.AdminKey) error {
	adminKey, _, err := d.Keys.GetAdmin(p.ID)
	if err != nil {
		return err
	}
	if adminKey == "" {
		return ErrNoAdminKey
	}
	admin := d.Admin(p, adminKey)
	if k.Owner.ServiceAccount != nil {
		return admin.DeleteServiceAccount(ctx, project, k.Owner.ServiceAccount.ID)
	}
	return admin.DeleteAPIKey(ctx, project, k.ID)
}
