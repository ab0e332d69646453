package settings

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

const key1 = "sk-proj-firstKEY0123456789abcdefAbCd"
const key2 = "sk-proj-secondKEY9876543210zyxwvuWXYZ"

func mockKeys(t *testing.T) *Keys {
	t.Helper()
	keyring.MockInit()
	k := NewKeys(SystemKeyring{}) // the mocked system keychain, with no D-Bus to look for
	k.getenv = func(string) string { return "" }
	return k
}

func TestKeysSetShowRotateDelete(t *testing.T) {
	k := mockKeys(t)
	if v, src, err := k.Get("default"); err != nil || v != "" || src != FromNone {
		t.Fatalf("fresh: %q %s %v", v, src, err)
	}
	if err := k.Set("default", "  "+key1+"\n"); err != nil {
		t.Fatal(err)
	}
	if v, src, _ := k.Get("default"); v != key1 || src != FromKeychain {
		t.Fatalf("after set: %q %s", v, src)
	}
	if err := k.Set("default", key2); err != nil { // rotate
		t.Fatal(err)
	}
	if v, _, _ := k.Get("default"); v != key2 {
		t.Fatalf("after rotate: %q", v)
	}
	if src, _ := k.Stored("default"); src != FromKeychain {
		t.Fatalf("stored %s", src)
	}
	if err := k.Delete("default"); err != nil {
		t.Fatal(err)
	}
	if v, src, _ := k.Get("default"); v != "" || src != FromNone {
		t.Fatalf("after delete: %q %s", v, src)
	}
	if err := k.Delete("default"); err != nil {
		t.Fatalf("deleting nothing: %v", err)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	k := mockKeys(t)
	k.Set("default", key1)
	k.getenv = func(name string) string {
		if name == EnvKey {
			return key2
		}
		return ""
	}
	if v, src, _ := k.Get("default"); v != key2 || src != FromEnv {
		t.Fatalf("%q %s", v, src)
	}
	if src, _ := k.Stored("default"); src != FromKeychain {
		t.Fatalf("stored %s", src)
	}
}

func TestProfilesHaveTheirOwnKeys(t *testing.T) {
	k := mockKeys(t)
	k.Set("work", key1)
	k.Set("home", key2)
	if v, _, _ := k.Get("work"); v != key1 {
		t.Fatal(v)
	}
	if v, _, _ := k.Get("home"); v != key2 {
		t.Fatal("other profile's key changed")
	}
}

func TestUnusableKeychainIsExplainedAndSessionKeysWork(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), "No keychain is running"},
		{errors.New("dbus: DBUS_SESSION_BUS_ADDRESS not set"), "no D-Bus session"},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), "locked"},
		{keyring.ErrSetDataTooBig, "2,560 bytes"},
		{errors.New("User canceled the operation. (-128)"), "denied"},
	} {
		keyring.MockInitWithError(tc.err)
		k := NewKeys(SystemKeyring{}) // the mocked system keychain, with no D-Bus to look for
		k.getenv = func(string) string { return "" }
		err := k.Set("default", key1)
		var ke *KeychainError
		if !errors.As(err, &ke) || !strings.Contains(ke.Problem, tc.want) || ke.Fix == "" {
			t.Errorf("%v: got %v", tc.err, err)
		}
		if _, _, err := k.Get("default"); err == nil {
			t.Errorf("%v: Get did not fail", tc.err)
		}
		// The user may go on with the key held in memory for this session.
		if err := k.SetSession("default", key1); err != nil {
			t.Fatal(err)
		}
		if v, src, err := k.Get("default"); v != key1 || src != FromSession || err != nil {
			t.Errorf("session key: %q %s %v", v, src, err)
		}
	}
}

type hangingKeyring struct{}

func (hangingKeyring) Set(string, string, string) error   { select {} }
func (hangingKeyring) Get(string, string) (string, error) { select {} }
func (hangingKeyring) Delete(string, string) error        { select {} }

func TestLockedKeychainThatNeverAnswersTimesOut(t *testing.T) {
	k := NewKeys(hangingKeyring{})
	k.getenv = func(string) string { return "" }
	k.timeout = 50 * time.Millisecond
	_, _, err := k.Get("default")
	var ke *KeychainError
	if !errors.As(err, &ke) || !strings.Contains(ke.Problem, "did not answer") {
		t.Fatalf("%v", err)
	}
}

func TestCleanKeyAndMask(t *testing.T) {
	for _, bad := range []string{"", "   ", "sk-one sk-two", "sk-abc\ndef"} {
		if _, err := CleanKey(bad); err == nil {
			t.Errorf("CleanKey(%q) accepted", bad)
		}
	}
	if v, err := CleanKey("\t" + key1 + " \n"); err != nil || v != key1 {
		t.Fatalf("%q %v", v, err)
	}
	for in, want := range map[string]string{
		key1:                "sk-…AbCd",
		"sk-abcdefghijAbCd": "sk-…AbCd",
		"ollama-local-key":  "ol…-key",
		"short":             "•••••",
		"":                  "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// With no D-Bus session, the keychain is not asked at all (the D-Bus library would launch a
// session bus of its own that outlives the command), and the user is told what is wrong.
func TestNoSessionBusAsksNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is Linux's")
	}
	keyring.MockInit() // if Parley asked anyway, this mock would answer
	k := NewKeys(nil)
	k.getenv = func(string) string { return "" }
	_, _, err := k.Get("default")
	var ke *KeychainError
	if !errors.As(err, &ke) || !strings.Contains(ke.Problem, "no D-Bus session") {
		t.Fatalf("err %v", err)
	}
	if m := ke.CommandLineMessage(); !strings.Contains(m, EnvKey) || strings.Contains(m, "session only") {
		t.Fatalf("command line: %q", m)
	}
	if m := ke.UserMessage(); !strings.Contains(m, "session only") {
		t.Fatalf("window: %q", m)
	}
}
