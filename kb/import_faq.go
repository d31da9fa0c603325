package kb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ImportFAQ reads an FAQ table from r, a file called name, and returns its
// articles. format is "csv" (comma-separated, header row required) or "jsonl"
// (one JSON object per line, whose keys play the part of the header).
//
// Columns are matched by name, ignoring case; when several names of a role
// are present, the first in this list wins:
//   - question (required): question, instruction, utterance, text
//   - answer (required): answer, response
//   - intent: intent, label
//   - category: category
//   - lang: lang, language
//
// Other columns are ignored, "tags" included: the one real data set with such
// a column (Bitext) uses it for linguistic-variation flags, not topics.
//
// With an intent column, rows are grouped by intent (and lang) into one
// article each, in order of first appearance: the id is the intent in
// kebab-case (plus "-<lang>" for a language other than English), the title
// the intent humanised ("cancel_order" becomes "Cancel order"), the questions
// every distinct question of the intent in file order, the tags its distinct
// categories in kebab-case. The answer is the intent's first answer: data
// sets like Bitext pair every utterance with a paraphrase of one templated
// reply, none better than another, and the first keeps the choice
// predictable. Placeholders such as {{Order Number}} are kept for the agent
// to fill. Without an intent column each row is an article whose id comes
// from its question.
//
// Text is cleaned on the way in: invalid UTF-8 is replaced, control
// characters other than newline and tab are dropped, surrounding space is
// trimmed and questions and titles are folded onto one line.
//
// A missing required column is a *ParseError naming the columns found. Every
// bad row (a wrong number of fields, a malformed JSON line, an empty
// question, answer or intent) is a *ParseError with the file and line; they
// are joined with errors.Join, at most 100 of them, and then no articles are
// returned. Other errors (unknown format, empty file, read failure, a file
// over 256 MiB) are wrapped as "import faq <name>: ...".
func ImportFAQ(name string, r io.Reader, format string) ([]Article, error) {
	p := &importProblems{file: name}
	r = &cappedReader{r: r, left: maxImportBytes}
	var (
		t   faqTable
		err error
	)
	switch format {
	case "csv":
		t, err = readFAQCSV(r, p)
	case "jsonl":
		t, err = readFAQJSONL(r, p)
	default:
		return nil, fmt.Errorf("import faq %s: unknown format %q (want csv or jsonl)", name, format)
	}
	if err != nil {
		var located *ParseError
		if errors.As(err, &located) {
			return nil, err // names the file already
		}
		return nil, fmt.Errorf("import faq %s: %w", name, err)
	}
	articles := t.articles(name, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("import faq %s: no question-answer rows", name)
	}
	return articles, nil
}

// faqTable is an FAQ file read into rows.
type faqTable struct {
	rows     []faqRow
	byIntent bool
}

// faqRow is one cleaned question–answer row and the file line it starts on.
type faqRow struct {
	line                                     int
	question, answer, intent, category, lang string
}

// faqRoles lists, per role, the column names that can hold it, best first.
var faqRoles = []struct {
	role     string
	names    []string
	required bool
}{
	{"question", []string{"question", "instruction", "utterance", "text"}, true},
	{"answer", []string{"answer", "response"}, true},
	{"intent", []string{"intent", "label"}, false},
	{"category", []string{"category"}, false},
	{"lang", []string{"lang", "language"}, false},
}

// faqColumns maps each role to the column that holds it ("" when absent).
type faqColumns map[string]string

// resolveColumns picks the column of each role among names, which must be
// lower case. A missing required role is an error naming what was found.
func resolveColumns(names []string) (faqColumns, error) {
	cols := faqColumns{}
	var missing []string
	for _, r := range faqRoles {
		for _, n := range r.names {
			if slices.Contains(names, n) {
				cols[r.role] = n
				break
			}
		}
		if cols[r.role] == "" && r.required {
			missing = append(missing, fmt.Sprintf("%s (%s)", r.role, strings.Join(r.names, ", ")))
		}
	}
	if len(missing) > 0 {
		found := make([]string, len(names))
		for i, n := range names {
			found[i] = strconv.Quote(n)
		}
		return nil, fmt.Errorf("no %s column; columns found: %s", strings.Join(missing, " or "), strings.Join(found, ", "))
	}
	return cols, nil
}

