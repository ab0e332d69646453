package settings

import (
	"context"
	"errors"
	"fmt"
)

// A Tester asks a profile's endpoint whether it takes a key: nil when it does. app hands in the
// engine's cheapest call (the models list). An error wrapping ErrKeyRefused means the server
// said no; any other, that it could not be asked.
type Tester func(ctx context.Context, p Profile, key string) error

// ErrKeyRefused marks a Tester's error when the server refused the key.
var ErrKeyRefused = errors.New("the server refused the key")

// UntestedError says a key was not stored because the server could not be asked about it
// (offline, the server down): the user may store it anyway.
type UntestedError struct{ Err error }

func (e *UntestedError) Error() string {
	return fmt.Sprintf("the key could not be tested, so it was not saved: %v", e.Err)
}

// UserMessage says what happened and what the user can do.
func (e *UntestedError) UserMessage() string {
	return "The key could not be tested, so it was not saved (" + plainWords(e.Err) + "). Check the connection and try again, or save it untested."
}

func (e *UntestedError) Unwrap() error { return e.Err }

// SaveAdminTested stores a profile's admin key once the Admin API has taken it.
func (k *Keys) SaveAdminTested(ctx context.Context, p Profile, key string, test Tester) error {
	key, err := CleanKey(key)
	if err != nil {
		return err
	}
	if !IsAdminKey(key) {
		return ErrAPIKeyAsAdminKey
	}
	if err := test(ctx, p, key); err != nil {
		if errors.Is(err, ErrKeyRefused) {
			return err
		}
		return &UntestedError{Err: err}
	}
	return k.SetAdmin(p.ID, key)
}

// SaveTested stores a new key for a profile only once its endpoint has taken it: a mistyped key
// never replaces a working one. A refused key comes back as the Tester's error; a key that could
// not be tested as an *UntestedError; in both cases the keychain is unchanged.
func (k *Keys) SaveTested(ctx context.Context, p Profile, key string, test Tester) error {
	key, err := CleanKey(key)
	if err != nil {
		return err
	}
	if IsAdminKey(key) {
		return ErrAdminKeyAsAPIKey // told at once: a model would refuse it anyway
	}
	// A keychain that cannot be used is said at once: testing the key first would only delay it.
	if _, err := k.Stored(p.ID); err != nil {
		return err
	}
	if err := test(ctx, p, key); err != nil {
		if errors.Is(err, ErrKeyRefused) {
			return err
		}
		return &UntestedError{Err: err}
	}
	return k.Set(p.ID, key)
}

// plainWords is an error as a user reads it.
func plainWords(err error) string {
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return err.Error()
}
