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
// Its key lives in the keychain under its name, never here.
type Profile struct {
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
}

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
	Current  string    `json:"current_profile"`
	Profiles []Profile `json:"profiles"`
	// KeepInTray keeps Parley running in the tray when its window closes (nil: yes).
	KeepInTray *bool `json:"keep_in_tray,omitempty"`
	// Window is the main window's last size.
	Window struct {
		Width  float32 `json:"width,omitempty"`
		Height float32 `json:"height,omitempty"`
	} `json:"window,omitzero"`
}

// Profile returns the named profile.
func (p Prefs) Profile(name string) (Profile, bool) {
	i := slices.IndexFunc(p.Profiles, func(q Profile) bool { return q.Name == name })
	if i < 0 {
		return Profile{}, false
	}
	return p.Profiles[i], true
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

const prefsVersion = 1

func defaultPrefs() Prefs {
	return Prefs{Version: prefsVersion, Current: DefaultProfile, Profiles: []Profile{NewProfile(DefaultProfile)}}
}

// NewProfile returns a profile for OpenAI with the default model and tier.
func NewProfile(name string) Profile {
	return Profile{Name: name, Model: DefaultModel, Tier: Tier1}
}

// Store keeps Prefs in settings.json in the configuration folder. Every change re-reads the
// file under a lock first, so the window and the command line never undo each other's changes.
type Store struct {
	path string

	mu      sync.Mutex
	prefs   Prefs
	warning string
}

// OpenStore reads the preferences in dir. A missing file means defaults. An unreadable one is
// moved aside (never overwritten), the user is told where by Warning, and defaults are used.
func OpenStore(dir string) (*Store, error) {
	s := &Store{path: filepath.Join(dir, "settings.json")}
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
		if err := writeAtomic(s.path, append(data, '\n')); err != nil {
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
	seen := map[string]bool{}
	for _, q := range p.Profiles {
		if err := CheckProfileName(q.Name); err != nil {
			return err
		}
		if seen[strings.ToLower(q.Name)] {
			return fmt.Errorf("there is already a profile named %q", q.Name)
		}
		seen[strings.ToLower(q.Name)] = true
	}
	if _, ok := p.Profile(p.Current); !ok {
		return fmt.Errorf("there is no profile named %q", p.Current)
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

// SaveProfile adds a profile or replaces the one with the same name.
func (s *Store) SaveProfile(q Profile) error {
	return s.Update(func(p *Prefs) error {
		if i := slices.IndexFunc(p.Profiles, func(o Profile) bool { return o.Name == q.Name }); i >= 0 {
			p.Profiles[i] = q
		} else {
			p.Profiles = append(p.Profiles, q)
		}
		return nil
	})
}

// AddProfile adds a new profile, refusing a name in use.
func (s *Store) AddProfile(q Profile) error {
	return s.Update(func(p *Prefs) error {
		if _, ok := p.Profile(q.Name); ok {
			return fmt.Errorf("there is already a profile named %q", q.Name)
		}
		p.Profiles = append(p.Profiles, q)
		return nil
	})
}

// RenameProfile renames a profile. (Its key follows with Keys.Move.)
func (s *Store) RenameProfile(from, to string) error {
	return s.Update(func(p *Prefs) error {
		i := slices.IndexFunc(p.Profiles, func(o Profile) bool { return o.Name == from })
		if i < 0 {
			return fmt.Errorf("there is no profile named %q", from)
		}
		if _, ok := p.Profile(to); ok && !strings.EqualFold(from, to) {
			return fmt.Errorf("there is already a profile named %q", to)
		}
		p.Profiles[i].Name = to
		if p.Current == from {
			p.Current = to
		}
		return nil
	})
}

// DeleteProfile removes a profile; the last one cannot go. (Its key goes with Keys.Delete.)
func (s *Store) DeleteProfile(name string) error {
	return s.Update(func(p *Prefs) error {
		i := slices.IndexFunc(p.Profiles, func(o Profile) bool { return o.Name == name })
		if i < 0 {
			return fmt.Errorf("there is no profile named %q", name)
		}
		if len(p.Profiles) == 1 {
			return errors.New("the last profile cannot be deleted")
		}
		p.Profiles = slices.Delete(p.Profiles, i, i+1)
		if p.Current == name {
			p.Current = p.Profiles[0].Name
		}
		return nil
	})
}

// SwitchProfile makes a profile the current one.
func (s *Store) SwitchProfile(name string) error {
	return s.Update(func(p *Prefs) error {
		if _, ok := p.Profile(name); !ok {
			return fmt.Errorf("there is no profile named %q", name)
		}
		p.Current = name
		return nil
	})
}
