package settings

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// The model catalog is data, not code: what Parley knows of each model (context window, output
// limit, prices including cache writes and the long-context premium, accepted reasoning efforts,
// what it can read, service tiers, tier limits), dated, embedded in the binary, refreshable from a
// public source ("Update model catalog": UpdateCatalog) and overridable by the user's own file.
// A wrong figure is a one-line change to catalog.json, or to the user's models.json.

//go:embed catalog.json
var embeddedCatalog []byte

// Catalog is the model catalog.
type Catalog struct {
	Format int    `json:"format"`
	Date   string `json:"date"`   // when the figures were checked, YYYY-MM-DD
	Source string `json:"source"` // where they come from
	// ServiceTiers are the price multipliers of each service tier (flex 0.5, priority 2, ...).
	ServiceTiers  map[string]float64               `json:"service_tiers"`
	MonthlyLimits map[Tier]float64                 `json:"monthly_limits"`
	TierLimits    map[string]map[Tier]tierLimitRow `json:"tier_limits"` // by model family
	// ImageSizing is how models count images (images.go); PDFPagePx the size assumed for a PDF
	// page's image, for estimates.
	ImageSizing []ImageRule `json:"image_sizing"`
	PDFPagePx   [2]int      `json:"pdf_page_px"`
	Models      []Model     `json:"models"`
}

type tierLimitRow struct {
	RPM int `json:"rpm"`
	TPM int `json:"tpm"`
	RPD int `json:"rpd,omitempty"`
}

// catalogFormat is the catalog format this Parley reads.
const catalogFormat = 1

// Model is what Parley knows of a model.
type Model struct {
	ID            string `json:"id"`
	Released      string `json:"released,omitempty"`
	ContextWindow int    `json:"context"`              // tokens, input and output together
	MaxInput      int    `json:"max_input,omitempty"`  // tokens; 0: the context window less the output
	MaxOutput     int    `json:"max_output,omitempty"` // tokens
	Encoding      string `json:"encoding,omitempty"`   // tiktoken encoding ("": o200k_base)
	Family        string `json:"family,omitempty"`     // the tier-limit table it follows
	// Efforts are the reasoning efforts the model accepts, in order; none means it does not
	// reason. DefaultEffort is what it uses when none is sent.
	Efforts       []string `json:"efforts,omitempty"`
	DefaultEffort string   `json:"default_effort,omitempty"`
	Pro           bool     `json:"pro,omitempty"`    // takes reasoning.mode "pro"
	Vision        bool     `json:"vision,omitempty"` // reads images
	Files         bool     `json:"files,omitempty"`  // reads PDF files
	// Image is how it counts images, when the table's rules do not say it right.
	Image *ImageSizing `json:"image,omitempty"`
	// ServiceTiers are the tiers beyond the standard one the model can be asked for.
	ServiceTiers []string     `json:"service_tiers,omitempty"`
	Price        Price        `json:"price"`
	LongContext  *LongContext `json:"long_context,omitempty"`
	Note         string       `json:"note,omitempty"` // what is unsure about the row
}

// Price is a model's price in dollars per million tokens. Every input token is billed at one of
// three rates: uncached, cached (read from the prompt cache), or written to the cache. A model
// without a cache-write price charges nothing extra for writing (models before GPT-5.6).
type Price struct {
	Input      float64 `json:"input"`
	Cached     float64 `json:"cached,omitempty"`
	CacheWrite float64 `json:"cache_write,omitempty"`
	Output     float64 `json:"output"`
}

// LongContext is the premium a request pays, as a whole, when its input is over Above tokens.
type LongContext struct {
	Above  int     `json:"above"`
	Input  float64 `json:"input"`  // multiplies the input, cached and cache-write prices
	Output float64 `json:"output"` // multiplies the output price
}

// Known reports whether the model is in the catalog; an unknown model stays usable, with
// unknown limits and price.
func (m Model) Known() bool { return m.ContextWindow > 0 }

// Reasoning tells a reasoning model: it takes efforts, max_completion_tokens, and no
// temperature but its default.
func (m Model) Reasoning() bool { return len(m.Efforts) > 0 }

// Accepts tells whether the model takes a reasoning effort.
func (m Model) Accepts(effort string) bool { return slices.Contains(m.Efforts, effort) }

// embedded is the catalog built in, read at its first use: reading it takes a millisecond that
// every start and every command would otherwise spend before it does anything.
var embedded = sync.OnceValue(func() *Catalog {
	c, err := ParseCatalog(embeddedCatalog)
	if err != nil {
		panic("the embedded model catalog is broken: " + err.Error())
	}
	return c
})

