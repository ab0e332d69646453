package chattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The Admin API (/v1/organization/...), as an organization owner's admin key reaches it: the
// projects and their API keys, service accounts, per-model rate limits, spend limits, costs
// and completions usage in daily or hourly buckets, paged as OpenAI pages them. Admin keys are
// refused on model endpoints and project keys here, as OpenAI refuses them. What the server
// answers on /v1/chat/completions and /v1/responses is counted in the usage and the costs,
// beside what the organization's other apps spent (Org.Seed).

const adminPrefix = "/v1/organization/"

// Org is the organization the Admin API shows.
type Org struct {
	// AdminKey is the admin key it accepts (sk-admin-...); ReadOnly makes it a key that may
	// read but not change anything.
	AdminKey string
	ReadOnly bool
	Projects []Project
	// SpendLimit is the organization's monthly limit in cents (0: none).
	SpendLimit int
	// Seed is what other apps spent, per day before the server's clock: it shows beside what
	// the server served itself.
	Seed []Spend
	// PageSize caps every page the Admin API sends (0: OpenAI's own caps), to test paging.
	PageSize int
}

// Project is one project of the organization.
type Project struct {
	ID, Name        string
	Keys            []APIKey
	ServiceAccounts []ServiceAccount
	RateLimits      []ProjectLimit
	SpendLimit      int // cents a month; 0: none
}

// APIKey is a project API key. Value is the secret (never listed, only matched); owned by a
// service account when ServiceAccount is set.
type APIKey struct {
	ID, Name, Value, ServiceAccount string
	Created, LastUsed               time.Time
}

// ServiceAccount is a project's service account.
type ServiceAccount struct {
	ID, Name string
	Created  time.Time
}

// ProjectLimit is a project's rate limit for one model.
type ProjectLimit struct {
	Model                         string
	RPM, TPM, RPD, BatchDayTokens int
}

// Spend is usage recorded for a day (or an hour), a model and a key.
type Spend struct {
	At                                   time.Time
	Project, Model, KeyID                string
	Input, Cached, CacheWrite, Output, N int
	USD                                  float64
}

// DefaultOrg is an organization with one project holding the given key (a user's key) and a
// script's service-account key, the limits of a tier-2 account, a $500 monthly spend limit,
// and a month of other apps' spending.
func DefaultOrg(adminKey, apiKey string, now time.Time) *Org {
	day := func(n int) time.Time { return now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -n) }
	o := &Org{AdminKey: adminKey, SpendLimit: 50_000, Projects: []Project{{
		ID: "proj_parley", Name: "Parley",
		Keys: []APIKey{
			{ID: "key_user", Name: "laptop", Value: apiKey, Created: day(90), LastUsed: now},
			{ID: "key_scripts", Name: "nightly scripts", Value: "sk-svcacct-scriptsKEY0123456789abcdefQRST", ServiceAccount: "svc_scripts", Created: day(40), LastUsed: day(0).Add(3 * time.Hour)},
		},
		ServiceAccounts: []ServiceAccount{{ID: "svc_scripts", Name: "scripts", Created: day(40)}},
		RateLimits: []ProjectLimit{
			{Model: "gpt-4o", RPM: 5_000, TPM: 450_000, BatchDayTokens: 1_350_000},
			{Model: "gpt-4o-mini", RPM: 5_000, TPM: 2_000_000, BatchDayTokens: 20_000_000},
			{Model: "gpt-5.6-sol", RPM: 1_000, TPM: 400_000, RPD: 20_000, BatchDayTokens: 4_000_000},
		},
	}}}
	for n := 29; n >= 1; n-- {
		o.Seed = append(o.Seed,
			Spend{At: day(n), Project: "proj_parley", Model: "gpt-4o-mini", KeyID: "key_scripts", Input: 400_000 + 10_000*n, Cached: 100_000, Output: 50_000, N: 120, USD: 0.09 + 0.001*float64(n)},
			Spend{At: day(n), Project: "proj_parley", Model: "gpt-5.6-sol", KeyID: "key_user", Input: 20_000, CacheWrite: 8_000, Output: 4_000, N: 12, USD: 0.25})
	}
	return o
}

