//go:build e2e

package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const rotatedKey = "sk-proj-ROTATEDkey9876543210zyxwvuQRST"

func secretTool(t *testing.T, profile string) string {
	t.Helper()
	out, _ := exec.Command("secret-tool", "lookup", "service", "Parley", "username", profile).Output()
	return strings.TrimSpace(string(out))
}

// Set, show masked, use, rotate, test and delete a key in the real keychain (gnome-keyring on
// this test's D-Bus session); nothing Parley writes ever holds it.
func TestKeyInTheRealKeychain(t *testing.T) {
	h := newHome(t)
	profile := "e2e-" + strings.ReplaceAll(t.Name(), "/", "-")
	s, url := openServer(t)
	env := []string{"OPENAI_BASE_URL=" + url}
	t.Cleanup(func() { exec.Command("secret-tool", "clear", "service", "Parley", "username", profile).Run() })

	// Every command takes --profile right after its name (for ask, flags come before the prompt).
	run := func(stdin string, args ...string) (int, string, string) {
		n := 1
		if args[0] == "key" {
			n = 2
		}
		full := append(append(append([]string{}, args[:n]...), "--profile", profile), args[n:]...)
		return parley(t, h, env, stdin, full...)
	}
	// The profile must exist: add it through the settings file the window uses.
	writeProfile(t, h, profile)

	if code, out, _ := run("", "key", "show"); code != 0 || !strings.Contains(out, "no key") {
		t.Fatalf("show before set: %d %q", code, out)
	}
	code, out, errOut := run(testKey+"\n", "key", "set")
	if code != 0 || !strings.Contains(out, "sk-…mnop") || strings.Contains(out+errOut, testKey) {
		t.Fatalf("set: %d %q %q", code, out, errOut)
	}
	if got := secretTool(t, profile); got != testKey {
		t.Fatalf("the keychain holds %q", got)
	}
	if _, out, _ := run("", "key", "show"); strings.TrimSpace(out) != "sk-…mnop (keychain)" {
		t.Fatalf("show: %q", out)
	}
	if code, out, _ := run("", "key", "test"); code != 0 || !strings.HasPrefix(out, "valid: 12 chat models") {
		t.Fatalf("test: %d %q", code, out)
	}
	if code, _, errOut := run("", "ask", "hello"); code != 0 {
		t.Fatalf("ask: %d %s", code, errOut)
	}
	if got := s.Requests()[len(s.Requests())-1].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("ask sent %q", got)
	}
	// Rotate.
	if code, out, _ := run(rotatedKey+"\n", "key", "set"); code != 0 || !strings.Contains(out, "sk-…QRST") {
		t.Fatalf("rotate: %d %q", code, out)
	}
	run("", "ask", "hello again")
	if got := s.Requests()[len(s.Requests())-1].Header.Get("Authorization"); got != "Bearer "+rotatedKey {
		t.Fatalf("after rotation ask sent %q", got)
	}
	if code, out, _ := run("", "key", "delete"); code != 0 || !strings.Contains(out, "Deleted") {
		t.Fatalf("delete: %d %q", code, out)
	}
	if got := secretTool(t, profile); got != "" {
		t.Fatalf("the keychain still holds %q", got)
	}
	for _, k := range []string{testKey, rotatedKey} {
		if leaks := filesContaining(t, h.Dir, k); len(leaks) > 0 {
			t.Fatalf("the key is on disk in %v", leaks)
		}
	}
}

// With no Secret Service on the bus, Parley says so in plain words and writes the key nowhere.
func TestNoSecretServiceIsExplained(t *testing.T) {
	h := newHome(t)
	bus := bareBus(t)
	env := []string{"DBUS_SESSION_BUS_ADDRESS=" + bus}
	code, out, errOut := parley(t, h, env, testKey+"\n", "key", "set")
	if code != 1 || !strings.Contains(errOut, "No keychain is running") || !strings.Contains(errOut, "gnome-keyring") {
		t.Fatalf("key set: %d %q %q", code, out, errOut)
	}
	if strings.Count(errOut, "\n") != 1 {
		t.Fatalf("more than one line: %q", errOut)
	}

	// The window: the first-run card takes the key, the keychain refuses, the user is told.
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(800 * time.Millisecond)
	const primary, errorRed = 0x296ff6, 0xf44336 // the dark theme's button and error colours
	first := screenshot(t, id, "first-run")
	// The card shows: "Save key and start" beside "New chat", both primary buttons; nothing red yet.
	if n := pixelsOf(t, first, primary); n < 2*3000 || pixelsOf(t, first, errorRed) != 0 {
		t.Fatalf("no first-run card: %d primary pixels", n)
	}
	typeText(t, id, testKey)
	key(t, id, "Return")
	time.Sleep(1500 * time.Millisecond)
	// The keychain's refusal is said on the card, in red.
	if n := pixelsOf(t, screenshot(t, id, "first-run-no-keychain"), errorRed); n < 300 {
		t.Fatalf("the card does not say the keychain failed (%d red pixels)", n)
	}
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)
	if leaks := filesContaining(t, h.Dir, testKey); len(leaks) > 0 {
		t.Fatalf("the key is on disk in %v", leaks)
	}
}

// A key set from the command line while the window runs is the one the window sends next.
func TestKeySetFromTheCommandLineReachesTheWindow(t *testing.T) {
	h := newHome(t)
	s, url := openServer(t) // any key is taken: the test reads which one arrives
	env := []string{"OPENAI_BASE_URL=" + url}
	if code, _, errOut := parley(t, h, env, testKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("key set: %d %s", code, errOut)
	}
	a := launch(t, h, env)
	id := window(t, "Parley", 20*time.Second)
	time.Sleep(800 * time.Millisecond)
	if code, _, errOut := parley(t, h, env, rotatedKey+"\n", "key", "set"); code != 0 {
		t.Fatalf("rotate: %d %s", code, errOut)
	}
	time.Sleep(500 * time.Millisecond)
	typeText(t, id, "Which key?")
	key(t, id, "Return")
	eventually(t, 10*time.Second, func() error {
		for _, r := range s.Requests() {
			if r.Path == "/v1/chat/completions" {
				if got := r.Header.Get("Authorization"); got != "Bearer "+rotatedKey {
					t.Fatalf("the window sent %q, not the key set from the command line", got)
				}
				return nil
			}
		}
		return fmt.Errorf("nothing asked yet")
	})
	key(t, id, "ctrl+q")
	a.wait(10 * time.Second)
}

// With no D-Bus session at all, the command says so and leaves no D-Bus daemon behind (the D-Bus
// library would launch one for it), and the way around it it offers is one the command line has.
func TestNoSessionBusLeavesNothingBehind(t *testing.T) {
	daemons := func() int {
		out, _ := exec.Command("pgrep", "-c", "-x", "dbus-daemon").Output()
		n := 0
		fmt.Sscan(strings.TrimSpace(string(out)), &n)
		return n
	}
	h := newHome(t)
	before := daemons()
	code, _, errOut := parley(t, h, []string{"DBUS_SESSION_BUS_ADDRESS="}, "", "key", "show")
	if code != 1 || !strings.Contains(errOut, "no D-Bus session") || !strings.Contains(errOut, "OPENAI_API_KEY") || strings.Contains(errOut, "session only") {
		t.Fatalf("%d %q", code, errOut)
	}
	time.Sleep(300 * time.Millisecond)
	if after := daemons(); after > before {
		t.Fatalf("%d D-Bus daemons before, %d after", before, after)
	}
}
