package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Admin talks to an organization's Admin API (/v1/organization/...) with an admin key made by
// an organization owner: the real spend and usage, the project's own rate limits and keys, and
// the key operations that rotating a compromised key takes. go-openai has none of it, so it is
// plain HTTP, in the engine's ways: the same transport and redirect rules, the official
// retries, errors in plain words, and the admin key redacted from everything. The admin key goes
// to these endpoints only, never to a model endpoint.
type Admin struct {
	cfg  Config
	http *http.Client
	host string
}

// NewAdmin returns an Admin API client. cfg.APIKey is the admin key; cfg.BaseURL the endpoint
// (OpenAI's unless the profile says otherwise).
func NewAdmin(cfg Config) *Admin {
	cfg = cfg.withDefaults()
	a := &Admin{cfg: cfg, http: &http.Client{Transport: cfg.Transport, CheckRedirect: checkRedirect, Timeout: time.Minute}}
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		a.host = u.Host
	}
	return a
}

// LooksLikeAdminKey tells an admin key by its prefix.
func LooksLikeAdminKey(key string) bool {
	return strings.HasPrefix(strings.TrimSpace(key), "sk-admin-")
}

// do sends one Admin API request, retried as the official SDKs retry, and decodes the answer.
func (a *Admin) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := a.cfg.BaseURL + "/organization/" + strings.TrimPrefix(path, "/")
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	return doPlain(ctx, a.cfg, a.http, plainRequest{method: method, url: u, contentType: "application/json", body: payload}, out,
		a.classify, a.apiError, "The Admin API sent something Parley cannot read.")
}

func (a *Admin) classify(err error) *Error { return classify(err, "", a.host, a.cfg.APIKey) }

// apiError puts an Admin API refusal in plain words: which key the field wants, what an admin
// key without write rights can do, and the rest as the engine says it.
func (a *Admin) apiError(status int, body []byte) *Error {
	var wrapped struct {
		Error *openai.APIError `json:"error"`
	}
	api := &openai.APIError{HTTPStatusCode: status, Message: strings.TrimSpace(string(body))}
	if json.Unmarshal(body, &wrapped) == nil && wrapped.Error != nil {
		api = wrapped.Error
		api.HTTPStatusCode = status
	}
	e := a.classify(api)
	switch {
	case status == 401 && !LooksLikeAdminKey(a.cfg.APIKey):
		e.Message = "This is not an admin key: the account figures and key operations need one (sk-admin-…), made by an organization owner."
		e.Action = "Put your API key in the API key field, and an admin key from platform.openai.com/settings/organization/admin-keys here."
	case status == 401:
		e.Message = "The admin key was refused: it is wrong or revoked."
		e.Action = "Make a new one at platform.openai.com/settings/organization/admin-keys."
	case status == 403:
		e.Kind = NoAccess
		e.Message = "This admin key may not do that (it lacks write rights, or its owner is no longer an owner)."
		e.Action = "Use an admin key of an organization owner with write access."
	case status == 404 && e.Code == "":
		e.Message = "The Admin API is not there: this endpoint is not OpenAI's, or the project does not exist."
		e.Action = "Admin keys work with OpenAI itself; check the profile's base URL and project."
	}
	return e
}

