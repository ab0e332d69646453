package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// DefaultProfile is the profile Parley starts with.
const DefaultProfile = "default"

// DefaultModel is the model a new profile starts with: available on every tier, cheap and quick.
const DefaultModel = "gpt-4o-mini"

// Profile is one way of reaching an API: an endpoint, an account and the defaults to use there.
// Its ID never changes: its key in the keychain, its conversations and its usage hang on it, so
// renaming it (the Name is only what the user sees) loses nothing. Its key lives in the keychain,
// never here.
type Profile struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	BaseURL      string   `json:"base_url,omitempty"` // empty: OpenAI
	Organization string   `json:"organization,omitempty"`
	Project      string   `json:"project,omitempty"`
	Model        string   `json:"model"`
	SystemPrompt string   `json:"system_prompt,omitempty"`
	Temperature  *float32 `json:"temperature,omitempty"` // nil: the model's default
	MaxOutput    int      `json:"max_output,omitempty"`  // 0: no cap
	Tier         Tier     `json:"tier"`
	Custom       Limits   `json:"custom,omitzero"` // used when Tier is TierCustom
	// Models caches the endpoint's chat models, as /v1/models listed them at ModelsFetched.
	Models        []string  `json:"models,omitempty"`
	ModelsFetched time.Time `json:"models_fetched,omitzero"`
	// API is the protocol: APIAuto (""), APIResponses or APIChat. NoResponses remembers that
	// the server answered 404 on /v1/responses: Automatic uses Chat Completions there.
	API         string `json:"api,omitempty"`
	NoResponses bool   `json:"no_responses,omitempty"`
	// StoreResponses keeps answers on OpenAI (store: true) instead of nothing.
	StoreResponses bool `json:"store_responses,omitempty"`
	// BackgroundFrom asks in background mode from this reasoning effort up, in the model's own
	// order ("": only when the user turns it on).
	BackgroundFrom string `json:"background_from,omitempty"`
}

// The protocols a profile can be set to (settings does not know the engine: the same words).
const (
	APIAuto      = ""
	APIResponses = "responses"
	APIChat      = "chat"
)

// Limits returns the profile's limits for a model: its custom ones, or its tier's from the table.
func (p Profile) Limits(model string) Limits {
	if p.Tier == TierCustom {
		return p.Custom
	}
	return TierLimits(p.Tier, model)
}

// Prefs is everything Parley remembers between runs, apart from history and usage.
type Prefs struct {
	Version  int       `json:"version"`
	Current  string    `json:"current_profile"` // the current profile's ID
	Profiles []Profile `json:"profiles"`
	// KeepInTray keeps Parley running in the tray when its window closes (nil: yes).
	KeepInTray *bool `json:"keep_in_tray,omitempty"`
	// Window is the main window's last size.
	Window struct {
		Width  float32 `json:"width,omitempty"`
		Height float32 `json:"height,omitempty"`
	} `json:"window,omitzero"`
	// LastConversation is the conversation the window showed when it last closed: it opens
	// there again (0: a new chat).
	LastConversation int64 `json:"last_conversation,omitempty"`
}

// Profile returns the profile with an ID.
func (p Prefs) Profile(id string) (Profile, bool) {
	i := p.index(id)
	if i < 0 {
		return Profile{}, false
	}
	return p.Profiles[i], true
}

func (p Prefs) index(id string) int {
	return slices.IndexFunc(p.Profiles, func(q Profile) bool { return q.ID == id })
}

// Named finds a profile by its name, ignoring case, or by its ID: what a user types after
// --profile.
func (p Prefs) Named(name string) (Profile, bool) {
	for _, q := range p.Profiles {
		if strings.EqualFold(q.Name, name) {
			return q, true
		}
	}
	return p.Profile(name)
}

// Names lists the profiles' names, in order.
func (p Prefs) Names() []string {
	names := make([]string, len(p.Profiles))
	for i, q := range p.Profiles {
		names[i] = q.Name
	}
	return names
}

// CurrentProfile returns the profile in use.
func (p Prefs) CurrentProfile() Profile {
	if q, ok := p.Profile(p.Current); ok {
		return q
	}
	return p.Profiles[0]
}

