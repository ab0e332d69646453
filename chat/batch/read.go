package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"parley/chat"
	"parley/chat/store"
)

// Prompt is one question of a batch, as read: its text and, when the line says, its model,
// system prompt and reasoning effort; Source says where it came from ("prompts.jsonl:12").
type Prompt struct {
	Source                        string
	Prompt, Model, System, Effort string
}

// Problem is one thing wrong with a batch's input: where, and what.
type Problem struct {
	Where string // "prompts.jsonl:3", a file's name, or the input itself
	What  string
}

// InputError is an input that cannot be submitted, with every problem found (nothing was sent).
type InputError struct {
	Path     string
	Problems []Problem
}

// shownProblems is how many problems a message lists before it counts the rest.
const shownProblems = 10

func (e *InputError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s cannot be submitted (nothing was sent):", e.Path)
	for i, p := range e.Problems {
		if i == shownProblems {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-shownProblems)
			break
		}
		fmt.Fprintf(&b, "\n  %s: %s", p.Where, p.What)
	}
	return b.String()
}

// maxPromptFile is the largest .md or .txt file read as one prompt: far beyond any model's
// context window, short of what would exhaust memory.
const maxPromptFile = 32 << 20

// Read reads a batch's prompts: a JSONL file (one {"prompt", "model"?, "system"?, "effort"?}
// per line) or a folder of .md and .txt files (one prompt each, by name). It refuses, with every
// problem it found and its line, an input that is empty, broken, or larger than one batch takes.
func Read(path string) ([]Prompt, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading the batch's prompts: %w", err)
	}
	var prompts []Prompt
	var problems []Problem
	if fi.IsDir() {
		prompts, problems, err = readFolder(path)
	} else {
		prompts, problems, err = readJSONL(path, fi.Size())
	}
	if err != nil {
		return nil, err
	}
	switch {
	case len(problems) > 0:
	case len(prompts) == 0 && fi.IsDir():
		problems = append(problems, Problem{filepath.Base(path), "the folder holds no .md or .txt files"})
	case len(prompts) == 0:
		problems = append(problems, Problem{filepath.Base(path), "the file holds no prompts"})
	case len(prompts) > chat.MaxBatchLines:
		problems = append(problems, Problem{filepath.Base(path), fmt.Sprintf("%s prompts: a batch takes at most %s; split it",
			chat.Thousands(len(prompts)), chat.Thousands(chat.MaxBatchLines))})
	}
	if len(problems) > 0 {
		return nil, &InputError{Path: path, Problems: problems}
	}
	return prompts, nil
}

// line is one line of a JSONL input.
type line struct {
	Prompt *string `json:"prompt"`
	Model  string  `json:"model"`
	System string  `json:"system"`
	Effort string  `json:"effort"`
}

func readJSONL(path string, size int64) ([]Prompt, []Problem, error) {
	name := filepath.Base(path)
	if size > chat.MaxBatchBytes {
		return nil, []Problem{{name, fmt.Sprintf("%d MB: a batch's input may be at most %d MB", size>>20, chat.MaxBatchBytes>>20)}}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the batch's prompts: %w", err)
	}
	defer f.Close()
	var prompts []Prompt
	var problems []Problem
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		text, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("reading the batch's prompts: %w", err)
		}
		where := fmt.Sprintf("%s:%d", name, n)
		if trimmed := bytes.TrimSpace(text); len(trimmed) > 0 {
			p, what := parseLine(trimmed)
			if what != "" {
				problems = append(problems, Problem{where, what})
			} else {
				p.Source = where
				prompts = append(prompts, p)
			}
		}
		if err != nil {
			break
		}
	}
	return prompts, problems, nil
}

// parseLine reads one JSONL line, or says what is wrong with it.
func parseLine(text []byte) (Prompt, string) {
	if !utf8.Valid(text) {
		return Prompt{}, "not UTF-8 text"
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var l line
	if err := dec.Decode(&l); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return Prompt{}, fmt.Sprintf("%q must be a string", typeErr.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return Prompt{}, strings.TrimPrefix(err.Error(), "json: ") + " (a line takes prompt, model, system and effort)"
		}
		return Prompt{}, "not a JSON object (" + strings.TrimPrefix(err.Error(), "json: ") + ")"
	}
	if dec.More() {
		return Prompt{}, "more than one JSON value on the line"
	}
	if l.Prompt == nil || strings.TrimSpace(*l.Prompt) == "" {
		return Prompt{}, `"prompt" is missing or empty`
	}
	return Prompt{Prompt: *l.Prompt, Model: strings.TrimSpace(l.Model), System: l.System, Effort: strings.TrimSpace(l.Effort)}, ""
}

// readFolder reads a folder's .md and .txt files, in name order, each a prompt.
func readFolder(dir string) ([]Prompt, []Problem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the batch's prompts: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var prompts []Prompt
	var problems []Problem
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".md" && ext != ".txt") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			problems = append(problems, Problem{e.Name(), err.Error()})
			continue
		}
		if info.Size() > maxPromptFile {
			problems = append(problems, Problem{e.Name(), fmt.Sprintf("%d MB: too large for one prompt", info.Size()>>20)})
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		switch {
		case err != nil:
			problems = append(problems, Problem{e.Name(), err.Error()})
		case !utf8.Valid(data):
			problems = append(problems, Problem{e.Name(), "not UTF-8 text"})
		case len(bytes.TrimSpace(data)) == 0:
			problems = append(problems, Problem{e.Name(), "empty"})
		default:
			prompts = append(prompts, Prompt{Source: e.Name(), Prompt: string(data)})
		}
	}
	return prompts, problems, nil
}

// request is a prompt as a batch keeps it, named by its place in the batch.
func request(n int, p Prompt, d Defaults) store.BatchRequest {
	r := store.BatchRequest{CustomID: fmt.Sprintf("parley-%06d", n), Source: p.Source, Prompt: p.Prompt, Model: p.Model, System: p.System, Effort: p.Effort}
	if r.Model == "" {
		r.Model = d.Model
	}
	if r.System == "" {
		r.System = d.System
	}
	if r.Effort == "" {
		r.Effort = d.Effort
	}
	return r
}