// adminPrices price what the server serves itself, per million tokens (input, output).
var adminPrices = map[string][2]float64{"gpt-4o": {2.5, 10}, "gpt-4o-mini": {0.15, 0.6}, "gpt-5.6-sol": {5, 30}}

// recordServed adds a served answer to the organization's usage.
func (s *Server) recordServed(r *http.Request, model string, input, cached, write, output int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Org == nil {
		return
	}
	key := bearer(r)
	sp := Spend{At: s.now(), Model: model, Input: input, Cached: cached, CacheWrite: write, Output: output, N: 1}
	for _, p := range s.opts.Org.Projects {
		for _, k := range p.Keys {
			if k.Value == key {
				sp.Project, sp.KeyID = p.ID, k.ID
			}
		}
	}
	price := adminPrices[model]
	sp.USD = (float64(input)*price[0] + float64(output)*price[1]) / 1e6
	s.served = append(s.served, sp)
}

// AdminRequests counts the Admin API requests served, by method and path.
func (s *Server) AdminRequests() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, adminPrefix) {
			out[r.Method+" "+r.Path]++
		}
	}
	return out
}

// KeyValid tells whether a project key is still a key of the organization (not deleted).
func (s *Server) KeyValid(value string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyKnown(value)
}

func (s *Server) keyKnown(value string) bool {
	if s.opts.Org == nil {
		return value == s.opts.Key
	}
	for _, p := range s.opts.Org.Projects {
		for _, k := range p.Keys {
			if k.Value == value {
				return true
			}
		}
	}
	return false
}

func isAdminKey(key string) bool { return strings.HasPrefix(key, "sk-admin-") }

// serveAdmin answers /v1/organization/... for the organization.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, body []byte) {
	org := s.opts.Org
	key := bearer(r)
	switch {
	case org == nil:
		s.writeError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
		return
	case !isAdminKey(key):
		s.writeError(w, http.StatusUnauthorized, apiErrorSpec{
			Message: "You have insufficient permissions for this operation. Missing scopes: api.management.read. Check that you have the correct role in your organization, and if you're using a restricted API key, that it has the necessary scopes. Admin API keys (sk-admin-) are needed here.",
			Type:    "invalid_request_error", Code: "insufficient_permissions",
		})
		return
	case key != org.AdminKey:
		s.writeError(w, http.StatusUnauthorized, apiErrorSpec{Message: "Incorrect API key provided: " + maskKey(key) + ".", Type: "invalid_request_error", Code: "invalid_api_key"})
		return
	case org.ReadOnly && r.Method != http.MethodGet:
		s.writeError(w, http.StatusForbidden, apiErrorSpec{Message: "This admin key may read but not change the organization (it lacks api.management.write).", Type: "invalid_request_error", Code: "insufficient_permissions"})
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, adminPrefix), "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	switch {
	case len(parts) == 1 && parts[0] == "costs":
		s.adminCosts(w, q)
	case len(parts) == 2 && parts[0] == "usage" && parts[1] == "completions":
		s.adminUsage(w, q)
	case len(parts) == 1 && parts[0] == "spend_limit":
		s.adminSpendLimit(w, org.SpendLimit)
	case len(parts) == 1 && parts[0] == "projects":
		var data []any
		for _, p := range org.Projects {
			data = append(data, map[string]any{"object": "organization.project", "id": p.ID, "name": p.Name, "created_at": s.now().AddDate(-1, 0, 0).Unix(), "status": "active"})
		}
		s.page(w, q, data)
	case len(parts) >= 2 && parts[0] == "projects":
		i := slices.IndexFunc(org.Projects, func(p Project) bool { return p.ID == parts[1] })
		if i < 0 {
			adminError(w, http.StatusNotFound, apiErrorSpec{Message: "No such project: " + parts[1], Type: "invalid_request_error"})
			return
		}
		s.adminProject(w, r, &org.Projects[i], parts[2:], body)
	default:
		adminError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	}
}

func (s *Server) adminSpendLimit(w http.ResponseWriter, cents int) {
	if cents == 0 {
		adminError(w, http.StatusNotFound, apiErrorSpec{Message: "No spend limit is set.", Type: "invalid_request_error", Code: "spend_limit_not_found"})
		return
	}
	writeJSON(w, map[string]any{"object": "organization.spend_limit", "threshold_amount": cents, "currency": "USD", "interval": "month", "enforcement": map[string]any{"status": "active"}})
}

