package settings

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/zalando/go-keyring"
)

// KeychainService is the service name Parley's keys are stored under; the account is the
// profile's ID (its first name, for profiles made before IDs).
const KeychainService = "Parley"

// EnvKey is the environment variable that overrides the stored key (the OpenAI SDKs' own).
const EnvKey = "OPENAI_API_KEY"

// Source says where a profile's key comes from.
type Source string

// Where a key can come from.
const (
	FromNone     Source = "none"
	FromKeychain Source = "keychain"
	FromEnv      Source = "environment"
	FromSession  Source = "this session only"
)

// Keyring is the OS keychain, as go-keyring exposes it.
type Keyring interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// SystemKeyring is the real keychain: macOS Keychain, Windows Credential Manager, or the Secret
// Service on Linux (GNOME Keyring, KWallet).
type SystemKeyring struct{}

func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}
func (SystemKeyring) Get(service, user string) (string, error) {
	return keyring.Get(service, user)
}
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// Keys keeps API keys in the keychain and nowhere else. When the keychain cannot be used, a key
// may be held in memory for this session only, at the user's request: never written to a file.
type Keys struct {
	ring    Keyring
	system  bool // ring is the system keychain (on Linux: over D-Bus)
	getenv  func(string) string
	timeout time.Duration

	mu      sync.Mutex
	session map[string]string
}

// NewKeys returns Keys over a keychain (nil: the system's).
func NewKeys(ring Keyring) *Keys {
	system := ring == nil
	if system {
		ring = SystemKeyring{}
	}
	return &Keys{ring: ring, system: system, getenv: os.Getenv, timeout: 10 * time.Second, session: map[string]string{}}
}

// KeychainError says, in plain words, why the keychain could not be used and how to fix it.
type KeychainError struct {
	Problem string
	Fix     string
	err     error
}

func (e *KeychainError) Error() string { return e.Problem }

// UserMessage is the error as the window's user reads it: what is wrong, how to fix it, and
// the way around it the window offers.
func (e *KeychainError) UserMessage() string {
	return e.Problem + " " + e.Fix + " Or use the key for this session only."
}

// CommandLineMessage is the error as the command line's user reads it: the way around it is
// the environment.
func (e *KeychainError) CommandLineMessage() string {
	return e.Problem + " " + e.Fix + " Or give the key for one command in " + EnvKey + "."
}
func (e *KeychainError) Unwrap() error { return e.err }

// Get returns a profile's key and where it comes from: the environment first (it overrides),
// then a session-only key, then the keychain. No key at all is not an error.
func (k *Keys) Get(profile string) (string, Source, error) {
	if v := strings.TrimSpace(k.getenv(EnvKey)); v != "" {
		return v, FromEnv, nil
	}
	k.mu.Lock()
	v, ok := k.session[profile]
	k.mu.Unlock()
	if ok {
		return v, FromSession, nil
	}
	var key string
	err := k.call(func() (err error) { key, err = k.ring.Get(KeychainService, profile); return err })
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", FromNone, nil
	case err != nil:
		return "", FromNone, err
	}
	return key, FromKeychain, nil
}

// keychainKey is the key the keychain holds for a profile, "" for none.
func (k *Keys) keychainKey(profile string) (string, error) {
	var key string
	err := k.call(func() (err error) { key, err = k.ring.Get(KeychainService, profile); return err })
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return key, err
}

// sessionKey is the key held in memory for a profile, if any.
func (k *Keys) sessionKey(profile string) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.session[profile]
	return v, ok
}

// Stored reports where the key Parley would store or delete lives, ignoring the environment.
func (k *Keys) Stored(profile string) (Source, error) {
	k.mu.Lock()
	_, ok := k.session[profile]
	k.mu.Unlock()
	if ok {
		return FromSession, nil
	}
	var key string
	err := k.call(func() (err error) { key, err = k.ring.Get(KeychainService, profile); return err })
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return FromNone, nil
	case err != nil:
		return FromNone, err
	case key == "":
		return FromNone, nil
	}
	return FromKeychain, nil
}

// Set stores (or replaces) a profile's key in the keychain. An admin key is refused: it goes in
// the admin key's place, and can never be sent to a model.
func (k *Keys) Set(profile, key string) error {
	key, err := CleanKey(key)
	if err != nil {
		return err
	}
	if IsAdminKey(key) {
		return ErrAdminKeyAsAPIKey
	}
	if err := k.setAccount(profile, key); err != nil {
		return err
	}
	k.mu.Lock()
	delete(k.session, profile)
	k.mu.Unlock()
	return nil
}

func (k *Keys) setAccount(account, key string) error {
	return k.call(func() error { return k.ring.Set(KeychainService, account, key) })
}

func (k *Keys) getAccount(account string) (string, error) {
	var key string
	err := k.call(func() (err error) { key, err = k.ring.Get(KeychainService, account); return err })
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return key, err
}

