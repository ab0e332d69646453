package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A new library starts with the built-in presets; saved, deleted and imported presets stay so
// across a restart; an export reads back the same.
func TestPresetsLibrary(t *testing.T) {
	dir := t.TempDir()
	p, warning, err := OpenPresets(dir)
	if err != nil || warning != "" {
		t.Fatal(err, warning)
	}
	list := p.List()
	if len(list) < 4 || list[0].Name != "Commit message" {
		t.Fatalf("built in: %+v", list)
	}
	temp := float32(0.2)
	saved, err := p.Save(Preset{Name: "Translate to English", SystemPrompt: "Into British English.", Model: "gpt-5.6", Effort: "low", Temperature: &temp})
	if err != nil || saved.ID != "translate-to-english" {
		t.Fatalf("%+v %v", saved, err)
	}
	if err := p.Delete("translate-en"); err != nil {
		t.Fatal(err)
	}
	again, _, _ := OpenPresets(dir)
	if _, ok := again.Get("translate-en"); ok {
		t.Fatal("a deleted built-in preset came back")
	}
	if got, ok := again.Get("translate-to-english"); !ok || got.Model != "gpt-5.6" || *got.Temperature != 0.2 {
		t.Fatalf("%+v", got)
	}
	saved.SystemPrompt = "Into American English."
	if _, err := again.Save(saved); err != nil {
		t.Fatal(err)
	}
	if got, _ := again.Get(saved.ID); got.SystemPrompt != "Into American English." || len(again.List()) != len(list) {
		t.Fatalf("%+v, %d presets", got, len(again.List()))
	}
	// Export, then import into a fresh library: the same presets.
	other, _, _ := OpenPresets(t.TempDir())
	other.Delete("summarize")
	added, changed, err := other.Import(again.Export())
	if err != nil || added != 2 || changed != 0 {
		t.Fatalf("added %d changed %d: %v", added, changed, err)
	}
	if _, ok := other.Get("translate-to-english"); !ok {
		t.Fatal("the imported preset is missing")
	}
}

// Bad presets are refused with the reason; an unreadable file is moved aside, not overwritten.
func TestPresetsBadInput(t *testing.T) {
	p, _, _ := OpenPresets(t.TempDir())
	bad := float32(3)
	for name, x := range map[string]Preset{
		"no name":     {SystemPrompt: "x"},
		"hot":         {Name: "Hot", Temperature: &bad},
		"a long name": {Name: strings.Repeat("long ", 20)},
	} {
		if _, err := p.Save(x); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	for name, data := range map[string]string{
		"not json":   "presets!",
		"no presets": `{"theme":"dark"}`,
		"newer":      `{"parley_presets": 9, "presets": []}`,
		"twice":      `{"parley_presets": 1, "presets": [{"id":"a","name":"A"},{"id":"a","name":"B"}]}`,
	} {
		if _, _, err := p.Import([]byte(data)); err == nil {
			t.Errorf("%s: imported", name)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "presets.json"), []byte("{broken"), 0o600)
	q, warning, err := OpenPresets(dir)
	if err != nil || !strings.Contains(warning, "moved to") || len(q.List()) < 4 {
		t.Fatalf("%q %v", warning, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "presets.json.unreadable-*")); len(m) != 1 {
		t.Fatalf("%v", m)
	}
}
