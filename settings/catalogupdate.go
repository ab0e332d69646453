package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultCatalogURL is where "Update model catalog" reads: models.dev's catalog (MIT), keyed by
// provider then model, with prices per million tokens (cost.input, cache_read, cache_write,
// output, and tiers above a context size), limits and reasoning efforts. OpenAI's rows are
// taken from it, then corrected where it is known to disagree with OpenAI's own pages.
const DefaultCatalogURL = "https://models.dev/api.json"

// maxCatalogBytes bounds what an update reads: the whole of models.dev is a few megabytes.
const maxCatalogBytes = 64 << 20

// UpdateCatalog fetches the public catalog, merges OpenAI's models from it into the catalog in
// use (new models added, known ones brought up to date, none dropped), corrects it, and keeps it
// in dir for the next starts. When anything is wrong (unreachable, not the expected shape, no
// OpenAI models, figures out of range) it returns why and changes nothing.
func UpdateCatalog(ctx context.Context, client *http.Client, url, dir string, now time.Time) (*Catalog, error) {
	feed, err := fetchFeed(ctx, client, url)
	if err != nil {
		return nil, err
	}
	next, changed, err := mergeFeed(CurrentCatalog(), feed)
	if err != nil {
		return nil, err
	}
	next.Date = now.UTC().Format("2006-01-02")
	next.Source = fmt.Sprintf("%s (models.dev format), fetched %s, %d models brought up to date or added; corrected where it disagrees with OpenAI's pages", url, next.Date, changed)
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := ParseCatalog(data); err != nil { // what is kept must read back
		return nil, err
	}
	if err := writeAtomic(filepath.Join(dir, catalogFile), data); err != nil {
		return nil, fmt.Errorf("keeping the updated catalog: %w", err)
	}
	if w := LoadCatalog(dir); w != "" {
		return nil, errors.New(w)
	}
	return CurrentCatalog(), nil
}

// feedModel is a model as models.dev describes it.
type feedModel struct {
	ID   string `json:"id"`
	Cost *struct {
		Input      float64 `json:"input"`
		Output     float64 `json:"output"`
		CacheRead  float64 `json:"cache_read"`
		CacheWrite float64 `json:"cache_write"`
		Tiers      []struct {
			Tier struct {
				Type string `json:"type"`
				Size int    `json:"size"`
			} `json:"tier"`
			Input  float64 `json:"input"`
			Output float64 `json:"output"`
		} `json:"tiers"`
	} `json:"cost"`
	Limit struct {
		Context int `json:"context"`
		Input   int `json:"input"`
		Output  int `json:"output"`
	} `json:"limit"`
	Reasoning        bool `json:"reasoning"`
	ReasoningOptions []struct {
		Type   string   `json:"type"`
		Values []string `json:"values"`
	} `json:"reasoning_options"`
	Modalities struct {
		Input  []string `json:"input"`
		Output []string `json:"output"`
	} `json:"modalities"`
	ReleaseDate string `json:"release_date"`
}

func fetchFeed(ctx context.Context, client *http.Client, url string) (map[string]feedModel, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("the catalog address %q is not usable: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the model catalog could not be fetched from %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the model catalog could not be fetched: %s answered %s", req.URL.Host, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("the model catalog could not be fetched: %w", err)
	}
	if len(data) > maxCatalogBytes {
		return nil, errors.New("the model catalog is far larger than any real one: not used")
	}
	var providers map[string]struct {
		Models map[string]feedModel `json:"models"`
	}
	if err := json.Unmarshal(data, &providers); err != nil {
		return nil, fmt.Errorf("the model catalog is not in the expected form: %w", err)
	}
	openai := providers["openai"].Models
	if len(openai) == 0 {
		return nil, errors.New("the model catalog lists no OpenAI models: not used")
	}
	return openai, nil
}