// row builds a cleaned row from the raw value of each column and reports an
// empty question, answer or (when grouping) intent.
func (c faqColumns) row(line int, value func(column string) string, p *importProblems) (faqRow, bool) {
	get := func(role string) string {
		if c[role] == "" {
			return ""
		}
		return value(c[role])
	}
	row := faqRow{
		line:     line,
		question: cleanLine(get("question")),
		answer:   cleanText(get("answer")),
		intent:   cleanLine(get("intent")),
		category: cleanLine(get("category")),
		lang:     cleanLine(get("lang")),
	}
	ok := true
	for _, f := range []struct{ role, value string }{
		{"question", row.question}, {"answer", row.answer}, {"intent", row.intent},
	} {
		if role := f.role; c[role] != "" && f.value == "" {
			p.add(line, "empty %s (%q)", role, c[role])
			ok = false
		}
	}
	return row, ok
}

// readFAQCSV reads a CSV FAQ table. Bad rows are reported to p and skipped;
// the error is for the whole file: no header, a missing column, a read error.
func readFAQCSV(r io.Reader, p *importProblems) (faqTable, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return faqTable{}, errors.New("empty file: want a header row naming the columns")
	}
	if err != nil {
		return faqTable{}, fmt.Errorf("header: %w", err)
	}
	index := map[string]int{}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if _, dup := index[names[i]]; !dup {
			index[names[i]] = i
		}
	}
	cols, err := resolveColumns(names)
	if err != nil {
		line, _ := cr.FieldPos(0)
		return faqTable{}, &ParseError{File: p.file, Line: line, Msg: err.Error()}
	}
	t := faqTable{byIntent: cols["intent"] != ""}
	for !p.full() {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.add(pe.StartLine, "%s", csvMessage(pe, len(rec), len(header)))
			continue
		}
		if err != nil {
			return faqTable{}, err
		}
		line, _ := cr.FieldPos(0)
		if row, ok := cols.row(line, func(col string) string { return rec[index[col]] }, p); ok {
			t.rows = append(t.rows, row)
		}
	}
	return t, nil
}

// csvMessage says what is wrong with a CSV record in the words of the file.
func csvMessage(pe *csv.ParseError, got, want int) string {
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return fmt.Sprintf("wrong number of fields: %d, the header has %d", got, want)
	}
	return fmt.Sprintf("bad CSV: %v (line %d, column %d)", pe.Err, pe.Line, pe.Column)
}

// maxLineBytes bounds one JSONL line, so that a file without newlines cannot
// make the reader buffer the whole of it.
const maxLineBytes = 16 << 20

// readFAQJSONL reads a JSONL FAQ table. The first object's keys stand in for
// the header; later objects must hold the same required keys.
func readFAQJSONL(r io.Reader, p *importProblems) (faqTable, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	var (
		t    faqTable
		cols faqColumns
		line int
	)
	for !p.full() && sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		if len(text) == 0 {
			continue
		}
		obj, err := jsonObject(text)
		if err != nil {
			p.add(line, "%v", err)
			continue
		}
		if cols == nil {
			if cols, err = resolveColumns(slices.Sorted(maps.Keys(obj))); err != nil {
				return faqTable{}, &ParseError{File: p.file, Line: line, Msg: err.Error()}
			}
			t.byIntent = cols["intent"] != ""
		}
		vals, err := cols.jsonValues(obj)
		if err != nil {
			p.add(line, "%v", err)
			continue
		}
		if row, ok := cols.row(line, func(key string) string { return vals[key] }, p); ok {
			t.rows = append(t.rows, row)
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		p.add(line+1, "line longer than %d MiB; stopped reading", maxLineBytes>>20)
	} else if sc.Err() != nil {
		return faqTable{}, sc.Err()
	}
	if cols == nil && p.err() == nil {
		return faqTable{}, errors.New("empty file: want one JSON object per line")
	}
	return t, nil
}

