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
	if p.Current != DefaultProfile || len(p.Profiles) != 1 || p.CurrentProfile().Model != DefaultModel || !p.KeepsInTray() || p.CurrentProfile().ID != DefaultProfile {
		t.Fatalf("%+v", p)
	}
	work := NewProfile("Work stuff")
	work.BaseURL = "http://localhost:11434/v1"
	work.Tier = TierCustom
	work.Custom = Limits{RPM: 10, TPM: 1000, RPD: 100, MonthlyBudget: 5}
	temp := float32(0)
	work.Temperature = &temp
	work, err = s.AddProfile(work)
	if err != nil || work.ID != "work-stuff" {
		t.Fatalf("%+v %v", work, err)
	}
	if _, err := s.AddProfile(NewProfile("WORK STUFF")); err == nil {
		t.Fatal("a duplicate name (case aside) was accepted")
	}
	if err := s.SwitchProfile(work.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameProfile(work.ID, "local"); err != nil {
		t.Fatal(err)
	}
	// A second store (the command line) sees it all, under the same ID.
	again, _ := OpenStore(dir)
	cur := again.Prefs().CurrentProfile()
	if cur.ID != "work-stuff" || cur.Name != "local" || cur.BaseURL != "http://localhost:11434/v1" || cur.Temperature == nil || *cur.Temperature != 0 || cur.Limits("x").RPM != 10 {
		t.Fatalf("%+v", cur)
	}
	if q, ok := again.Prefs().Named("LOCAL"); !ok || q.ID != work.ID {
		t.Fatalf("by name: %+v %v", q, ok)
	}
	if q, ok := again.Prefs().Named("work-stuff"); !ok || q.Name != "local" {
		t.Fatalf("by id: %+v %v", q, ok)
	}
	// A new profile named as the first was never takes its ID.
	again2, _ := s.AddProfile(NewProfile("work stuff"))
	if again2.ID != "work-stuff-2" {
		t.Fatalf("id %q", again2.ID)
	}
	if err := s.RenameProfile(work.ID, "Work Stuff"); err == nil {
		t.Fatal("renamed onto another profile's name")
	}
	if err := s.DeleteProfile(work.ID); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Current != DefaultProfile {
		t.Fatal("deleting the current profile did not switch")
	}
	s.DeleteProfile(again2.ID)
	if err := s.DeleteProfile(DefaultProfile); err == nil {
		t.Fatal("the last profile was deleted")
	}
	for _, bad := range []string{"", " padded", strings.Repeat("x", 65), "tab\there"} {
		if _, err := s.AddProfile(NewProfile(bad)); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if q, _ := s.AddProfile(NewProfile("日本 / ✓")); q.ID != "日本" {
		t.Errorf("id of a unicode name: %q", q.ID)
	}
	if q, _ := s.AddProfile(NewProfile("!!!")); q.ID != "profile" {
		t.Errorf("id of a name with no letters: %q", q.ID)
	}
}

// Settings written before profiles had IDs keep working: each profile's ID is its old name,
// which its key, conversations and usage were filed under.
func TestVersionOneSettingsGetIDs(t *testing.T) {
	dir := t.TempDir()
	old := `{"version":1,"current_profile":"Home lab","profiles":[{"name":"default","model":"gpt-4o-mini","tier":"tier1"},{"name":"Home lab","base_url":"http://localhost:11434/v1","model":"llama3","tier":"custom"}]}`
	os.WriteFile(filepath.Join(dir, "settings.json"), []byte(old), 0o600)
	s, err := OpenStore(dir)
	if err != nil || s.Warning() != "" {
		t.Fatal(err, s.Warning())
	}
	cur := s.Prefs().CurrentProfile()
	if cur.ID != "Home lab" || cur.Name != "Home lab" || cur.Model != "llama3" {
		t.Fatalf("%+v", cur)
	}
	if err := s.RenameProfile("Home lab", "Ollama"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
	var back Prefs
	json.Unmarshal(data, &back)
	if back.Version != 2 || back.Current != "Home lab" || back.Profiles[1].ID != "Home lab" || back.Profiles[1].Name != "Ollama" {
		t.Fatalf("%s", data)
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