// adminProject answers a project's own endpoints: keys, service accounts, rate limits, spend limit.
func (s *Server) adminProject(w http.ResponseWriter, r *http.Request, p *Project, rest []string, body []byte) {
	q := r.URL.Query()
	redacted := func(v string) string {
		if i := strings.LastIndex(v, "-"); i > 0 && len(v) > 8 {
			return v[:i+1] + "****" + v[len(v)-4:]
		}
		return "sk-****"
	}
	keyObject := func(k APIKey) map[string]any {
		owner := map[string]any{"type": "user", "user": map[string]any{"id": "user_owner", "name": "Ada Owner", "email": "ada@example.com", "role": "owner"}}
		if k.ServiceAccount != "" {
			owner = map[string]any{"type": "service_account", "service_account": map[string]any{"id": k.ServiceAccount, "name": k.Name, "role": "member"}}
		}
		var last any
		if !k.LastUsed.IsZero() {
			last = k.LastUsed.Unix()
		}
		return map[string]any{"object": "organization.project.api_key", "id": k.ID, "name": k.Name, "redacted_value": redacted(k.Value),
			"created_at": k.Created.Unix(), "last_used_at": last, "owner": owner}
	}
	switch {
	case len(rest) == 1 && rest[0] == "api_keys" && r.Method == http.MethodGet:
		var data []any
		for _, k := range p.Keys {
			data = append(data, keyObject(k))
		}
		s.page(w, q, data)
	case len(rest) == 2 && rest[0] == "api_keys" && r.Method == http.MethodDelete:
		i := slices.IndexFunc(p.Keys, func(k APIKey) bool { return k.ID == rest[1] })
		switch {
		case i < 0:
			adminError(w, http.StatusNotFound, apiErrorSpec{Message: "No such API key: " + rest[1], Type: "invalid_request_error"})
		case p.Keys[i].ServiceAccount != "":
			adminError(w, http.StatusBadRequest, apiErrorSpec{Message: "Service account API keys cannot be deleted; delete the service account instead.", Type: "invalid_request_error"})
		default:
			p.Keys = slices.Delete(p.Keys, i, i+1)
			writeJSON(w, map[string]any{"object": "organization.project.api_key.deleted", "id": rest[1], "deleted": true})
		}
	case len(rest) == 1 && rest[0] == "service_accounts" && r.Method == http.MethodPost:
		var req struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(body, &req) != nil || strings.TrimSpace(req.Name) == "" {
			adminError(w, http.StatusBadRequest, apiErrorSpec{Message: "Missing required parameter: 'name'.", Type: "invalid_request_error", Param: "name"})
			return
		}
		sa := ServiceAccount{ID: "svc_" + randomHex(16), Name: req.Name, Created: s.now()}
		k := APIKey{ID: "key_" + randomHex(16), Name: "Secret Key", Value: "sk-svcacct-" + randomHex(40), ServiceAccount: sa.ID, Created: s.now()}
		p.ServiceAccounts, p.Keys = append(p.ServiceAccounts, sa), append(p.Keys, k)
		writeJSON(w, map[string]any{"object": "organization.project.service_account", "id": sa.ID, "name": sa.Name, "role": "member", "created_at": sa.Created.Unix(),
			"api_key": map[string]any{"object": "organization.project.service_account.api_key", "value": k.Value, "name": k.Name, "created_at": k.Created.Unix(), "id": k.ID}})
	case len(rest) == 2 && rest[0] == "service_accounts" && r.Method == http.MethodDelete:
		i := slices.IndexFunc(p.ServiceAccounts, func(a ServiceAccount) bool { return a.ID == rest[1] })
		if i < 0 {
			adminError(w, http.StatusNotFound, apiErrorSpec{Message: "No such service account: " + rest[1], Type: "invalid_request_error"})
			return
		}
		p.ServiceAccounts = slices.Delete(p.ServiceAccounts, i, i+1)
		p.Keys = slices.DeleteFunc(p.Keys, func(k APIKey) bool { return k.ServiceAccount == rest[1] })
		writeJSON(w, map[string]any{"object": "organization.project.service_account.deleted", "id": rest[1], "deleted": true})
	case len(rest) == 1 && rest[0] == "rate_limits" && r.Method == http.MethodGet:
		var data []any
		for _, l := range p.RateLimits {
			o := map[string]any{"object": "project.rate_limit", "id": "rl-" + l.Model, "model": l.Model,
				"max_requests_per_1_minute": l.RPM, "max_tokens_per_1_minute": l.TPM}
			if l.RPD > 0 {
				o["max_requests_per_1_day"] = l.RPD
			}
			if l.BatchDayTokens > 0 {
				o["batch_1_day_max_input_tokens"] = l.BatchDayTokens
			}
			data = append(data, o)
		}
		s.page(w, q, data)
	case len(rest) == 1 && rest[0] == "spend_limit" && r.Method == http.MethodGet:
		s.adminSpendLimit(w, p.SpendLimit)
	default:
		adminError(w, http.StatusNotFound, apiErrorSpec{Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	}
}

// page answers a list with limit and after, as the Admin API pages lists.
func (s *Server) page(w http.ResponseWriter, q map[string][]string, data []any) {
	limit, _ := strconv.Atoi(first(q["limit"]))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	if n := s.opts.Org.PageSize; n > 0 {
		limit = min(limit, n)
	}
	start := 0
	if after := first(q["after"]); after != "" {
		for i, d := range data {
			if d.(map[string]any)["id"] == after {
				start = i + 1
			}
		}
	}
	end := min(start+limit, len(data))
	out := data[start:end]
	if out == nil {
		out = []any{}
	}
	resp := map[string]any{"object": "list", "data": out, "has_more": end < len(data)}
	if len(out) > 0 {
		resp["first_id"], resp["last_id"] = out[0].(map[string]any)["id"], out[len(out)-1].(map[string]any)["id"]
	}
	writeJSON(w, resp)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// buckets cuts [start, end) into buckets of width ("1d", "1h", "1m"), as the usage and cost
// endpoints do, and pages them with limit and page (the next bucket's start, as a token).
func (s *Server) buckets(q map[string][]string, defLimit, maxLimit int) (starts []time.Time, width time.Duration, next string, err error) {
	if n := s.opts.Org.PageSize; n > 0 {
		maxLimit = min(maxLimit, n)
	}
	startUnix, err := strconv.ParseInt(first(q["start_time"]), 10, 64)
	if err != nil {
		return nil, 0, "", badParam("Missing required parameter: 'start_time'.")
	}
	end := s.now().UTC()
	if e := first(q["end_time"]); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			return nil, 0, "", badParam("Invalid 'end_time'.")
		}
		end = time.Unix(n, 0).UTC()
	}
	switch first(q["bucket_width"]) {
	case "", "1d":
		width = 24 * time.Hour
	case "1h":
		width = time.Hour
	case "1m":
		width = time.Minute
	default:
		return nil, 0, "", badParam("Invalid 'bucket_width': expected one of 1m, 1h, 1d.")
	}
	limit, _ := strconv.Atoi(first(q["limit"]))
	if limit <= 0 {
		limit = defLimit
	}
	limit = min(limit, maxLimit)
	at := time.Unix(startUnix, 0).UTC()
	if p := first(q["page"]); p != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(p, "page_"), 10, 64)
		if err != nil {
			return nil, 0, "", badParam("Invalid 'page'.")
		}
		at = time.Unix(n, 0).UTC()
	}
	for ; at.Before(end); at = at.Add(width) {
		if len(starts) == limit {
			return starts, width, fmt.Sprintf("page_%d", at.Unix()), nil
		}
		starts = append(starts, at)
	}
	return starts, width, "", nil
}

