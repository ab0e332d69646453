package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The house reads top-down: main → app → views (screens) → views/widgets, views/bridge,
// views/format → chat, settings. Nothing below imports what is above it, and the engine and the
// settings never import Fyne, so everything there runs with go test alone.
func TestLayers(t *testing.T) {
	rules := []struct {
		packages  string   // a go list pattern
		forbidden []string // import path prefixes none of them may depend on
	}{
		{"parley/chat/...", []string{"fyne.io/", "parley/views", "parley/app", "parley/settings", "parley/account"}},
		{"parley/settings/...", []string{"fyne.io/", "parley/views", "parley/app", "parley/chat", "parley/account"}},
		{"parley/account/...", []string{"fyne.io/", "parley/views", "parley/app"}},
		{"parley/backup/...", []string{"fyne.io/", "parley/views", "parley/app"}},
		{"parley/views/widgets", []string{"parley/app"}},
		{"parley/views/bridge", []string{"parley/app", "parley/chat", "parley/settings"}},
		{"parley/views/format", []string{"fyne.io/", "parley/app"}},
		{"parley/views", []string{"parley/app"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}`, r.packages).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.packages, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, no := range r.forbidden {
				if strings.HasPrefix(dep, no) {
					t.Errorf("%s depends on %s", r.packages, dep)
				}
			}
		}
	}
	// The widgets and the bridge are below the screens: they never import them.
	for _, pkg := range []string{"parley/views/widgets", "parley/views/bridge", "parley/views/format"} {
		out, _ := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}`, pkg).Output()
		for _, dep := range strings.Fields(string(out)) {
			if dep == "parley/views" {
				t.Errorf("%s imports the screens", pkg)
			}
		}
	}
}
