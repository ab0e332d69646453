package views

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/dialog"
)

// plain puts an error in the words a user needs: what happened and what to do about it (the
// engine's and the keychain's errors say both).
func plain(err error) string {
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return err.Error()
}

// showError tells the user what went wrong, in a dialog.
func (m *Main) showError(what string, err error) {
	dialog.ShowError(fmt.Errorf("%s: %s", what, plain(err)), m.Window)
}
