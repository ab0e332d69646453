package settings

import (
	"strings"
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

// IsOpenAI tells whether requests go to OpenAI itself (which always needs a key).
func (e Endpoint) IsOpenAI() bool {
	return e.BaseURL == "" || strings.Contains(e.BaseURL, "api.openai.com")
}

// Resolve works out a profile's endpoint: the profile's settings, the environment's overrides,
// and its key (environment, session, keychain).
func (k *Keys) Resolve(p Profile) Endpoint {
	e := Endpoint{BaseURL: p.BaseURL, Org: p.Organization, Project: p.Project}
	if v := strings.TrimSpace(k.getenv("OPENAI_BASE_URL")); v != "" {
		e.BaseURL = v
		e.FromEnv = append(e.FromEnv, "OPENAI_BASE_URL")
	}
	if v := strings.TrimSpace(k.getenv("OPENAI_ORG_ID")); v != "" {
		e.Org = v
		e.FromEnv = append(e.FromEnv, "OPENAI_ORG_ID")
	}
	e.Key, e.KeySource, e.KeyErr = k.Get(p.Name)
	if e.KeySource == FromEnv {
		e.FromEnv = append(e.FromEnv, EnvKey)
	}
	return e
}
