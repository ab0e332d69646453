package settings

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Preset is a reusable way to start a conversation: a system prompt with a name, and
// optionally the model, reasoning effort and temperature to ask with ("", nil: the
// conversation's own).
type Preset struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	SystemPrompt string   `json:"system_prompt"`
	Model        string   `json:"model,omitempty"`
	Effort       string   `json:"effort,omitempty"`
	Temperature  *float32 `json:"temperature,omitempty"`
}

// Presets is the user's library of presets, kept in presets.json in the configuration folder.
// A new Parley starts with a few built in (presets_builtin.json); once there, they are the
// user's, to edit or delete.
type Presets struct {
	path string

	mu   sync.Mutex
	list []Preset
}

//go:embed presets_builtin.json
var builtinPresets []byte

// presetsFile is presets.json, and a presets export.
type presetsFile struct {
	Version int      `json:"parley_presets"`
	Presets []Preset `json:"presets"`
}

const presetsVersion = 1

// OpenPresets reads presets.json in dir; without one, the library starts with the built-in
// presets. An unreadable file is moved aside, never overwritten.
func OpenPresets(dir string) (*Presets, string, error) {
	p := &Presets{path: filepath.Join(dir, "presets.json")}
	warning := ""
	err := withLock(p.path, func() error {
		data, err := os.ReadFile(p.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			var f presetsFile
			if err := json.Unmarshal(builtinPresets, &f); err != nil {
				return fmt.Errorf("the built-in presets are unreadable: %w", err)
			}
			p.list = f.Presets
			return nil
		case err != nil:
			return fmt.Errorf("reading %s: %w", p.path, err)
		}
		list, err := parsePresets(data)
		if err != nil {
			aside, merr := moveAside(p.path, time.Now())
			if merr != nil {
				return fmt.Errorf("presets.json is unreadable (%v) and could not be moved aside: %w", err, merr)
			}
			warning = fmt.Sprintf("Your presets could not be read (%v). The file was moved to %s and the built-in presets are back.", err, aside)
			var f presetsFile
			json.Unmarshal(builtinPresets, &f)
			list = f.Presets
		}
		p.list = list
		return nil
	})
	return p, warning, err
}

// parsePresets reads a presets file or export, checking each preset.
func parsePresets(data []byte) ([]Preset, error) {
	var f presetsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not a presets file: %w", err)
	}
	if f.Version > presetsVersion {
		return nil, fmt.Errorf("written by a newer Parley (version %d)", f.Version)
	}
	if f.Version == 0 && f.Presets == nil {
		return nil, errors.New("not a presets file (it has no presets)")
	}
	seen := map[string]bool{}
	for i := range f.Presets {
		if err := f.Presets[i].check(); err != nil {
			return nil, fmt.Errorf("preset %d: %w", i+1, err)
		}
		if seen[f.Presets[i].ID] {
			return nil, fmt.Errorf("preset %d: its id %q is used twice", i+1, f.Presets[i].ID)
		}
		seen[f.Presets[i].ID] = true
	}
	return f.Presets, nil
}

// check tells a preset that cannot be used.
func (p *Preset) check() error {
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.ID == "":
		return errors.New("it has no id")
	case p.Name == "":
		return errors.New("it has no name")
	case utf8.RuneCountInString(p.Name) > 80:
		return fmt.Errorf("its name %q is longer than 80 characters", p.Name[:40]+"…")
	case p.Temperature != nil && (*p.Temperature < 0 || *p.Temperature > 2):
		return fmt.Errorf("%q: a temperature is between 0 and 2, not %g", p.Name, *p.Temperature)
	}
	return nil
}

// List returns the presets, by name (none without a library).
func (p *Presets) List() []Preset {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]Preset(nil), p.list...)
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Get returns the preset with that id.
func (p *Presets) Get(id string) (Preset, bool) {
	if p == nil {
		return Preset{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range p.list {
		if x.ID == id {
			return x, true
		}
	}
	return Preset{}, false
}

// Save adds a preset (ID empty: a new one, given an id from its name) or replaces the one with
// its id, and returns it as saved.
func (p *Presets) Save(x Preset) (Preset, error) {
	isNew := x.ID == ""
	if isNew {
		x.ID = "new" // for check; given one from its name below
	}
	if err := x.check(); err != nil {
		return x, err
	}
	err := p.change(func(list []Preset) []Preset {
		for i := range list {
			if !isNew && list[i].ID == x.ID {
				list[i] = x
				return list
			}
		}
		if isNew {
			x.ID = uniquePresetID(x.Name, list)
		}
		return append(list, x)
	})
	return x, err
}

// Delete removes a preset.
func (p *Presets) Delete(id string) error {
	return p.change(func(list []Preset) []Preset {
		out := list[:0]
		for _, x := range list {
			if x.ID != id {
				out = append(out, x)
			}
		}
		return out
	})
}

// Export is the library as one JSON file, to share or keep.
func (p *Presets) Export() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	data, _ := json.MarshalIndent(presetsFile{Version: presetsVersion, Presets: p.list}, "", "  ")
	return data
}

// Import adds the presets of an export: one with the id of a preset here replaces it when it
// differs. It returns how many it added and how many it changed.
func (p *Presets) Import(data []byte) (added, changed int, err error) {
	in, err := parsePresets(data)
	if err != nil {
		return 0, 0, err
	}
	err = p.change(func(list []Preset) []Preset {
		for _, x := range in {
			found := false
			for i := range list {
				if list[i].ID == x.ID {
					found = true
					if !samePreset(list[i], x) {
						list[i] = x
						changed++
					}
				}
			}
			if !found {
				list = append(list, x)
				added++
			}
		}
		return list
	})
	return added, changed, err
}

func samePreset(a, b Preset) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// change applies edit to the library as it is on disk (another Parley may have changed it)
// and saves it.
func (p *Presets) change(edit func([]Preset) []Preset) error {
	return withLock(p.path, func() error {
		list := p.List()
		if data, err := os.ReadFile(p.path); err == nil {
			if onDisk, err := parsePresets(data); err == nil {
				list = onDisk
			}
		}
		list = edit(list)
		data, err := json.MarshalIndent(presetsFile{Version: presetsVersion, Presets: list}, "", "  ")
		if err != nil {
			return err
		}
		if err := writeAtomic(p.path, data); err != nil {
			return err
		}
		p.mu.Lock()
		p.list = list
		p.mu.Unlock()
		return nil
	})
}

// uniquePresetID makes an id from a name, unique in list.
func uniquePresetID(name string, list []Preset) string {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
	base = strings.Trim(strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == '-' }), "-"), "-")
	if base == "" {
		base = "preset"
	}
	id := base
	for n := 2; ; n++ {
		taken := false
		for _, x := range list {
			taken = taken || x.ID == id
		}
		if !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
}
