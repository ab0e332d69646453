package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"parley/backup"
	"parley/chat/attach"
	"parley/chat/importer"
	"parley/chat/markdown"
	"parley/chat/store"
	"parley/settings"
)

const historyUsageText = `list [--json] [-n N]
       parley history search QUERY [--json]
       parley history export ID [-o FILE [--force]] [--all-branches]
       parley history export --all DIR [--all-branches]
       parley history import FILE [--from chatgpt|claude]   (.md, or a ChatGPT or Claude export: .zip or conversations.json)
       parley history backup FILE [--force]   (everything but keys, in one file)
       parley history restore FILE            (merges a backup into this history)
       parley history check                   (reads it whole for damage, as the window does daily)`

func (c *cli) history(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(c.stderr, "Usage: parley history", historyUsageText)
		return exitUsage
	}
	st, err := c.svc.history()
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if w := st.Warning(); w != "" {
		fmt.Fprintln(c.stderr, "parley:", w)
	}
	if args[0] == "list" || args[0] == "search" || args[0] == "export" {
		c.fetchPending() // answers still being made in the background, saved if they are done
	}
	switch args[0] {
	case "list":
		return c.historyList(st, args[1:])
	case "search":
		return c.historySearch(st, args[1:])
	case "export":
		return c.historyExport(st, args[1:])
	case "import":
		code := c.historyImport(st, args[1:])
		if code == exitOK {
			tell(c.svc.paths.Runtime, requestHistory) // a running window lists them at once
		}
		return code
	case "backup":
		return c.historyBackup(st, args[1:])
	case "restore":
		code := c.historyRestore(st, args[1:])
		if code == exitOK {
			tell(c.svc.paths.Runtime, requestHistory)
		}
		return code
	case "check":
		return c.historyCheck(st, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(c.stderr, "Usage: parley history", historyUsageText)
		return exitOK
	}
	fmt.Fprintf(c.stderr, "parley: unknown history command %q\nUsage: parley history %s\n", args[0], historyUsageText)
	return exitUsage
}

