package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Rotation is the journal of a key rotation under way: each step is written before it is taken,
// so a rotation cut short (a crash, a closed laptop) is finished or undone at the next start,
// never leaving the profile without a working key. It holds ids only: a key's value is never
// written to a file (the new key waits in the keychain, Keys.Stage).
type Rotation struct {
	Profile string `json:"profile"`
	Project string `json:"project"`
	// Step is how far it got: RotationCreating, RotationStaged, RotationSwapped.
	Step string `json:"step"`
	// The key being replaced (its service account, when a service account owns it) and the
	// service account and key made to replace it.
	OldKeyID     string    `json:"old_key_id"`
	OldAccountID string    `json:"old_account_id,omitempty"`
	NewAccountID string    `json:"new_account_id,omitempty"`
	NewKeyID     string    `json:"new_key_id,omitempty"`
	Started      time.Time `json:"started"`
}

// The steps of a rotation.
const (
	RotationCreating = "creating" // asking for the new key; the old one is the profile's
	RotationStaged   = "staged"   // the new key is in the keychain beside the old one, untested
	RotationSwapped  = "swapped"  // the new key is the profile's; the old one is to be revoked
)

func (s *Store) rotationPath() string { return filepath.Join(filepath.Dir(s.path), "rotation.json") }

// Rotation is the rotation under way, nil when there is none.
func (s *Store) Rotation() (*Rotation, error) {
	data, err := os.ReadFile(s.rotationPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key rotation's journal: %w", err)
	}
	var r Rotation
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("the key rotation's journal (%s) is damaged: %w", s.rotationPath(), err)
	}
	return &r, nil
}

// SaveRotation writes the journal, whole or not at all, before the step it names is taken.
func (s *Store) SaveRotation(r Rotation) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(s.rotationPath(), data)
}

// EndRotation removes the journal: the rotation finished, or was undone.
func (s *Store) EndRotation() error {
	err := os.Remove(s.rotationPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
