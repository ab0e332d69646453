package views

import (
	"context"

	"parley/account"
	"parley/chat"
	"parley/chat/ask"
	"parley/chat/batch"
	"parley/chat/store"
	"parley/settings"
)

// Services are what the screens work with. app builds them; the screens only call them, and
// never from the UI goroutine when the call may wait (network, keychain, database, file lock).
type Services struct {
	Prefs   *settings.Store
	Keys    *settings.Keys
	Meter   *settings.Meter
	Presets *settings.Presets // the library of system prompts
	// History opens the conversation history (the first call may take a moment).
	History func() (*store.Store, error)
	// Client returns a chat client for a profile and where it sends requests. It reads the
	// keychain.
	Client func(p settings.Profile) (*chat.Client, settings.Endpoint)
	// Models describes a model from the catalog.
	Models func(id string) chat.ModelInfo
	// Asker asks questions: the one use case the window, Quick Ask and the CLI share.
	Asker *ask.Asker
	// FollowPending takes up the background answers no Parley follows; started hears each one
	// taken up, with what stops following it (and so cancels it on OpenAI, unless the run was
	// left first).
	FollowPending func(ctx context.Context, started func(store.Message, *ask.Run, context.CancelFunc))
	// Batches submits and fetches batches (nil: not offered).
	Batches *batch.Batcher
	// TestKey asks a profile's endpoint whether it takes a key, before the key is stored.
	TestKey settings.Tester
	// Account are the account's use cases' dependencies (nil: no Admin API); TestAdminKey asks
	// the Admin API whether it takes an admin key.
	Account      func() account.Deps
	TestAdminKey settings.Tester
	// UpdateCatalog fetches a newer model catalog and puts it in use (nil: not offered).
	UpdateCatalog func(context.Context) (*settings.Catalog, error)
	// Demo is the demo server's address when Parley runs as `make demo`.
	Demo string
	// Warnings are problems found at start (unreadable files moved aside), for the user.
	Warnings []string
}
