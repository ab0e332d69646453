package app

import (
	"os"
	"testing"

	"github.com/BurntSushi/toml"
)

// FyneApp.toml (read by `fyne package`) and the metadata Parley sets itself must agree.
func TestFyneAppTomlMatches(t *testing.T) {
	var meta struct {
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		LinuxAndBSD struct {
			GenericName, Comment string
			Categories, Keywords []string
		}
		Migrations map[string]bool
	}
	data, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := toml.Decode(string(data), &meta); err != nil {
		t.Fatal(err)
	}
	d := meta.Details
	if d.ID != ID || d.Name != Name || d.Version != Version || d.Build != Build || d.Icon != "assets/icon.png" {
		t.Fatalf("FyneApp.toml says %+v; the code says %s %s %s %d", d, ID, Name, Version, Build)
	}
	if !meta.Migrations["fyneDo"] {
		t.Fatal("FyneApp.toml does not opt into fyneDo")
	}
	l := meta.LinuxAndBSD
	if l.Comment == "" || l.GenericName == "" || len(l.Categories) == 0 || len(l.Keywords) == 0 {
		t.Fatalf("the desktop metadata is incomplete: %+v", l)
	}
}