func (k *Keys) deleteAccount(account string) error {
	err := k.call(func() error { return k.ring.Delete(KeychainService, account) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// IsAdminKey tells an organization admin key (sk-admin-...) by its prefix.
func IsAdminKey(key string) bool { return strings.HasPrefix(strings.TrimSpace(key), "sk-admin-") }

// ErrAdminKeyAsAPIKey says an admin key was given where the API key goes.
var ErrAdminKeyAsAPIKey = errors.New("this is an admin key (sk-admin-…): it cannot ask models; put it in the admin key field, and an API key here")

// ErrAPIKeyAsAdminKey says an API key was given where the admin key goes.
var ErrAPIKeyAsAdminKey = errors.New("this is an API key, not an admin key (sk-admin-…): put it in the API key field, and an admin key made by an organization owner here")

// EnvAdminKey overrides the admin key, as OpenAI's own SDK reads it.
const EnvAdminKey = "OPENAI_ADMIN_KEY"

// adminAccount is the keychain account of a profile's admin key: its own, beside the API key's.
func adminAccount(profile string) string { return profile + ".admin" }

// GetAdmin returns a profile's admin key and where it comes from ("" when none): the
// environment's OPENAI_ADMIN_KEY first, then the keychain.
func (k *Keys) GetAdmin(profile string) (string, Source, error) {
	if v := strings.TrimSpace(k.getenv(EnvAdminKey)); v != "" {
		return v, FromEnv, nil
	}
	key, err := k.getAccount(adminAccount(profile))
	if err != nil || key == "" {
		return "", FromNone, err
	}
	return key, FromKeychain, nil
}

// SetAdmin stores a profile's admin key in the keychain; an API key is refused.
func (k *Keys) SetAdmin(profile, key string) error {
	key, err := CleanKey(key)
	if err != nil {
		return err
	}
	if !IsAdminKey(key) {
		return ErrAPIKeyAsAdminKey
	}
	return k.setAccount(adminAccount(profile), key)
}

// DeleteAdmin removes a profile's admin key from the keychain.
func (k *Keys) DeleteAdmin(profile string) error { return k.deleteAccount(adminAccount(profile)) }

// rotatingAccount holds a new key while a rotation tests it: the old key stays where it is
// until the new one has passed.
func rotatingAccount(profile string) string { return profile + ".rotating" }

// Stage keeps a rotation's new key beside the old one; Staged reads it back; Unstage drops it.
func (k *Keys) Stage(profile, key string) error       { return k.setAccount(rotatingAccount(profile), key) }
func (k *Keys) Staged(profile string) (string, error) { return k.getAccount(rotatingAccount(profile)) }
func (k *Keys) Unstage(profile string) error          { return k.deleteAccount(rotatingAccount(profile)) }

// SetSession holds a key in memory for this session only, for when the keychain cannot be used.
func (k *Keys) SetSession(profile, key string) error {
	key, err := CleanKey(key)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.session[profile] = key
	k.mu.Unlock()
	return nil
}

// Delete removes a profile's key from the keychain and from this session.
func (k *Keys) Delete(profile string) error {
	k.mu.Lock()
	delete(k.session, profile)
	k.mu.Unlock()
	err := k.call(func() error { return k.ring.Delete(KeychainService, profile) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// call runs a keychain operation with a time limit (a locked keychain may wait forever for a
// password prompt nobody sees) and turns its failures into plain words.
func (k *Keys) call(op func() error) error {
	if err := k.noBus(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return explainKeychain(err)
	case <-time.After(k.timeout):
		return &KeychainError{
			Problem: fmt.Sprintf("The keychain did not answer within %d seconds: it may be locked and waiting for its password.", int(k.timeout.Seconds())),
			Fix:     "Unlock your keychain (log in to your desktop, or open Passwords and Keys) and try again.",
		}
	}
}

// explainKeychain turns a keychain library error into a KeychainError; not-found passes through.
func explainKeychain(err error) error {
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	msg := err.Error()
	e := &KeychainError{err: err}
	switch {
	case errors.Is(err, keyring.ErrSetDataTooBig):
		e.Problem = "The key is longer than the Windows Credential Manager can hold (2,560 bytes)."
		e.Fix = "Check that you pasted only the key."
	case strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(msg, "dbus: ") && strings.Contains(msg, "connect"):
		e.Problem = "No keychain is reachable: there is no D-Bus session, so the Secret Service cannot be asked."
		e.Fix = "Run Parley inside a desktop session (or start one with dbus-run-session)."
	case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "ServiceUnknown") || strings.Contains(msg, "was not provided by any .service files"):
		e.Problem = "No keychain is running: nothing provides the Secret Service (GNOME Keyring, KWallet) on this desktop."
		e.Fix = "Install and start one (on Debian and Ubuntu: sudo apt install gnome-keyring, then log in again)."
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "dismissed"):
		e.Problem = "The keychain is locked."
		e.Fix = "Unlock it (log in to your desktop, or open Passwords and Keys) and try again."
	case strings.Contains(msg, "-25293") || strings.Contains(msg, "-128") || strings.Contains(strings.ToLower(msg), "denied") || strings.Contains(strings.ToLower(msg), "canceled"):
		e.Problem = "Access to the keychain was denied."
		e.Fix = "Allow Parley to use the keychain when asked."
	default:
		e.Problem = "The keychain could not be used: " + msg
		e.Fix = "Check that your keychain works (for example with the Passwords and Keys app)."
	}
	return e
}

// CleanKey trims a pasted key and rejects what cannot be one: empty, or with spaces or control
// characters inside (two keys pasted together, a stray line of text).
func CleanKey(key string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", errors.New("the key is empty")
	}
	for _, r := range key {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", errors.New("the key has spaces or line breaks inside: paste only the key")
		}
	}
	return key, nil
}

// Mask shows a key without giving it away: a short prefix and the last four characters
// ("sk-…AbCd"). Short keys show nothing but their length in dots.
func Mask(key string) string {
	if key == "" {
		return ""
	}
	if len(key) < 12 {
		return strings.Repeat("•", len(key))
	}
	prefix := key[:2]
	if strings.HasPrefix(key, "sk-") {
		prefix = "sk-"
	}
	return prefix + "…" + key[len(key)-4:]
}
