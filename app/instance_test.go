package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/settings"
)

// The one-instance folder is the user's own: never one another user made first, and never one
// others can enter.
func TestInstanceFolderIsPrivate(t *testing.T) {
	open := filepath.Join(t.TempDir(), "run")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	inst, err := claimInstance(open)
	if err != nil {
		t.Fatal(err)
	}
	inst.close()
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v", fi.Mode())
	}

	if os.Getuid() == 0 {
		squatted := filepath.Join(t.TempDir(), "squatted")
		os.Mkdir(squatted, 0o777)
		os.Chown(squatted, 65534, 65534)
		if _, err := claimInstance(squatted); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Fatalf("took a folder of another user's: %v", err)
		}
	}
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(t.TempDir(), link)
	if _, err := claimInstance(link); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("took a link: %v", err)
	}

	// With no XDG_RUNTIME_DIR, not the shared temporary folder.
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "cache"))
	p, err := settings.DefaultPaths()
	if err != nil || strings.HasPrefix(p.Runtime, filepath.Join(os.TempDir(), "parley-")) || !strings.HasPrefix(p.Runtime, os.Getenv("XDG_CACHE_HOME")) {
		t.Fatalf("runtime folder %q %v", p.Runtime, err)
	}
}

// The command line tells a running Parley that a key changed; with none running, nothing waits.
func TestTellTheRunningParley(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	begin := time.Now()
	tell(dir, requestKeys)
	if time.Since(begin) > time.Second {
		t.Fatal("telling nobody waited")
	}
	inst, err := claimInstance(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.close()
	got := make(chan string, 1)
	go inst.serve(func(r string) { got <- r })
	tell(dir, requestKeys)
	select {
	case r := <-got:
		if r != requestKeys {
			t.Fatalf("got %q", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the running Parley was not told")
	}
}
