package store

import (
	"database/sql"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hit is one message that matches a search.
type Hit struct {
	ConversationID int64
	Title          string
	MessageID      int64
	Seq            int
	Role           string
	// Snippet is the matching text around the match, the matches between MarkStart and MarkEnd.
	Snippet string
}

// The markers around matches in a snippet, for the UI to highlight.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// Search finds conversations whose title holds every word of query, then messages that do,
// newest first. For messages, whole words are looked up first, which the index answers at once;
// when they give fewer than limit hits, words that merely start with the query's words
// ("transact" for "transaction") fill in. Text in scripts written without spaces (Chinese,
// Japanese, Korean, Thai) is matched as a plain substring.
func (s *Store) Search(query string, limit int) ([]Hit, error) {
	query = strings.TrimSpace(query)
	if query == "" || limit <= 0 {
		return nil, nil
	}
	titles, err := s.searchTitles(query, min(limit, 20))
	if err != nil {
		return nil, err
	}
	messages, err := s.searchMessages(query, limit-len(titles))
	return append(titles, messages...), err
}

// searchTitles finds conversations whose title contains every word of the query.
func (s *Store) searchTitles(query string, limit int) ([]Hit, error) {
	words := strings.Fields(query)
	var where []string
	var args []any
	for _, w := range words {
		where = append(where, `instr(lower(title), lower(?)) > 0`)
		args = append(args, w)
	}
	rows, err := s.db.Query(`SELECT id, title FROM conversations WHERE `+strings.Join(where, " AND ")+` ORDER BY updated DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, wrap("searching", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		h := Hit{Seq: -1, Role: "title"}
		if err := rows.Scan(&h.ConversationID, &h.Title); err != nil {
			return nil, wrap("searching", err)
		}
		h.Snippet = markWords(h.Title, words)
		hits = append(hits, h)
	}
	return hits, wrap("searching", rows.Err())
}

// markWords marks where each word occurs in text, ignoring case.
func markWords(text string, words []string) string {
	lower := strings.ToLower(text)
	marked := make([]bool, len(text))
	for _, w := range words {
		w = strings.ToLower(w)
		for i := 0; w != ""; {
			j := strings.Index(lower[i:], w)
			if j < 0 || len(lower) != len(text) {
				break
			}
			for k := i + j; k < i+j+len(w); k++ {
				marked[k] = true
			}
			i += j + len(w)
		}
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if marked[i] && (i == 0 || !marked[i-1]) {
			b.WriteString(MarkStart)
		}
		b.WriteByte(text[i])
		if marked[i] && (i == len(text)-1 || !marked[i+1]) {
			b.WriteString(MarkEnd)
		}
	}
	return b.String()
}

// searchMessages finds messages containing every word of query (see Search).
func (s *Store) searchMessages(query string, limit int) ([]Hit, error) {
	if limit <= 0 {
		return nil, nil
	}
	if hasUnspacedScript(query) {
		return s.searchSubstring(query, limit)
	}
	words := strings.FieldsFunc(query, notWordRune)
	if len(words) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	hits, err := s.match(strings.Join(quoted, " "), words, limit, nil)
	if err != nil || len(hits) >= limit {
		return hits, err
	}
	seen := map[int64]bool{}
	for _, h := range hits {
		seen[h.MessageID] = true
	}
	more, err := s.match(strings.Join(quoted, "* ")+"*", words, limit, seen)
	if err != nil {
		return nil, err
	}
	hits = append(hits, more...)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// match runs one full-text query and cuts a snippet from each hit not already seen.
func (s *Store) match(fts string, words []string, limit int, seen map[int64]bool) ([]Hit, error) {
	// The messages seen already are left out by the query itself: their text (which may be
	// megabytes) is not read twice.
	skip, args := "", []any{fts, limit + len(seen)}
	if len(seen) > 0 {
		marks := make([]string, 0, len(seen))
		for id := range seen {
			marks = append(marks, "?")
			args = append(args, id)
		}
		skip = " WHERE m.id NOT IN (" + strings.Join(marks, ",") + ")"
	}
	rows, err := s.db.Query(`SELECT m.conversation_id, c.title, m.id, m.seq, m.role, m.content || char(10) || m.thinking ||
			coalesce((SELECT char(10) || group_concat('📎 ' || name || char(10) || text, char(10)) FROM attachments WHERE message_id = m.id), '')
		FROM (SELECT -rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid LIMIT ?) f
		JOIN messages m ON m.id = f.id JOIN conversations c ON c.id = m.conversation_id`+skip+`
		ORDER BY m.id DESC`, args...)
	if err != nil {
		return nil, wrap("searching", err)
	}
	return scanHits(rows, func(h *Hit, content string) bool {
		h.Snippet = snippetOfWords(content, words)
		return true
	})
}

// scanHits reads message hits (conversation, title, id, seq, role, content); keep cuts each
// one's snippet and says whether to keep it.
func scanHits(rows *sql.Rows, keep func(h *Hit, content string) bool) ([]Hit, error) {
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var content string
		if err := rows.Scan(&h.ConversationID, &h.Title, &h.MessageID, &h.Seq, &h.Role, &content); err != nil {
			return nil, wrap("searching", err)
		}
		if keep(&h, content) {
			hits = append(hits, h)
		}
	}
	return hits, wrap("searching", rows.Err())
}

// QueryWords are the words a search looks for: what to highlight where it found them.
func QueryWords(query string) []string { return strings.FieldsFunc(query, notWordRune) }

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// snippetOfWords cuts the text around the first word that starts with one of the query's
// words (ignoring case and accents, as the index does) and marks every such word in it. It
// reads the words one by one and keeps only the few around the match: a message of 50 MB costs
// a scan, not a copy of its every word.
func snippetOfWords(content string, query []string) string {
	var prefixes []string
	for _, q := range query {
		prefixes = append(prefixes, fold(q))
	}
	matches := func(word string) bool {
		if ascii(word) { // the common case, without folding a copy of every word
			for _, p := range prefixes {
				if ascii(p) && len(word) >= len(p) && strings.EqualFold(word[:len(p)], p) {
					return true
				}
			}
			return false
		}
		w := fold(word)
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
		return false
	}
	const before, after = 6, 14
	type span struct{ start, end int }
	var window []span // the last words before the match, then the match and those after it
	first := -1       // where the match is in window
	more := false     // words follow the window
	dropped := false  // words came before the window
	word := func(sp span) bool {
		if first < 0 {
			window = append(window, sp)
			if matches(content[sp.start:sp.end]) {
				first = len(window) - 1
			} else if len(window) > before {
				copy(window, window[1:]) // in place: a sliding window, not a growing slice
				window, dropped = window[:len(window)-1], true
			}
			return true
		}
		if len(window)-first >= after {
			more = true
			return false
		}
		window = append(window, sp)
		return true
	}
	start := -1
	for i, r := range content {
		if notWordRune(r) {
			if start >= 0 {
				if !word(span{start, i}) {
					start = -2
					break
				}
				start = -1
			}
		} else if start == -1 {
			start = i
		}
	}
	if start >= 0 {
		word(span{start, len(content)})
	}
	if first < 0 {
		return oneLine(snippetAround(content, ""))
	}
	var b strings.Builder
	if dropped {
		b.WriteString("…")
	}
	prev := window[0].start
	for _, sp := range window {
		if gap := content[prev:sp.start]; len(gap) > 120 { // a wall of punctuation between words
			b.WriteString(" … ")
		} else {
			b.WriteString(gap)
		}
		if w := content[sp.start:sp.end]; matches(w) {
			b.WriteString(MarkStart + w + MarkEnd)
		} else {
			b.WriteString(w)
		}
		prev = sp.end
	}
	if more {
		b.WriteString("…")
	}
	return oneLine(b.String())
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold lowers case and strips accents, as the index's tokenizer does.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if base, ok := accents[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return b.String()
}

var accents = func() map[rune]rune {
	m := map[rune]rune{}
	for base, marked := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'e': "èéêëēĕėęě", 'i': "ìíîïĩīĭįı", 'n': "ñńņňŉ",
		'o': "òóôõöøōŏő", 'u': "ùúûüũūŭůűų", 'y': "ýÿŷ", 's': "śŝşš", 'z': "źżž", 'g': "ĝğġģ",
		'l': "ĺļľŀł", 'r': "ŕŗř", 't': "ţťŧ", 'd': "ďđ", 'h': "ĥħ", 'j': "ĵ", 'k': "ķ", 'w': "ŵ",
	} {
		for _, r := range marked {
			m[r] = base
		}
	}
	return m
}()

func hasUnspacedScript(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai) {
			return true
		}
	}
	return false
}

// searchSubstring scans message text for query, newest first.
func (s *Store) searchSubstring(query string, limit int) ([]Hit, error) {
	rows, err := s.db.Query(`SELECT m.conversation_id, c.title, m.id, m.seq, m.role, m.content || char(10) || m.thinking
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE instr(m.content, ?) > 0 OR instr(m.thinking, ?) > 0 ORDER BY m.updated DESC LIMIT ?`, query, query, limit)
	if err != nil {
		return nil, wrap("searching", err)
	}
	return scanHits(rows, func(h *Hit, content string) bool {
		h.Snippet = snippetAround(content, query)
		return true
	})
}

// snippetAround cuts about 40 characters either side of the first match and marks it.
func snippetAround(content, query string) string {
	i := strings.Index(content, query)
	if i < 0 || query == "" {
		if len(content) > 200 {
			content = content[:200]
		}
		return oneLine(content)
	}
	start, end := i, i+len(query)
	for n := 0; n < 40 && start > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(content[:start])
		start -= size
	}
	for n := 0; n < 40 && end < len(content); n++ {
		_, size := utf8.DecodeRuneInString(content[end:])
		end += size
	}
	s := content[start:i] + MarkStart + query + MarkEnd + content[i+len(query):end]
	if start > 0 {
		s = "…" + s
	}
	if end < len(content) {
		s += "…"
	}
	return oneLine(s)
}

// oneLine is a snippet as one line of plain words: Markdown's markup (code fences and their
// language, heading marks, emphasis, code ticks) is not what the user wrote about.
func oneLine(s string) string {
	s = fences.ReplaceAllString(s, " ")
	s = headings.ReplaceAllString(s, " ")
	s = markup.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

var (
	fences   = regexp.MustCompile("(```+|~~~+)[A-Za-z0-9_+#.-]*")
	headings = regexp.MustCompile(`(^|\s)#{1,6}\s`)
	markup   = regexp.MustCompile("\\*\\*|__|`")
)

// ByConversation keeps one hit per conversation, in order: a conversation found by its title
// and by its messages is listed once, at the message (the sidebar opens it there).
func ByConversation(hits []Hit) []Hit {
	at := map[int64]int{}
	var out []Hit
	for _, h := range hits {
		i, seen := at[h.ConversationID]
		switch {
		case !seen:
			at[h.ConversationID] = len(out)
			out = append(out, h)
		case out[i].Seq < 0 && h.Seq >= 0: // the title's hit, now with a message to open at
			out[i] = h
		}
	}
	return out
}