type listedConversation struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Model    string    `json:"model"`
	Profile  string    `json:"profile"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Pinned   bool      `json:"pinned"`
	QuickAsk bool      `json:"quick_ask,omitempty"`
	Tokens   int       `json:"tokens"`
	CostUSD  *float64  `json:"cost_usd"`
	Messages int       `json:"messages"`
}

func (c *cli) historyList(st *store.Store, args []string) int {
	fs := c.flags("history list", "[--json] [-n N]")
	asJSON := fs.Bool("json", false, "print JSON")
	n := fs.Int("n", 50, "how many conversations, newest first")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	convs, err := st.Conversations(*n, 0)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	out := []listedConversation{}
	prefs := c.svc.prefs.Prefs()
	for _, conv := range convs {
		tot, err := st.Totals(conv.ID) // counted by the database: the messages themselves are not read
		if err != nil {
			return c.fail(exitFailure, err)
		}
		l := listedConversation{ID: conv.ID, Title: conv.Title, Model: conv.Model, Profile: profileName(prefs, conv.Profile), Created: conv.Created,
			Updated: conv.Updated, Pinned: conv.Pinned, QuickAsk: conv.Quick, Tokens: tot.Tokens, Messages: tot.Messages}
		if tot.CostKnown {
			l.CostUSD = &tot.Cost
		}
		out = append(out, l)
	}
	if *asJSON {
		return c.printJSONValue(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(c.stdout, "No conversations yet.")
		return exitOK
	}
	for _, l := range out {
		pin := " "
		if l.Pinned {
			pin = "*"
		}
		fmt.Fprintf(c.stdout, "%6d %s %s  %-50s  %s, %d messages, %d tokens\n", l.ID, pin, l.Updated.Local().Format("2006-01-02 15:04"), l.Title, l.Model, l.Messages, l.Tokens)
	}
	return exitOK
}

// profileName is the name of the profile a conversation is filed under (its ID when the
// profile is gone).
func profileName(prefs settings.Prefs, id string) string {
	if p, ok := prefs.Profile(id); ok {
		return p.Name
	}
	return id
}

func (c *cli) historySearch(st *store.Store, args []string) int {
	fs := c.flags("history search", "QUERY [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	n := fs.Int("n", 50, "how many results")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	query := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(query) == "" {
		fmt.Fprintln(c.stderr, "parley: search for what? parley history search QUERY")
		return exitUsage
	}
	hits, err := st.Search(query, *n)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if *asJSON {
		type hit struct {
			Conversation int64    `json:"conversation"`
			Title        string   `json:"title"`
			Message      int64    `json:"message"`
			Role         string   `json:"role"`
			Snippet      string   `json:"snippet"`
			Matches      []string `json:"matches"`
		}
		out := []hit{}
		for _, h := range hits {
			plainText, matches := unmark(h.Snippet)
			out = append(out, hit{h.ConversationID, h.Title, h.MessageID, h.Role, plainText, matches})
		}
		return c.printJSONValue(out)
	}
	if len(hits) == 0 {
		fmt.Fprintf(c.stdout, "Nothing found for %q.\n", query)
		return exitOK
	}
	bold, reset := "[", "]"
	if f, ok := c.stdout.(*os.File); ok && isTerminal(f) {
		bold, reset = "\x1b[1m", "\x1b[0m"
	}
	for _, h := range hits {
		snippet := strings.NewReplacer(store.MarkStart, bold, store.MarkEnd, reset).Replace(h.Snippet)
		fmt.Fprintf(c.stdout, "%6d  %s (%s)\n        %s\n", h.ConversationID, h.Title, h.Role, snippet)
	}
	return exitOK
}

// unmark removes the match markers from a snippet and lists what they marked.
func unmark(s string) (string, []string) {
	var matches []string
	for rest := s; ; {
		i := strings.Index(rest, store.MarkStart)
		if i < 0 {
			break
		}
		rest = rest[i+len(store.MarkStart):]
		j := strings.Index(rest, store.MarkEnd)
		if j < 0 {
			break
		}
		matches = append(matches, rest[:j])
		rest = rest[j:]
	}
	return strings.NewReplacer(store.MarkStart, "", store.MarkEnd, "").Replace(s), matches
}

func (c *cli) historyExport(st *store.Store, args []string) int {
	fs := c.flags("history export", "ID [-o FILE] | --all DIR")
	outFile := fs.String("o", "", "write to this file instead of standard output")
	force := fs.Bool("force", false, "with -o: replace the file if it exists")
	all := fs.String("all", "", "export every conversation into this folder, one file each")
	branches := fs.Bool("all-branches", false, "write every version of every message (edited questions, regenerated answers), not only those shown")
	if code := parseAnywhere(fs, args); code >= 0 {
		return code
	}
	if *all != "" {
		return c.exportAll(st, *all, *branches)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return c.fail(exitUsage, fmt.Errorf("%q is not a conversation id (see parley history list)", fs.Arg(0)))
	}
	conv, err := st.Conversation(id)
	if errors.Is(err, store.ErrNotFound) {
		return c.fail(exitUsage, fmt.Errorf("there is no conversation %d (see parley history list)", id))
	}
	if err != nil {
		return c.fail(exitFailure, err)
	}
	if *outFile == "" {
		msgs, leaf, err := markdown.Messages(st, id, *branches)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		if *branches { // files are named; -o writes them beside the export
			c.stdout.Write(markdown.RenderBranches(conv, msgs, leaf))
		} else {
			c.stdout.Write(markdown.Render(conv, msgs))
		}
		return exitOK
	}
	if _, err := os.Stat(*outFile); err == nil && !*force {
		return c.fail(exitUsage, fmt.Errorf("%s exists already: add --force to replace it", *outFile))
	}
	if err := markdown.ExportTo(st, id, *outFile, *branches); err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintf(c.stderr, "Exported %q to %s\n", conv.Title, *outFile)
	return exitOK
}

func (c *cli) exportAll(st *store.Store, dir string, allBranches bool) int {
	n, err := markdown.ExportAll(st, dir, allBranches)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintf(c.stdout, "Exported %d conversations to %s\n", n, dir)
	return exitOK
}

func (c *cli) historyImport(st *store.Store, args []string) int {
	fs := c.flags("history import", "FILE  (a Parley .md export, or a ChatGPT or Claude export: the .zip or its conversations.json)")
	from := fs.String("from", "", "refuse an export of another maker: chatgpt or claude")
	path, code := oneArgument(fs, args)
	if code >= 0 {
		return code
	}
	if strings.EqualFold(filepath.Ext(path), ".md") {
		conv, n, err := markdown.ImportFile(st, path)
		if err != nil {
			return c.fail(exitFailure, err)
		}
		fmt.Fprintf(c.stdout, "Imported %q as conversation %d (%d messages).\n", conv.Title, conv.ID, n)
		return exitOK
	}
	opts := importer.Options{}
	switch strings.ToLower(*from) {
	case "":
	case "chatgpt":
		opts.Want = importer.ChatGPT
	case "claude":
		opts.Want = importer.Claude
	default:
		return c.fail(exitUsage, fmt.Errorf("--from takes chatgpt or claude, not %q", *from))
	}
	show, done := c.progressLine()
	if show != nil {
		opts.Progress = func(p importer.Progress) {
			show(fmt.Sprintf("%3.0f%%  %d conversations, %d messages", p.Fraction*100, p.Conversations, p.Messages))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := importer.Run(ctx, st, path, opts)
	done()
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintln(c.stdout, sum.Report())
	if sum.Conversations == 0 && sum.Already == 0 {
		return exitFailure
	}
	return exitOK
}

func (c *cli) historyBackup(st *store.Store, args []string) int {
	fs := c.flags("history backup", "FILE")
	force := fs.Bool("force", false, "replace the file if it exists")
	path, code := oneArgument(fs, args)
	if code >= 0 {
		return code
	}
	if _, err := os.Stat(path); err == nil && !*force {
		return c.fail(exitUsage, fmt.Errorf("%s exists already: add --force to replace it", path))
	}
	w, err := backup.Write(backup.Sources{History: st, Meter: c.svc.meter, Presets: c.svc.presets}, path)
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintf(c.stdout, "Backed up %d conversations, the usage records and the presets to %s (%s). No key is in it.\n",
		w.Conversations, path, attach.Size(w.Bytes))
	return exitOK
}

func (c *cli) historyRestore(st *store.Store, args []string) int {
	path, code := oneArgument(c.flags("history restore", "FILE"), args)
	if code >= 0 {
		return code
	}
	var progress func(done, total int)
	show, done := c.progressLine()
	if show != nil {
		progress = func(done, total int) {
			show(fmt.Sprintf("%3.0f%%  %d of %d conversations", float64(done)*100/float64(max(total, 1)), done, total))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := backup.Restore(ctx, backup.Sources{History: st, Meter: c.svc.meter, Presets: c.svc.presets}, path, progress)
	done()
	if err != nil {
		return c.fail(exitFailure, err)
	}
	fmt.Fprintln(c.stdout, r.Report())
	if r.Stopped {
		return exitFailure // Ctrl+C: a script must not take it for a whole restore
	}
	return exitOK
}

// oneArgument parses a command's flags, wherever they are, around its one argument; code is
// the exit code when they are wrong (-1: go on).
func oneArgument(fs *flag.FlagSet, args []string) (arg string, code int) {
	if code := parseAnywhere(fs, args); code >= 0 {
		return "", code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", exitUsage
	}
	return fs.Arg(0), -1
}

func (c *cli) printJSONValue(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail(exitFailure, err)
	}
	return exitOK
}

// progressLine returns what rewrites one line of progress on stderr (at most five times a
// second) and what clears it, when stderr is a terminal; show is nil when it is not.
func (c *cli) progressLine() (show func(line string), done func()) {
	if !isTerminal(c.stderr) {
		return nil, func() {}
	}
	var last time.Time
	show = func(line string) {
		if time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			fmt.Fprint(c.stderr, "\r"+line)
		}
	}
	done = func() { fmt.Fprint(c.stderr, "\r\033[K") }
	return show, done
}

// historyCheck reads the whole history for damage now, as the window does once a day.
func (c *cli) historyCheck(st *store.Store, args []string) int {
	if len(args) > 0 {
		fmt.Fprintln(c.stderr, "Usage: parley history check")
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	begin := time.Now()
	err := st.Check(ctx)
	switch {
	case errors.Is(err, store.ErrDamaged):
		fmt.Fprintln(c.stderr, "parley: your history is damaged.", plain(err))
		fmt.Fprintln(c.stderr, "The next time Parley opens it, it is moved aside, untouched, and a fresh history begins; Parley then says how to get back what can be read of it.")
		return exitFailure
	case err != nil:
		return c.fail(exitFailure, err)
	}
	size := int64(0)
	if fi, err := os.Stat(st.Path()); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(c.stdout, "Your history is whole: %s, read in %.1f s.\n", attach.Size(size), time.Since(begin).Seconds())
	return exitOK
}
