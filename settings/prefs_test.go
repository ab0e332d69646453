package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestStoreDefaultsAndProfiles(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Prefs()
	if p.Current != DefaultProfile || len(p.Profiles) != 1 || p.CurrentProfile().Model != DefaultModel || !p.KeepsInTray() {
		t.Fatalf("%+v", p)
	}
	work := NewProfile("work")
	work.BaseURL = "http://localhost:11434/v1"
	work.Tier = TierCustom
	work.Custom = Limits{RPM: 10, TPM: 1000, RPD: 100, MonthlyBudget: 5}
	temp := float32(0)
	work.Temperature = &temp
	if err := s.AddProfile(work); err != nil {
		t.Fatal(err)
	}
	if err := s.AddProfile(NewProfile("Work")); err == nil {
		t.Fatal("a duplicate name (case aside) was accepted")
	}
	if err := s.SwitchProfile("work"); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameProfile("work", "local"); err != nil {
		t.Fatal(err)
	}
	// A second store (the command line) sees it all.
	again, _ := OpenStore(dir)
	cur := again.Prefs().CurrentProfile()
	if cur.Name != "local" || cur.BaseURL != "http://localhost:11434/v1" || cur.Temperature == nil || *cur.Temperature != 0 || cur.Limits("x").RPM != 10 {
		t.Fatalf("%+v", cur)
	}
	if err := s.DeleteProfile("local"); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Current != DefaultProfile {
		t.Fatal("deleting the current profile did not switch")
	}
	if err := s.DeleteProfile(DefaultProfile); err == nil {
		t.Fatal("the last profile was deleted")
	}
	for _, bad := range []string{"", " padded", strings.Repeat("x", 65), "tab\there"} {
		if err := s.AddProfile(NewProfile(bad)); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestCorruptSettingsAreMovedAsideNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Warning(), "moved to") {
		t.Fatalf("warning %q", s.Warning())
	}
	matches, _ := filepath.Glob(path + ".unreadable-*")
	if len(matches) != 1 {
		t.Fatalf("moved aside: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != "{not json" {
		t.Fatal("the unreadable file was changed")
	}
	if s.Prefs().Current != DefaultProfile {
		t.Fatal("no defaults")
	}
}

func TestConcurrentWritersLoseNothing(t *testing.T) {
	dir := t.TempDir()
	a, _ := OpenStore(dir)
	b, _ := OpenStore(dir) // another process, in effect
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(2)
		go func() { defer wg.Done(); a.AddProfile(NewProfile("a" + string(rune('0'+i)))) }()
		go func() { defer wg.Done(); b.AddProfile(NewProfile("b" + string(rune('0'+i)))) }()
	}
	wg.Wait()
	c, _ := OpenStore(dir)
	if n := len(c.Prefs().Profiles); n != 21 {
		t.Fatalf("%d profiles, want 21", n)
	}
}

func TestSettingsFileHoldsNoKey(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenStore(dir)
	p := s.Prefs().CurrentProfile()
	p.Models = []string{"gpt-4o"}
	s.SaveProfile(p)
	data, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(string(data)), "key") {
		t.Fatalf("settings mention a key: %s", data)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "settings.json")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}
