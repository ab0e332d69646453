package settings

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// Endpoint is where a profile's requests go, and with which key. The environment's
// OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_ORG_ID override the profile, as the OpenAI SDKs do.
type Endpoint struct {
	BaseURL, Key, Org, Project string
	KeySource                  Source
	// KeyErr is why the keychain could not be read; a local server may need no key anyway.
	KeyErr error
	// FromEnv lists the settings the environment overrode, for telling the user.
	FromEnv []string
}

// DefaultBaseURL is OpenAI's API, used when a profile names no other.
const DefaultBaseURL = "https://api.openai.com/v1"

// URL is the base URL requests go to.
func (e Endpoint) URL() string {
	if e.BaseURL == "" {
		return DefaultBaseURL
	}
	return e.BaseURL
}

// Host is the server requests go to, as a user names it: "api.openai.com", "localhost:11434".
func (e Endpoint) Host() string {
	if u, err := url.Parse(e.URL()); err == nil && u.Host != "" {
		return u.Host
	}
	return e.URL()
}

// IsOpenAI tells whether requests go to OpenAI itself (which always needs a key).
func (e Endpoint) IsOpenAI() bool {
	return e.BaseURL == "" || strings.Contains(e.BaseURL, "api.openai.com")
}

// Where works out a profile's endpoint without its key: the profile's settings and the
// environment's overrides. It never waits.
func (k *Keys) Where(p Profile) Endpoint {
	e := Endpoint{BaseURL: p.BaseURL, Org: p.Organization, Project: p.Project}
	if v := strings.TrimSpace(k.getenv("OPENAI_BASE_URL")); v != "" {
		e.BaseURL = v
		e.FromEnv = append(e.FromEnv, "OPENAI_BASE_URL")
	}
	if v := strings.TrimSpace(k.getenv("OPENAI_ORG_ID")); v != "" {
		e.Org = v
		e.FromEnv = append(e.FromEnv, "OPENAI_ORG_ID")
	}
	return e
}

// Resolve works out a profile's endpoint and its key (environment, session, keychain). Reading
// the keychain may wait.
func (k *Keys) Resolve(p Profile) Endpoint {
	e := k.Where(p)
	e.Key, e.KeySource, e.KeyErr = k.Get(p.ID)
	if e.KeySource == FromEnv {
		e.FromEnv = append(e.FromEnv, EnvKey)
	}
	return e
}

// errBaseURL says what a base URL must look like.
var errBaseURL = errors.New("the base URL must look like https://api.openai.com/v1 or http://localhost:11434/v1")

// NormalizeBaseURL checks a base URL as typed and writes it one way: http or https, a host, no
// query, no trailing slash. Empty stays empty: OpenAI's own.
func NormalizeBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errBaseURL
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errBaseURL
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// SetConnection changes where a profile sends its requests. Another server has other models:
// the cached list goes when the address changes.
func (p *Profile) SetConnection(baseURL, org, project string) error {
	u, err := NormalizeBaseURL(baseURL)
	if err != nil {
		return err
	}
	if u != p.BaseURL {
		p.Models, p.ModelsFetched, p.NoResponses = nil, time.Time{}, false // another server: ask it afresh
	}
	p.BaseURL, p.Organization, p.Project = u, strings.TrimSpace(org), strings.TrimSpace(project)
	return nil
}

// SetModels keeps the chat models an endpoint listed, for the model picker.
func (p *Profile) SetModels(ids []string, at time.Time) {
	p.Models, p.ModelsFetched = ids, at
}

// RememberNoResponses notes that a profile's server has no Responses API (it answered 404
// there): Automatic uses Chat Completions with it from now on. It writes the file.
func (s *Store) RememberNoResponses(profile string) error {
	return s.Update(func(prefs *Prefs) error {
		for i := range prefs.Profiles {
			if prefs.Profiles[i].ID == profile {
				prefs.Profiles[i].NoResponses = true
			}
		}
		return nil
	})
}

// RememberModels keeps the chat models a profile's endpoint listed (a key test, a refresh), for
// the model picker. It writes the file: call it off the UI goroutine.
func (s *Store) RememberModels(profile string, ids []string, at time.Time) error {
	return s.Update(func(prefs *Prefs) error {
		for i := range prefs.Profiles {
			if prefs.Profiles[i].ID == profile {
				prefs.Profiles[i].SetModels(ids, at)
			}
		}
		return nil
	})
}