// KeepsInTray reports the tray setting, on by default.
func (p Prefs) KeepsInTray() bool { return p.KeepInTray == nil || *p.KeepInTray }

// prefsVersion 2 gave profiles their IDs; a version 1 file's profiles take their names as IDs,
// which is what their keys, conversations and usage were filed under.
const prefsVersion = 2

func defaultPrefs() Prefs {
	p := NewProfile(DefaultProfile)
	p.ID = DefaultProfile
	return Prefs{Version: prefsVersion, Current: p.ID, Profiles: []Profile{p}}
}

// NewProfile returns a profile for OpenAI with the default model and tier. AddProfile gives it
// its ID.
func NewProfile(name string) Profile {
	return Profile{Name: name, Model: DefaultModel, Tier: Tier1}
}

// newID makes a profile ID from a name: lowercase letters, digits and dashes, unique among
// the profiles ("Work stuff" → "work-stuff", then "work-stuff-2").
func (p Prefs) newID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimRight(b.String(), "-")
	if base == "" {
		base = "profile"
	}
	taken := func(id string) bool { // ignoring case: Windows' Credential Manager does
		return slices.ContainsFunc(p.Profiles, func(q Profile) bool { return strings.EqualFold(q.ID, id) })
	}
	id := base
	for n := 2; taken(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// Store keeps Prefs in settings.json in the configuration folder. Every change re-reads the
// file under a lock first, so the window and the command line never undo each other's changes.
type Store struct {
	path  string
	write func(path string, data []byte) error // writeAtomic; a test's failing disk

	mu      sync.Mutex
	prefs   Prefs
	warning string
}

// OpenStore reads the preferences in dir. A missing file means defaults. An unreadable one is
// moved aside (never overwritten), the user is told where by Warning, and defaults are used.
func OpenStore(dir string) (*Store, error) {
	s := &Store{path: filepath.Join(dir, "settings.json"), write: writeAtomic}
	err := withLock(s.path, func() error {
		prefs, err := s.read()
		if err != nil {
			aside, merr := moveAside(s.path, time.Now())
			if merr != nil {
				return fmt.Errorf("settings.json is unreadable (%v) and could not be moved aside: %w", err, merr)
			}
			s.warning = fmt.Sprintf("Your settings could not be read (%v). They were moved to %s and Parley started with defaults.", err, aside)
			prefs = defaultPrefs()
		}
		s.prefs = prefs
		return nil
	})
	return s, err
}

// Path is the file the preferences live in.
func (s *Store) Path() string { return s.path }

// Warning is what went wrong reading the preferences at start, for telling the user; empty when
// nothing did.
func (s *Store) Warning() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warning
}

// Prefs returns a copy of the current preferences.
func (s *Store) Prefs() Prefs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clonePrefs(s.prefs)
}

func clonePrefs(p Prefs) Prefs {
	p.Profiles = slices.Clone(p.Profiles)
	for i := range p.Profiles {
		p.Profiles[i].Models = slices.Clone(p.Profiles[i].Models)
	}
	return p
}

func (s *Store) read() (Prefs, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return defaultPrefs(), nil
	}
	if err != nil {
		return Prefs{}, err
	}
	var p Prefs
	if err := json.Unmarshal(data, &p); err != nil {
		return Prefs{}, fmt.Errorf("not valid JSON: %w", err)
	}
	if p.Version > prefsVersion {
		return Prefs{}, fmt.Errorf("written by a newer Parley (version %d)", p.Version)
	}
	if len(p.Profiles) == 0 {
		p = defaultPrefs()
	}
	for i := range p.Profiles {
		if p.Profiles[i].ID == "" {
			p.Profiles[i].ID = p.Profiles[i].Name // version 1: keys and history were filed by name
		}
	}
	p.Version = prefsVersion
	return p, nil
}

