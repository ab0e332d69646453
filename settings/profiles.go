package settings

import (
	"errors"
	"fmt"
)

// RemoveProfile deletes a profile and its key together, or neither: when the preferences
// cannot be saved, the key goes back where it was. Its conversations and usage stay in the
// history, filed under its ID.
func RemoveProfile(prefs *Store, keys *Keys, id string) error {
	all := prefs.Prefs()
	if _, ok := all.Profile(id); !ok {
		return fmt.Errorf("there is no profile %q", id)
	}
	if len(all.Profiles) == 1 {
		return errors.New("it is the only profile: add another first")
	}
	old, err := keys.keychainKey(id)
	if err != nil {
		return err
	}
	session, hadSession := keys.sessionKey(id)
	if err := keys.Delete(id); err != nil {
		return err
	}
	keys.DeleteAdmin(id) // an admin key goes with its profile; one left behind only waits unused
	if err := prefs.DeleteProfile(id); err != nil {
		if old != "" {
			if rerr := keys.Set(id, old); rerr != nil {
				return fmt.Errorf("%w; and its key could not be put back in the keychain: %v", err, rerr)
			}
		}
		if hadSession {
			keys.SetSession(id, session)
		}
		return err
	}
	return nil
}