// AdminProject is one of the organization's projects.
type AdminProject struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// AdminKey is a project API key as the Admin API lists it: never its value.
type AdminKey struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	RedactedValue string `json:"redacted_value"`
	CreatedAt     int64  `json:"created_at"`
	LastUsedAt    *int64 `json:"last_used_at"`
	Owner         struct {
		Type           string `json:"type"` // "user" or "service_account"
		User           *struct{ ID, Name, Email string }
		ServiceAccount *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"service_account"`
	} `json:"owner"`
}

// Created and LastUsed are the key's times (LastUsed zero when never used).
func (k AdminKey) Created() time.Time { return time.Unix(k.CreatedAt, 0) }

// LastUsed is when the key was last used, zero when never.
func (k AdminKey) LastUsed() time.Time {
	if k.LastUsedAt == nil {
		return time.Time{}
	}
	return time.Unix(*k.LastUsedAt, 0)
}

// Matches tells whether a key's redacted value is that of a secret: the same start, and the
// same last four characters.
func (k AdminKey) Matches(secret string) bool {
	r := k.RedactedValue
	i := strings.Index(r, "*")
	if i < 0 || len(secret) < 8 {
		return false
	}
	prefix, suffix := r[:i], strings.TrimLeft(r[i:], "*")
	return strings.HasPrefix(secret, prefix) && suffix != "" && strings.HasSuffix(secret, suffix)
}

// AdminRateLimit is a project's rate limit for one model.
type AdminRateLimit struct {
	Model          string `json:"model"`
	RPM            int    `json:"max_requests_per_1_minute"`
	TPM            int    `json:"max_tokens_per_1_minute"`
	RPD            int    `json:"max_requests_per_1_day"`
	BatchDayTokens int    `json:"batch_1_day_max_input_tokens"`
}

// list pages through a list endpoint (limit and after) and appends every item to out.
func list[T any](a *Admin, ctx context.Context, path string, out *[]T) error {
	after := ""
	for pages := 0; pages < 1000; pages++ {
		q := url.Values{"limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Data    []json.RawMessage `json:"data"`
			HasMore bool              `json:"has_more"`
			LastID  string            `json:"last_id"`
		}
		if err := a.do(ctx, http.MethodGet, path, q, nil, &page); err != nil {
			return err
		}
		for _, raw := range page.Data {
			var item T
			if err := json.Unmarshal(raw, &item); err != nil {
				return &Error{Kind: BadResponse, Message: "The Admin API sent a list Parley cannot read.", Detail: err.Error()}
			}
			*out = append(*out, item)
		}
		if !page.HasMore || page.LastID == "" || page.LastID == after {
			return nil
		}
		after = page.LastID
	}
	return errors.New("the Admin API's list did not end after 1,000 pages")
}

// Projects lists the organization's projects.
func (a *Admin) Projects(ctx context.Context) ([]AdminProject, error) {
	var out []AdminProject
	return out, list(a, ctx, "projects", &out)
}

// APIKeys lists a project's API keys.
func (a *Admin) APIKeys(ctx context.Context, project string) ([]AdminKey, error) {
	var out []AdminKey
	return out, list(a, ctx, "projects/"+url.PathEscape(project)+"/api_keys", &out)
}

// RateLimits lists a project's rate limits, per model.
func (a *Admin) RateLimits(ctx context.Context, project string) ([]AdminRateLimit, error) {
	var out []AdminRateLimit
	return out, list(a, ctx, "projects/"+url.PathEscape(project)+"/rate_limits", &out)
}

// SpendLimit is a project's monthly spend limit ("": the organization's) in dollars; ok is
// false when none is set.
func (a *Admin) SpendLimit(ctx context.Context, project string) (usd float64, ok bool, err error) {
	path := "spend_limit"
	if project != "" {
		path = "projects/" + url.PathEscape(project) + "/spend_limit"
	}
	var limit struct {
		Threshold int `json:"threshold_amount"` // cents
	}
	err = a.do(ctx, http.MethodGet, path, nil, nil, &limit)
	var e *Error
	if errors.As(err, &e) && e.Status == 404 {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return float64(limit.Threshold) / 100, true, nil
}

// CostBucket is a day's cost, whole or by project.
type CostBucket struct {
	Start, End time.Time
	Results    []CostResult
}

// CostResult is a cost in dollars, and the project it is for when grouped by project.
type CostResult struct {
	USD     float64
	Project string
}

// Costs are the organization's costs per day from start to end, grouped by project when
// byProject, only the projects named when any are.
func (a *Admin) Costs(ctx context.Context, start, end time.Time, byProject bool, projects ...string) ([]CostBucket, error) {
	q := url.Values{"start_time": {unix(start)}, "end_time": {unix(end)}, "bucket_width": {"1d"}, "limit": {"180"}}
	if byProject {
		q.Set("group_by[]", "project_id")
	}
	for _, p := range projects {
		q.Add("project_ids[]", p)
	}
	var out []CostBucket
	err := buckets(a, ctx, "costs", q, func(start, end time.Time, raw json.RawMessage) error {
		var r struct {
			Amount struct {
				Value float64 `json:"value"`
			} `json:"amount"`
			Project *string `json:"project_id"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if len(out) == 0 || !out[len(out)-1].Start.Equal(start) {
			out = append(out, CostBucket{Start: start, End: end})
		}
		res := CostResult{USD: r.Amount.Value}
		if r.Project != nil {
			res.Project = *r.Project
		}
		out[len(out)-1].Results = append(out[len(out)-1].Results, res)
		return nil
	})
	return out, err
}

// UsageResult is completions usage in one bucket, for a model or a key when grouped so.
type UsageResult struct {
	Start, End                                  time.Time
	Model, KeyID                                string
	Input, Cached, CacheWrite, Output, Requests int
}