// current is the catalog LoadCatalog put in use; nil while that is the embedded one.
var current atomic.Pointer[Catalog]

// Embedded is the catalog this Parley was built with (shared: not to be changed).
func Embedded() *Catalog { return embedded() }

// CurrentCatalog is the catalog in use: the embedded one, a newer one from UpdateCatalog, and the
// user's overrides.
func CurrentCatalog() *Catalog {
	if c := current.Load(); c != nil {
		return c
	}
	return embedded()
}

// CatalogDate is when the figures in use were checked.
func CatalogDate() string { return CurrentCatalog().Date }

// ParseCatalog reads and checks a catalog.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("the model catalog is not readable JSON: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	c.index()
	return &c, nil
}

// check refuses a catalog that would do harm if used: none of its rows may be nonsense, and
// there must be rows.
func (c *Catalog) check() error {
	if c.Format != catalogFormat {
		return fmt.Errorf("the model catalog is format %d, this Parley reads format %d", c.Format, catalogFormat)
	}
	if len(c.Models) == 0 {
		return errors.New("the model catalog has no models")
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		switch {
		case m.ID == "" || strings.TrimSpace(m.ID) != m.ID:
			return fmt.Errorf("a model in the catalog has no proper id (%q)", m.ID)
		case seen[m.ID]:
			return fmt.Errorf("the model catalog lists %s twice", m.ID)
		case m.ContextWindow <= 0 || m.ContextWindow > 100_000_000 || m.MaxOutput < 0 || m.MaxOutput > m.ContextWindow || m.MaxInput < 0 || m.MaxInput > m.ContextWindow:
			return fmt.Errorf("the model catalog's limits for %s are out of range", m.ID)
		case badPrice(m.Price.Input) || badPrice(m.Price.Cached) || badPrice(m.Price.CacheWrite) || badPrice(m.Price.Output) || m.Price.Input == 0 && m.Price.Output == 0:
			return fmt.Errorf("the model catalog's prices for %s are out of range", m.ID)
		case m.DefaultEffort != "" && !m.Accepts(m.DefaultEffort):
			return fmt.Errorf("the model catalog's default effort for %s is not one it accepts", m.ID)
		case m.LongContext != nil && (m.LongContext.Above <= 0 || m.LongContext.Input < 1 || m.LongContext.Output < 1):
			return fmt.Errorf("the model catalog's long-context premium for %s is out of range", m.ID)
		}
		seen[m.ID] = true
	}
	for tier, x := range c.ServiceTiers {
		if x <= 0 || x > 100 {
			return fmt.Errorf("the model catalog's multiplier for the %s tier is out of range", tier)
		}
	}
	return nil
}

func badPrice(p float64) bool { return p < 0 || p > 10_000 || p != p }

// index sorts the models by id, longest first among shared prefixes (LookupModel's order).
func (c *Catalog) index() {
	for i := range c.Models {
		if c.Models[i].Encoding == "" {
			c.Models[i].Encoding = "o200k_base"
		}
	}
	sort.SliceStable(c.Models, func(i, j int) bool { return c.Models[i].ID < c.Models[j].ID })
}

// The files a user's config folder may hold beside settings.json.
const (
	catalogFile   = "catalog.json" // a newer catalog, from "Update model catalog"
	overridesFile = "models.json"  // the user's own corrections and additions
)

// Overrides is the user's models.json: rows that replace (field by field) or add to the catalog.
type Overrides struct {
	Models []json.RawMessage `json:"models"`
}

// LoadCatalog puts in use the newest catalog in dir (one fetched by UpdateCatalog, when it is
// newer than the embedded one) with the user's overrides applied. What cannot be read is said,
// and the rest is used.
func LoadCatalog(dir string) (warning string) {
	var c *Catalog // the embedded one, read when first used
	if data, err := os.ReadFile(filepath.Join(dir, catalogFile)); err == nil {
		if fetched, err := ParseCatalog(data); err != nil {
			warning = "The updated model catalog could not be used (" + err.Error() + "); the built-in one is used."
		} else if fetched.Date >= embedded().Date {
			c = fetched
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, overridesFile)); err == nil {
		merged, err := applyOverrides(cmp.Or(c, embedded()), data) // over the newer one, if any
		if err != nil {
			w := "Your model overrides (" + filepath.Join(dir, overridesFile) + ") could not be used: " + err.Error()
			warning = strings.TrimSpace(warning + " " + w)
		} else {
			c = merged
		}
	}
	current.Store(c)
	return warning
}