// spends are the seeded and the served usage, in order.
func (s *Server) spends() []Spend {
	out := append(append([]Spend(nil), s.opts.Org.Seed...), s.served...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func (s *Server) adminCosts(w http.ResponseWriter, q map[string][]string) {
	starts, width, next, err := s.buckets(q, 7, 180)
	if err != nil || width != 24*time.Hour && err == nil {
		if err == nil {
			err = badParam("Invalid 'bucket_width': costs come in 1d buckets only.")
		}
		adminError(w, http.StatusBadRequest, apiErrorSpec{Message: err.Error(), Type: "invalid_request_error"})
		return
	}
	byProject := slices.Contains(q["group_by[]"], "project_id") || slices.Contains(q["group_by"], "project_id")
	projects := q["project_ids[]"]
	var data []any
	for _, b := range starts {
		sums := map[string]float64{}
		for _, sp := range s.spends() {
			if sp.At.Before(b) || !sp.At.Before(b.Add(width)) || len(projects) > 0 && !slices.Contains(projects, sp.Project) {
				continue
			}
			k := ""
			if byProject {
				k = sp.Project
			}
			sums[k] += sp.USD
		}
		var results []any
		for _, k := range sortedKeys(sums) {
			res := map[string]any{"object": "organization.costs.result", "amount": map[string]any{"value": sums[k], "currency": "usd"}, "line_item": nil}
			if byProject {
				res["project_id"] = k
			}
			results = append(results, res)
		}
		if results == nil {
			results = []any{}
		}
		data = append(data, map[string]any{"object": "bucket", "start_time": b.Unix(), "end_time": b.Add(width).Unix(), "results": results})
	}
	writeBuckets(w, data, next)
}

func (s *Server) adminUsage(w http.ResponseWriter, q map[string][]string) {
	starts, width, next, err := s.buckets(q, 7, 31)
	if err != nil {
		adminError(w, http.StatusBadRequest, apiErrorSpec{Message: err.Error(), Type: "invalid_request_error"})
		return
	}
	group := append(q["group_by[]"], q["group_by"]...)
	keys, projects, models := q["api_key_ids[]"], q["project_ids[]"], q["models[]"]
	var data []any
	for _, b := range starts {
		type agg struct{ in, cached, write, out, n int }
		sums := map[string]*agg{}
		labels := map[string][2]string{}
		for _, sp := range s.spends() {
			if sp.At.Before(b) || !sp.At.Before(b.Add(width)) ||
				len(keys) > 0 && !slices.Contains(keys, sp.KeyID) || len(projects) > 0 && !slices.Contains(projects, sp.Project) || len(models) > 0 && !slices.Contains(models, sp.Model) {
				continue
			}
			var m, k string
			if slices.Contains(group, "model") {
				m = sp.Model
			}
			if slices.Contains(group, "api_key_id") {
				k = sp.KeyID
			}
			id := m + "\x00" + k
			if sums[id] == nil {
				sums[id] = &agg{}
				labels[id] = [2]string{m, k}
			}
			a := sums[id]
			a.in, a.cached, a.write, a.out, a.n = a.in+sp.Input, a.cached+sp.Cached, a.write+sp.CacheWrite, a.out+sp.Output, a.n+sp.N
		}
		var results []any
		ids := make([]string, 0, len(sums))
		for id := range sums {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			a := sums[id]
			res := map[string]any{"object": "organization.usage.completions.result", "input_tokens": a.in, "input_cached_tokens": a.cached,
				"input_cache_write_tokens": a.write, "input_uncached_tokens": a.in - a.cached - a.write, "output_tokens": a.out, "num_model_requests": a.n,
				"project_id": nil, "user_id": nil, "api_key_id": nil, "model": nil, "batch": nil, "service_tier": nil}
			if l := labels[id]; l[0] != "" || l[1] != "" {
				if l[0] != "" {
					res["model"] = l[0]
				}
				if l[1] != "" {
					res["api_key_id"] = l[1]
				}
			}
			results = append(results, res)
		}
		if results == nil {
			results = []any{}
		}
		data = append(data, map[string]any{"object": "bucket", "start_time": b.Unix(), "end_time": b.Add(width).Unix(), "results": results})
	}
	writeBuckets(w, data, next)
}

// badParam is the message of a request the Admin API refuses, as OpenAI words it.
type badParam string

func (b badParam) Error() string { return string(b) }

// adminError sends an OpenAI error from the Admin API (which sends no rate-limit headers; the
// caller holds s.mu).
func adminError(w http.ResponseWriter, status int, e apiErrorSpec) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(e.body())
}

func writeBuckets(w http.ResponseWriter, data []any, next string) {
	if data == nil {
		data = []any{}
	}
	resp := map[string]any{"object": "page", "data": data, "has_more": next != "", "next_page": nil}
	if next != "" {
		resp["next_page"] = next
	}
	writeJSON(w, resp)
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