// Usage is the completions usage from start to end in buckets of width ("1d", "1h"), grouped by
// "model" and/or "api_key_id", for some keys or a project when named.
func (a *Admin) Usage(ctx context.Context, start, end time.Time, width string, groupBy []string, keyIDs []string, project string) ([]UsageResult, error) {
	q := url.Values{"start_time": {unix(start)}, "end_time": {unix(end)}, "bucket_width": {width}}
	q.Set("limit", map[string]string{"1d": "31", "1h": "168", "1m": "1440"}[width])
	for _, g := range groupBy {
		q.Add("group_by[]", g)
	}
	for _, k := range keyIDs {
		q.Add("api_key_ids[]", k)
	}
	if project != "" {
		q.Add("project_ids[]", project)
	}
	var out []UsageResult
	err := buckets(a, ctx, "usage/completions", q, func(start, end time.Time, raw json.RawMessage) error {
		var r struct {
			Input      int     `json:"input_tokens"`
			Cached     int     `json:"input_cached_tokens"`
			CacheWrite int     `json:"input_cache_write_tokens"`
			Output     int     `json:"output_tokens"`
			Requests   int     `json:"num_model_requests"`
			Model      *string `json:"model"`
			KeyID      *string `json:"api_key_id"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		u := UsageResult{Start: start, End: end, Input: r.Input, Cached: r.Cached, CacheWrite: r.CacheWrite, Output: r.Output, Requests: r.Requests}
		if r.Model != nil {
			u.Model = *r.Model
		}
		if r.KeyID != nil {
			u.KeyID = *r.KeyID
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// buckets pages through a bucketed endpoint (page = next_page) and hands every result over.
func buckets(a *Admin, ctx context.Context, path string, q url.Values, each func(start, end time.Time, raw json.RawMessage) error) error {
	for pages := 0; pages < 1000; pages++ {
		var page struct {
			Data []struct {
				Start   int64             `json:"start_time"`
				End     int64             `json:"end_time"`
				Results []json.RawMessage `json:"results"`
			} `json:"data"`
			HasMore  bool   `json:"has_more"`
			NextPage string `json:"next_page"`
		}
		if err := a.do(ctx, http.MethodGet, path, q, nil, &page); err != nil {
			return err
		}
		for _, b := range page.Data {
			for _, raw := range b.Results {
				if err := each(time.Unix(b.Start, 0).UTC(), time.Unix(b.End, 0).UTC(), raw); err != nil {
					return &Error{Kind: BadResponse, Message: "The Admin API sent figures Parley cannot read.", Detail: err.Error()}
				}
			}
		}
		if !page.HasMore || page.NextPage == "" {
			return nil
		}
		q.Set("page", page.NextPage)
	}
	return errors.New("the Admin API's figures did not end after 1,000 pages")
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// NewServiceKey is a service account made for a rotation, and its key, whose value is shown
// once.
type NewServiceKey struct {
	AccountID, KeyID, Value string
}

// CreateServiceAccount makes a service account in a project, with its first key.
func (a *Admin) CreateServiceAccount(ctx context.Context, project, name string) (NewServiceKey, error) {
	var sa struct {
		ID     string `json:"id"`
		APIKey struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		} `json:"api_key"`
	}
	err := a.do(ctx, http.MethodPost, "projects/"+url.PathEscape(project)+"/service_accounts", nil, map[string]string{"name": name}, &sa)
	if err == nil && (sa.ID == "" || sa.APIKey.Value == "") {
		err = &Error{Kind: BadResponse, Message: "The Admin API made a service account but sent no key for it."}
	}
	return NewServiceKey{AccountID: sa.ID, KeyID: sa.APIKey.ID, Value: sa.APIKey.Value}, err
}

// DeleteAPIKey deletes a user's project key (a service account's key goes with its account).
func (a *Admin) DeleteAPIKey(ctx context.Context, project, keyID string) error {
	return a.do(ctx, http.MethodDelete, "projects/"+url.PathEscape(project)+"/api_keys/"+url.PathEscape(keyID), nil, nil, nil)
}

// DeleteServiceAccount deletes a service account and its keys.
func (a *Admin) DeleteServiceAccount(ctx context.Context, project, accountID string) error {
	return a.do(ctx, http.MethodDelete, "projects/"+url.PathEscape(project)+"/service_accounts/"+url.PathEscape(accountID), nil, nil, nil)
}

// Describe says what an Admin API failure means, for messages that name the step it stopped.
func Describe(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.UserMessage()
	}
	return fmt.Sprint(err)
}
