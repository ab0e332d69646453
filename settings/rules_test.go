package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// Deleting a profile takes its key with it, or, when the settings cannot be saved, neither.
func TestRemoveProfileTakesItsKeyOrNothing(t *testing.T) {
	k := mockKeys(t)
	s, _ := OpenStore(t.TempDir())
	work, _ := s.AddProfile(NewProfile("work"))
	k.Set(work.ID, key1)
	k.Set(DefaultProfile, key2)

	s.write = func(string, []byte) error { return errors.New("no space left on device") }
	if err := RemoveProfile(s, k, work.ID); err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("err %v", err)
	}
	if _, ok := s.Prefs().Profile(work.ID); !ok {
		t.Fatal("the profile went though the settings could not be saved")
	}
	if v, _, _ := k.Get(work.ID); v != key1 {
		t.Fatalf("the key was lost: %q", v)
	}

	s.write = writeAtomic
	if err := RemoveProfile(s, k, work.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Prefs().Profile(work.ID); ok {
		t.Fatal("still there")
	}
	if v, _, _ := k.Get(work.ID); v != "" {
		t.Fatalf("its key stayed: %q", v)
	}
	if v, _, _ := k.Get(DefaultProfile); v != key2 {
		t.Fatal("another profile's key went")
	}
	if err := RemoveProfile(s, k, DefaultProfile); err == nil {
		t.Fatal("the last profile went")
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"  http://localhost:11434/v1/  ": "http://localhost:11434/v1",
		"HTTPS://API.OpenAI.com/v1":      "https://api.openai.com/v1",
		"http://127.0.0.1:8000/v1//":     "http://127.0.0.1:8000/v1",
		"http://[::1]:1234/v1":           "http://[::1]:1234/v1",
	} {
		if got, err := NormalizeBaseURL(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"localhost:11434", "ftp://host/v1", "file:///etc/passwd", "http://", "http://user:pw@host/v1", "http://host/v1?x=1", "javascript:alert(1)", "http//host"} {
		if got, err := NormalizeBaseURL(bad); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

// Pointing a profile at another server forgets the models the old one listed.
func TestSetConnectionForgetsTheOldServersModels(t *testing.T) {
	p := NewProfile("x")
	p.SetModels([]string{"gpt-4o"}, time.Now())
	if err := p.SetConnection("http://localhost:11434/v1/", " org-1 ", ""); err != nil {
		t.Fatal(err)
	}
	if p.BaseURL != "http://localhost:11434/v1" || p.Organization != "org-1" || p.Models != nil || !p.ModelsFetched.IsZero() {
		t.Fatalf("%+v", p)
	}
	p.SetModels([]string{"llama3"}, time.Now())
	p.SetConnection("http://localhost:11434/v1", "", "")
	if len(p.Models) != 1 {
		t.Fatal("the same server's models were forgotten")
	}
	if err := p.SetConnection("localhost", "", ""); err == nil || p.BaseURL != "http://localhost:11434/v1" {
		t.Fatalf("a bad address changed the profile: %v %+v", err, p)
	}
}

func TestParseLimits(t *testing.T) {
	l, err := ParseLimits(" 500 ", "30,000", "", "$1,250.50")
	if err != nil || l != (Limits{RPM: 500, TPM: 30000, MonthlyBudget: 1250.5}) {
		t.Fatalf("%+v %v", l, err)
	}
	for _, bad := range [][4]string{{"-1", "", "", ""}, {"", "1.5", "", ""}, {"", "", "many", ""}, {"", "", "", "$-3"}, {"", "", "", "NaN"}} {
		if _, err := ParseLimits(bad[0], bad[1], bad[2], bad[3]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if n, err := ParseMaxOutput(" 4,096 "); n != 4096 || err != nil {
		t.Fatal(n, err)
	}
	if _, err := ParseMaxOutput("lots"); err == nil {
		t.Fatal("accepted")
	}
}

// A new key is stored only once the server took it: a mistyped key never replaces a good one.
func TestSaveTestedKeepsTheOldKeyUntilTheNewOnePasses(t *testing.T) {
	k := mockKeys(t)
	p := defaultPrefs().Profiles[0]
	k.Set(p.ID, key1)
	var tested []string
	server := func(answer error) Tester {
		return func(_ context.Context, _ Profile, key string) error {
			tested = append(tested, key)
			return answer
		}
	}
	refused := fmt.Errorf("%w: Incorrect API key provided", ErrKeyRefused)
	if err := k.SaveTested(context.Background(), p, key2, server(refused)); !errors.Is(err, ErrKeyRefused) {
		t.Fatalf("err %v", err)
	}
	if v, _, _ := k.Get(p.ID); v != key1 {
		t.Fatalf("a refused key replaced the good one: %q", v)
	}
	err := k.SaveTested(context.Background(), p, key2, server(errors.New("connection refused")))
	var untested *UntestedError
	if !errors.As(err, &untested) || !strings.Contains(untested.UserMessage(), "save it untested") {
		t.Fatalf("err %v", err)
	}
	if v, _, _ := k.Get(p.ID); v != key1 {
		t.Fatalf("an untested key replaced the good one: %q", v)
	}
	if err := k.SaveTested(context.Background(), p, " "+key2+"\n", server(nil)); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := k.Get(p.ID); v != key2 {
		t.Fatalf("the tested key was not stored: %q", v)
	}
	if tested[len(tested)-1] != key2 {
		t.Fatalf("the key was tested as %q, not cleaned", tested[len(tested)-1])
	}
	if err := k.SaveTested(context.Background(), p, "two keys", server(nil)); err == nil {
		t.Fatal("a key with a space was tested")
	}
}

// A keychain that cannot be used is said before the server is asked about the key.
func TestSaveTestedSaysFirstThatTheKeychainCannotBeUsed(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	k := NewKeys(SystemKeyring{}) // the mocked system keychain, with no D-Bus to look for
	k.getenv = func(string) string { return "" }
	asked := false
	err := k.SaveTested(context.Background(), defaultPrefs().Profiles[0], key1, func(context.Context, Profile, string) error { asked = true; return nil })
	var ke *KeychainError
	if !errors.As(err, &ke) || asked {
		t.Fatalf("err %v, server asked %v", err, asked)
	}
}
