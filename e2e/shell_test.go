//go:build e2e

package e2e

import (
	"syscall"
	"testing"
	"time"
)

func TestWindowOpensAndQuitsCleanly(t *testing.T) {
	h := newHome(t)
	a := launch(t, h, nil)
	id := window(t, "Parley", 20*time.Second)
	screenshot(t, id, "shell")
	key(t, id, "ctrl+q")
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d after Ctrl+Q", code)
	}
	if a.stderr.Len() > 0 {
		t.Fatalf("error output on quit:\n%s", a.stderr.String())
	}
}

func TestSIGTERMExitsCleanly(t *testing.T) {
	h := newHome(t)
	a := launch(t, h, nil)
	window(t, "Parley", 20*time.Second)
	a.cmd.Process.Signal(syscall.SIGTERM)
	if code := a.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	if a.stderr.Len() > 0 {
		t.Fatalf("error output on SIGTERM:\n%s", a.stderr.String())
	}
}