// applyOverrides lays the user's rows over a catalog: a row with a known id changes only the
// fields it gives; a new id adds a model.
func applyOverrides(base *Catalog, data []byte) (*Catalog, error) {
	var o Overrides
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("not readable JSON: %w", err)
	}
	c := *base
	c.Models = slices.Clone(base.Models)
	for _, raw := range o.Models {
		var id struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &id); err != nil || id.ID == "" {
			return nil, errors.New("a row has no id")
		}
		i := slices.IndexFunc(c.Models, func(m Model) bool { return m.ID == id.ID })
		m := Model{}
		if i >= 0 {
			m = c.Models[i]
			m.Efforts = slices.Clone(m.Efforts)
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("the row of %s: %w", id.ID, err)
		}
		if i >= 0 {
			c.Models[i] = m
		} else {
			c.Models = append(c.Models, m)
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	c.index()
	return &c, nil
}

// LookupModel finds a model in the catalog: by its id, or by the longest catalog id it extends
// (a dated snapshot such as "gpt-4o-2024-08-06" is priced as "gpt-4o"). An unknown model comes
// back with only its id.
func LookupModel(id string) Model {
	c := CurrentCatalog()
	key := strings.ToLower(strings.TrimSpace(id))
	if i := strings.LastIndex(key, "/"); i >= 0 {
		key = key[i+1:]
	}
	best := -1
	for i, m := range c.Models {
		if key == m.ID {
			best = i
			break
		}
		if strings.HasPrefix(key, m.ID+"-") && isSnapshotSuffix(key[len(m.ID)+1:]) && (best < 0 || len(m.ID) > len(c.Models[best].ID)) {
			best = i
		}
	}
	if best < 0 {
		return Model{ID: id}
	}
	m := c.Models[best]
	m.ID = id
	return m
}

// isSnapshotSuffix tells a dated snapshot ("2024-08-06", "0613", "latest", "preview") from a
// different model that shares the prefix ("mini", "nano", "audio").
func isSnapshotSuffix(s string) bool {
	if s == "latest" || s == "preview" || strings.HasPrefix(s, "preview-") {
		return true
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return s != ""
}

// CatalogModels lists the ids of the catalog, for offering before an endpoint has been asked.
func CatalogModels() []string {
	c := CurrentCatalog()
	ids := make([]string, len(c.Models))
	for i, m := range c.Models {
		ids[i] = m.ID
	}
	return ids
}

// ServiceTierMultiplier is what a service tier multiplies every price by (1 when unknown).
func ServiceTierMultiplier(tier string) float64 {
	if x, ok := CurrentCatalog().ServiceTiers[tier]; ok {
		return x
	}
	return 1
}

// Tier is an OpenAI usage tier, or the user's own limits.
type Tier string

// The usage tiers.
const (
	TierFree   Tier = "free"
	Tier1      Tier = "tier1"
	Tier2      Tier = "tier2"
	Tier3      Tier = "tier3"
	Tier4      Tier = "tier4"
	Tier5      Tier = "tier5"
	TierCustom Tier = "custom"
)

// Tiers lists the tiers in order, for pickers.
var Tiers = []Tier{TierFree, Tier1, Tier2, Tier3, Tier4, Tier5, TierCustom}

// Label names a tier as OpenAI's dashboard does.
func (t Tier) Label() string {
	switch t {
	case TierFree:
		return "Free"
	case TierCustom:
		return "Custom"
	case Tier1, Tier2, Tier3, Tier4, Tier5:
		return "Tier " + string(t[len(t)-1])
	}
	return "Tier 1"
}

// TierFromLabel is the inverse of Label.
func TierFromLabel(label string) Tier {
	for _, t := range Tiers {
		if t.Label() == label {
			return t
		}
	}
	return Tier1
}

// Limits are an account's rate limits and budget for one model. Zero means no limit known.
type Limits struct {
	RPM, TPM, RPD int
	MonthlyBudget float64 // dollars
	// BatchQueue is how many input tokens the project may have queued in batches for the
	// model in a day (0: unknown); only the Admin API tells it.
	BatchQueue int
}

// TierLimits returns a tier's limits for a model from the catalog's table; the rate limits are
// zero for a model whose family the table does not know.
func TierLimits(t Tier, model string) Limits {
	c := CurrentCatalog()
	row := c.TierLimits[LookupModel(model).Family][t]
	return Limits{RPM: row.RPM, TPM: row.TPM, RPD: row.RPD, MonthlyBudget: c.MonthlyLimits[t]}
}