// jsonObject decodes one JSONL line into its raw values, keyed by the
// lower-cased key.
func jsonObject(line []byte) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return nil, fmt.Errorf("bad JSON: want an object, got %s", te.Value)
		}
		return nil, fmt.Errorf("bad JSON: %w", err)
	}
	if raw == nil {
		return nil, errors.New("bad JSON: want an object, got null")
	}
	obj := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		obj[strings.ToLower(k)] = v
	}
	return obj, nil
}

// jsonValues returns the text of the keys c uses; other keys may hold
// anything.
func (c faqColumns) jsonValues(obj map[string]json.RawMessage) (map[string]string, error) {
	vals := map[string]string{}
	for _, r := range faqRoles {
		key := c[r.role]
		raw, ok := obj[key]
		if key == "" || !ok {
			continue
		}
		text, err := jsonText(raw)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		vals[key] = text
	}
	return vals, nil
}

// jsonText is a valid JSON value as text: a string, a number in its literal
// form (numeric labels), or empty for null.
func jsonText(raw json.RawMessage) (string, error) {
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case 't', 'f':
		return "", errors.New("want a string, got a boolean")
	case '[':
		return "", errors.New("want a string, got an array")
	case '{':
		return "", errors.New("want a string, got an object")
	}
	return string(raw), nil
}

// articles turns the rows into articles, one per intent or one per row.
func (t faqTable) articles(name string, p *importProblems) []Article {
	if t.byIntent {
		return intentArticles(name, t.rows, p)
	}
	return rowArticles(name, t.rows)
}

// intentArticles groups rows by intent and language, in order of first
// appearance. Two intents that give the same id are reported: merging them
// silently could mix two answers.
func intentArticles(name string, rows []faqRow, p *importProblems) []Article {
	type group struct {
		first faqRow
		a     Article
	}
	var groups []*group
	byKey := map[[2]string]*group{}
	byID := map[string]*group{}
	for _, row := range rows {
		key := [2]string{row.intent, row.lang}
		g := byKey[key]
		if g == nil {
			g = &group{first: row, a: newFAQArticle(name, row)}
			g.a.ID = withLang(slugOr(row.intent, row.line), row.lang)
			g.a.Title = humanize(row.intent)
			if other := byID[g.a.ID]; other != nil {
				p.add(row.line, "intent %q gives the id %q, already used by intent %q on line %d",
					row.intent, g.a.ID, other.first.intent, other.first.line)
			}
			byKey[key], byID[g.a.ID] = g, g
			groups = append(groups, g)
		}
		g.a.Questions = appendNew(g.a.Questions, row.question)
		g.a.Tags = appendNew(g.a.Tags, slug(row.category))
	}
	articles := make([]Article, len(groups))
	for i, g := range groups {
		articles[i] = g.a
	}
	return articles
}

// rowArticles makes one article per row, its id from the question. Questions
// that give the same id get a numeric suffix, since without intents there is
// nothing better to tell them apart.
func rowArticles(name string, rows []faqRow) []Article {
	articles := make([]Article, 0, len(rows))
	seen := map[string]bool{}
	for _, row := range rows {
		a := newFAQArticle(name, row)
		base := withLang(truncateID(slugOr(row.question, row.line)), row.lang)
		a.ID = base
		for n := 2; seen[a.ID]; n++ {
			a.ID = base + "-" + strconv.Itoa(n)
		}
		seen[a.ID] = true
		a.Title = row.question
		a.Questions = []string{row.question}
		a.Tags = appendNew(nil, slug(row.category))
		articles = append(articles, a)
	}
	return articles
}

// newFAQArticle starts the article of a row: its answer, language and source.
func newFAQArticle(name string, row faqRow) Article {
	a := Article{Answer: row.answer, Lang: row.lang, Source: name}
	if a.Lang == "" {
		a.Lang = DefaultLang
	}
	return a
}

// withLang suffixes an id with the language, so that the same intent in two
// languages gives two articles.
func withLang(id, lang string) string {
	if lang == "" || lang == DefaultLang {
		return id
	}
	if s := slug(lang); s != "" {
		return id + "-" + s
	}
	return id
}

// appendNew appends s to list unless it is empty or already there.
func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
