package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"parley/settings"
)

const keyUsageText = `set|show|test|delete|list|rotate [--profile NAME] [--admin]

  set      test the API key read from standard input against the profile's endpoint, then
           store it in the OS keychain (--no-test stores it untested); with --admin, the
           organization admin key (sk-admin-…) that the account figures and rotation need
  show     print the key masked, and where it comes from (--admin: the admin key)
  test     check the key against the endpoint (GET /v1/models)
  delete   remove the key from the keychain (--admin: the admin key)
  list     the project's keys: name, redacted value, owner, created, last used, last 24 h
           (needs the admin key; --json)
  rotate   replace the key with a new one in one step: make it, test it, swap it in, revoke
           the old one (needs the admin key; --resume finishes one cut short)`

func (c *cli) key(args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(c.stderr, "Usage: parley key", keyUsageText)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitUsage
	}
	action := args[0]
	fs := c.flags("key "+action, "[--profile NAME]")
	profileName := fs.String("profile", "", "the profile (default: the current one)")
	noTest, admin, asJSON, resume := false, false, false, false
	if action == "set" {
		fs.BoolVar(&noTest, "no-test", false, "store the key without testing it first (the server cannot be reached)")
	}
	if action == "set" || action == "show" || action == "delete" {
		fs.BoolVar(&admin, "admin", false, "the organization admin key (sk-admin-…), not the API key")
	}
	if action == "list" {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}
	if action == "rotate" {
		fs.BoolVar(&resume, "resume", false, "finish, or undo, a rotation that was cut short")
	}
	if code := parseAnywhere(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(c.stderr, "parley: the key is never taken as an argument (it would stay in your shell history): pipe it on standard input")
		return exitUsage
	}
	p, err := c.svc.profile(*profileName)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	switch {
	case action == "set" && admin:
		return c.adminKeySet(p, noTest)
	case action == "show" && admin:
		return c.adminKeyShow(p)
	case action == "delete" && admin:
		if err := c.svc.keys.DeleteAdmin(p.ID); err != nil {
			return c.fail(exitFailure, err)
		}
		fmt.Fprintf(c.stdout, "Deleted the admin key of profile %q from the keychain.\n", p.Name)
		return exitOK
	case action == "list":
		return c.keyList(p, asJSON)
	case action == "rotate":
		return c.keyRotate(p, resume)
	}
	switch action {
	case "set":
		return c.keySet(p, noTest)
	case "show":
		return c.keyShow(p)
	case "test":
		return c.keyTest(p)
	case "delete":
		if err := c.svc.keys.Delete(p.ID); err != nil {
			return c.fail(exitFailure, err)
		}
		tell(c.svc.paths.Runtime, requestKeys)
		fmt.Fprintf(c.stdout, "Deleted the key of profile %q from the keychain.\n", p.Name)
		if c.svc.getenv(settings.EnvKey) != "" {
			fmt.Fprintf(c.stdout, "%s is still set in this environment and is used instead.\n", settings.EnvKey)
		}
		return exitOK
	}
	fmt.Fprintf(c.stderr, "parley: unknown key action %q\nUsage: parley key %s\n", action, keyUsageText)
	return exitUsage
}

// keySet tests a key against the profile's endpoint and stores it once it passes: a mistyped
// key never replaces the working one.
func (c *cli) keySet(p settings.Profile, noTest bool) int {
	key, err := c.readSecret(fmt.Sprintf("API key for profile %q (input hidden): ", p.Name))
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if key, err = settings.CleanKey(key); err != nil {
		return c.fail(exitUsage, err)
	}
	how := "Tested and stored"
	if noTest {
		how = "Stored, untested,"
		err = c.svc.keys.Set(p.ID, key)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = c.svc.keys.SaveTested(ctx, p, key, c.svc.testKey)
	}
	var untested *settings.UntestedError
	switch {
	case errors.As(err, &untested):
		fmt.Fprintf(c.stderr, "parley: the key could not be tested, so the keychain is unchanged: %s\nStore it anyway with: parley key set --no-test --profile %q\n", plain(untested.Err), p.Name)
		return exitFailure
	case errors.Is(err, settings.ErrKeyRefused):
		fmt.Fprintf(c.stderr, "parley: not stored, the keychain is unchanged: %s\n", plain(err))
		return exitFailure
	case errors.Is(err, settings.ErrAdminKeyAsAPIKey):
		fmt.Fprintf(c.stderr, "parley: not stored: %s (parley key set --admin)\n", err)
		return exitUsage
	case err != nil:
		return c.fail(exitFailure, err)
	}
	tell(c.svc.paths.Runtime, requestKeys) // a running window uses it from its next request
	fmt.Fprintf(c.stdout, "%s the key for profile %q in the keychain: %s\n", how, p.Name, settings.Mask(key))
	if c.svc.getenv(settings.EnvKey) != "" {
		fmt.Fprintf(c.stdout, "Note: %s is set in this environment and overrides it.\n", settings.EnvKey)
	}
	return exitOK
}

// readSecret reads one line from standard input, without echo when it is a terminal.
func (c *cli) readSecret(prompt string) (string, error) {
	if f, ok := c.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.stderr)
		if err != nil {
			return "", fmt.Errorf("reading the key: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(c.stdin, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the key: %w", err)
	}
	return line, nil
}

func (c *cli) keyShow(p settings.Profile) int {
	key, src, err := c.svc.keys.Get(p.ID)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	switch src {
	case settings.FromNone:
		fmt.Fprintf(c.stdout, "no key for profile %q (set one with: parley key set --profile %q)\n", p.Name, p.Name)
	case settings.FromEnv:
		fmt.Fprintf(c.stdout, "%s (environment: %s)\n", settings.Mask(key), settings.EnvKey)
	default:
		fmt.Fprintf(c.stdout, "%s (%s)\n", settings.Mask(key), src)
	}
	return exitOK
}

func (c *cli) keyTest(p settings.Profile) int {
	client, ep := c.svc.client(p, nil)
	if ep.KeyErr != nil {
		return c.fail(exitFailure, ep.KeyErr)
	}
	if ep.Key == "" && ep.BaseURL == "" {
		return c.fail(exitFailure, fmt.Errorf("no key for profile %q: set one with: parley key set --profile %q", p.Name, p.Name))
	}
	ids, err := client.Models(context.Background())
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintf(c.stdout, "valid: %d chat models at %s\n", len(ids), ep.URL())
	c.cacheModels(p.ID, ids)
	return exitOK
}
