package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Batch is a batch Parley submitted (parley batch), as it knows it: what each of its requests
// asked, to make conversations of the results, and where it stood when last seen.
type Batch struct {
	ID       string
	Profile  string
	Created  time.Time
	Source   string // the file or folder it was read from
	Requests []BatchRequest
	// EstimateUSD is the input's cost at batch price, as shown before submitting.
	EstimateUSD float64
	// Status and the counts are as the API last said; CostUSD is what its results cost.
	Status                   string
	Total, Completed, Failed int
	CostUSD                  float64
	// Fetched is when its results were saved as conversations (zero: not yet).
	Fetched time.Time
}

// BatchRequest is one request of a batch: the line of the input it was read from, and what it
// asks.
type BatchRequest struct {
	CustomID string `json:"custom_id"`
	Source   string `json:"source"` // "prompts.jsonl:12", or a file's name
	Prompt   string `json:"prompt"`
	System   string `json:"system,omitempty"`
	Model    string `json:"model"`
	Effort   string `json:"effort,omitempty"`
}

// ErrFetchedAlready says a batch's results are in the history already.
var ErrFetchedAlready = errors.New("this batch's results were saved already")

const batchColumns = `id, profile, created, source, requests, estimate_usd, status, total, completed, failed, cost_usd, fetched`

func scanBatch(row interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var created, fetched int64
	var requests string
	err := row.Scan(&b.ID, &b.Profile, &created, &b.Source, &requests, &b.EstimateUSD, &b.Status, &b.Total, &b.Completed, &b.Failed, &b.CostUSD, &fetched)
	if err != nil {
		return b, err
	}
	b.Created = fromMS(created)
	if fetched != 0 {
		b.Fetched = fromMS(fetched)
	}
	if err := json.Unmarshal([]byte(requests), &b.Requests); err != nil {
		return b, wrap("reading the batch's requests", err)
	}
	return b, nil
}

// batchValues are a batch's values for batchColumns, in their order.
func batchValues(b Batch) ([]any, error) {
	requests, err := json.Marshal(b.Requests)
	if err != nil {
		return nil, err
	}
	var fetched int64
	if !b.Fetched.IsZero() {
		fetched = ms(b.Fetched)
	}
	return []any{b.ID, b.Profile, ms(b.Created), b.Source, string(requests), b.EstimateUSD, b.Status, b.Total, b.Completed, b.Failed, b.CostUSD, fetched}, nil
}

// intoBatches follows INSERT, or INSERT OR IGNORE, to add a row of batchValues.
const intoBatches = ` INTO batches (` + batchColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// AddBatch keeps a batch just submitted.
func (s *Store) AddBatch(b Batch) error {
	if b.Created.IsZero() {
		b.Created = s.now()
	}
	b.Fetched = time.Time{}
	values, err := batchValues(b)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(`INSERT`+intoBatches, values...)
	return wrap("saving the batch", err)
}

// Batch returns a batch Parley submitted, ErrNotFound for one it does not know.
func (s *Store) Batch(id string) (Batch, error) {
	b, err := scanBatch(s.db.QueryRow(`SELECT `+batchColumns+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNotFound
	}
	return b, wrap("reading the batch", err)
}

// Batches lists the batches Parley submitted, newest first.
func (s *Store) Batches() ([]Batch, error) {
	rows, err := s.db.Query(`SELECT ` + batchColumns + ` FROM batches ORDER BY created DESC, id DESC`)
	if err != nil {
		return nil, wrap("listing batches", err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, wrap("listing batches", err)
		}
		out = append(out, b)
	}
	return out, wrap("listing batches", rows.Err())
}

// SetBatchStatus keeps where a batch stands, as the API said.
func (s *Store) SetBatchStatus(id, status string, total, completed, failed int) error {
	_, err := s.db.Exec(`UPDATE batches SET status = ?, total = ?, completed = ?, failed = ? WHERE id = ?`, status, total, completed, failed, id)
	return wrap("saving the batch's status", err)
}

// Asked is one conversation made from a batch's result: the question and its answer.
type Asked struct {
	Conversation Conversation
	Messages     []Message
}

// SaveBatchResults saves a batch's results as conversations, tagged with the batch, and marks
// it fetched with their cost, all at once: a failure (a full disk) saves none of them, and a
// batch is never saved twice (ErrFetchedAlready). The batch need not be one this Parley
// submitted.
func (s *Store) SaveBatchResults(b Batch, results []Asked) ([]Conversation, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return nil, wrap("saving the batch's results", err)
	}
	defer tx.Rollback()
	var fetched int64
	switch err := tx.QueryRow(`SELECT fetched FROM batches WHERE id = ?`, b.ID).Scan(&fetched); {
	case errors.Is(err, sql.ErrNoRows):
		if b.Created.IsZero() {
			b.Created = s.now()
		}
		unfetched := b // marked fetched, with its cost, below
		unfetched.CostUSD, unfetched.Fetched = 0, time.Time{}
		values, err := batchValues(unfetched)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(`INSERT`+intoBatches, values...); err != nil {
			return nil, wrap("saving the batch's results", err)
		}
	case err != nil:
		return nil, wrap("saving the batch's results", err)
	case fetched != 0:
		return nil, ErrFetchedAlready
	}
	var out []Conversation
	for _, r := range results {
		c := r.Conversation
		c.Batch = b.ID
		if c.Created.IsZero() {
			c.Created = s.now()
		}
		if c.Updated.IsZero() {
			c.Updated = c.Created
		}
		if c.ID, err = insertConversation(tx, c); err != nil {
			return nil, wrap("saving the batch's results", err)
		}
		if err := insertTree(tx, c, r.Messages, chain(len(r.Messages)), -1); err != nil {
			return nil, wrap("saving the batch's results", err)
		}
		out = append(out, c)
	}
	if _, err := tx.Exec(`UPDATE batches SET fetched = ?, cost_usd = ?, status = ?, total = ?, completed = ?, failed = ? WHERE id = ?`,
		ms(s.now()), b.CostUSD, b.Status, b.Total, b.Completed, b.Failed, b.ID); err != nil {
		return nil, wrap("saving the batch's results", err)
	}
	return out, wrap("saving the batch's results", tx.Commit())
}

// BatchConversations lists the conversations made from a batch's results.
func (s *Store) BatchConversations(id string) ([]Conversation, error) {
	rows, err := s.db.Query(`SELECT `+conversationColumns+` FROM conversations WHERE batch_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, wrap("listing the batch's conversations", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, wrap("listing the batch's conversations", err)
		}
		out = append(out, c)
	}
	return out, wrap("listing the batch's conversations", rows.Err())
}