// Update changes the preferences: it re-reads the file, applies change, checks the result and
// writes it back atomically. When change or the write fails, nothing changes.
func (s *Store) Update(change func(*Prefs) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return withLock(s.path, func() error {
		p, err := s.read()
		if err != nil {
			p = clonePrefs(s.prefs) // the file went bad under us: keep what we know
		}
		if err := change(&p); err != nil {
			return err
		}
		if err := p.check(); err != nil {
			return err
		}
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		if err := s.write(s.path, append(data, '\n')); err != nil {
			return err
		}
		s.prefs = p
		return nil
	})
}

// Reload re-reads the file, to see changes the command line made.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return withLock(s.path, func() error {
		p, err := s.read()
		if err == nil {
			s.prefs = p
		}
		return err
	})
}

func (p Prefs) check() error {
	if len(p.Profiles) == 0 {
		return errors.New("at least one profile is needed")
	}
	names, ids := map[string]bool{}, map[string]bool{}
	for _, q := range p.Profiles {
		if err := CheckProfileName(q.Name); err != nil {
			return err
		}
		if names[strings.ToLower(q.Name)] {
			return fmt.Errorf("there is already a profile named %q", q.Name)
		}
		if q.ID == "" || ids[q.ID] {
			return fmt.Errorf("profile %q needs an ID of its own", q.Name)
		}
		names[strings.ToLower(q.Name)], ids[q.ID] = true, true
	}
	if _, ok := p.Profile(p.Current); !ok {
		return fmt.Errorf("there is no profile %q", p.Current)
	}
	return nil
}

// CheckProfileName rejects names that cannot be a profile (they name keychain entries too).
func CheckProfileName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("a profile needs a name")
	case name != strings.TrimSpace(name):
		return errors.New("a profile name cannot start or end with a space")
	case len([]rune(name)) > 64:
		return errors.New("a profile name can have at most 64 characters")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return errors.New("a profile name cannot contain control characters")
		}
	}
	return nil
}

// SaveProfile replaces the profile with the same ID.
func (s *Store) SaveProfile(q Profile) error {
	return s.Update(func(p *Prefs) error {
		i := p.index(q.ID)
		if i < 0 {
			return fmt.Errorf("there is no profile %q", q.ID)
		}
		p.Profiles[i] = q
		return nil
	})
}

// AddProfile adds a new profile under a name not in use, and returns it with its new ID.
func (s *Store) AddProfile(q Profile) (Profile, error) {
	err := s.Update(func(p *Prefs) error {
		if _, ok := p.Named(q.Name); ok {
			return fmt.Errorf("there is already a profile named %q", q.Name)
		}
		q.ID = p.newID(q.Name)
		p.Profiles = append(p.Profiles, q)
		return nil
	})
	return q, err
}

// RenameProfile gives a profile a new name. Its ID, and so its key, conversations and usage,
// stay as they are.
func (s *Store) RenameProfile(id, name string) error {
	name = strings.TrimSpace(name)
	if err := CheckProfileName(name); err != nil {
		return err
	}
	return s.Update(func(p *Prefs) error {
		i := p.index(id)
		if i < 0 {
			return fmt.Errorf("there is no profile %q", id)
		}
		if q, ok := p.Named(name); ok && q.ID != id {
			return fmt.Errorf("there is already a profile named %q", q.Name)
		}
		p.Profiles[i].Name = name
		return nil
	})
}

// DeleteProfile removes a profile from the preferences; the last one cannot go. RemoveProfile
// removes its key with it.
func (s *Store) DeleteProfile(id string) error {
	return s.Update(func(p *Prefs) error {
		i := p.index(id)
		if i < 0 {
			return fmt.Errorf("there is no profile %q", id)
		}
		if len(p.Profiles) == 1 {
			return errors.New("the last profile cannot be deleted")
		}
		p.Profiles = slices.Delete(p.Profiles, i, i+1)
		if p.Current == id {
			p.Current = p.Profiles[0].ID
		}
		return nil
	})
}

// SwitchProfile makes a profile the current one.
func (s *Store) SwitchProfile(id string) error {
	return s.Update(func(p *Prefs) error {
		if _, ok := p.Profile(id); !ok {
			return fmt.Errorf("there is no profile %q", id)
		}
		p.Current = id
		return nil
	})
}