// mergeFeed brings base's rows up to date from the feed's chat models and adds the new ones.
// What the feed does not say (a row's efforts, the tiers) base keeps; a new row's family is
// guessed from its id.
func mergeFeed(base *Catalog, feed map[string]feedModel) (*Catalog, int, error) {
	next := *base
	next.Models = slices.Clone(base.Models)
	changed := 0
	for id, f := range feed {
		if f.ID == "" {
			f.ID = id
		}
		if !feedIsChat(f) {
			continue
		}
		row, err := rowFrom(f)
		if err != nil {
			return nil, 0, err
		}
		i := slices.IndexFunc(next.Models, func(m Model) bool { return m.ID == row.ID })
		if i < 0 {
			row.Family = guessFamily(row.ID)
			next.Models = append(next.Models, correct(row))
			changed++
			continue
		}
		old := next.Models[i]
		m := old
		m.ContextWindow, m.MaxInput, m.MaxOutput = row.ContextWindow, row.MaxInput, row.MaxOutput
		m.Price, m.LongContext = row.Price, row.LongContext
		m.Vision, m.Files = row.Vision || old.Vision, row.Files || old.Files
		if len(row.Efforts) > 0 {
			m.Efforts = row.Efforts
		}
		if m.Released == "" {
			m.Released = row.Released
		}
		m = correct(m)
		if m.DefaultEffort != "" && !m.Accepts(m.DefaultEffort) {
			m.DefaultEffort = defaultEffort(m.Efforts)
		}
		if !sameModel(m, old) {
			changed++
		}
		next.Models[i] = m
	}
	if err := next.check(); err != nil {
		return nil, 0, fmt.Errorf("the updated catalog was not used: %w", err)
	}
	next.index()
	return &next, changed, nil
}

func sameModel(a, b Model) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// feedIsChat tells a model that answers chat (text in, text out) from embedding, audio, image,
// moderation and search models.
func feedIsChat(f feedModel) bool {
	if f.Cost == nil || f.Limit.Context <= 0 || !slices.Contains(f.Modalities.Output, "text") && len(f.Modalities.Output) > 0 {
		return false
	}
	id := strings.ToLower(f.ID)
	for _, no := range []string{"embed", "whisper", "tts", "dall-e", "image", "moderation", "realtime", "audio", "transcribe", "search", "davinci", "babbage", "deep-research", "sora"} {
		if strings.Contains(id, no) {
			return false
		}
	}
	return true
}

// rowFrom is a feed model as a catalog row.
func rowFrom(f feedModel) (Model, error) {
	m := Model{
		ID: f.ID, Released: f.ReleaseDate, ContextWindow: f.Limit.Context, MaxInput: f.Limit.Input, MaxOutput: f.Limit.Output,
		Price:  Price{Input: f.Cost.Input, Cached: f.Cost.CacheRead, CacheWrite: f.Cost.CacheWrite, Output: f.Cost.Output},
		Vision: slices.Contains(f.Modalities.Input, "image"), Files: slices.Contains(f.Modalities.Input, "pdf"),
	}
	for _, o := range f.ReasoningOptions {
		if o.Type == "effort" {
			m.Efforts = slices.Clone(o.Values)
		}
	}
	if f.Reasoning && len(m.Efforts) == 0 {
		m.Efforts = []string{"low", "medium", "high"}
	}
	m.DefaultEffort = defaultEffort(m.Efforts)
	for _, t := range f.Cost.Tiers {
		if t.Tier.Size > 0 && f.Cost.Input > 0 && f.Cost.Output > 0 && t.Input > 0 {
			m.LongContext = &LongContext{Above: t.Tier.Size, Input: t.Input / f.Cost.Input, Output: max(t.Output/f.Cost.Output, 1)}
		}
	}
	if m.MaxInput > m.ContextWindow {
		m.MaxInput = 0
	}
	return m, nil
}

func defaultEffort(efforts []string) string {
	if slices.Contains(efforts, "medium") {
		return "medium"
	}
	if len(efforts) > 0 {
		return efforts[0]
	}
	return ""
}

// guessFamily files a new model under the tier-limit table it most likely follows.
func guessFamily(id string) string {
	for _, small := range []string{"mini", "nano", "luna"} {
		if strings.Contains(id, small) {
			return "small"
		}
	}
	return "flagship"
}
