package views

import (
	"parley/chat"
	"parley/chat/store"
	"parley/settings"
)

// Services are what the screens work with. app builds them; the screens only call them, and
// never from the UI goroutine when the call may wait (network, keychain, database).
type Services struct {
	Prefs *settings.Store
	Keys  *settings.Keys
	Meter *settings.Meter
	// History opens the conversation history (the first call may take a moment).
	History func() (*store.Store, error)
	// Client returns a chat client for a profile and where it sends requests. onLimits hears
	// the rate-limit snapshots of its responses.
	Client func(p settings.Profile, onLimits func(chat.RateLimit)) (*chat.Client, settings.Endpoint)
	// Models describes a model from the catalog.
	Models func(id string) chat.ModelInfo
	// Record counts an answer in the usage meter.
	Record func(profile, model string, a chat.Answer) error
	// Demo is the demo server's address when Parley runs as `make demo`.
	Demo string
	// Warnings are problems found at start (unreadable files moved aside), for the user.
	Warnings []string
}
