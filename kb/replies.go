package kb

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// Reply is one entry of the reply allowlist: something real agents said,
// with its specifics (amounts, numbers, names, addresses) replaced by
// placeholders such as {amount}, and the customer turns it answered.
type Reply struct {
	// ID is "reply-" and a hash of the normalised text, so the same reply
	// keeps its id when the allowlist is mined again from more calls.
	ID string `json:"id"`
	// Text is the reply's most frequent wording, placeholders included.
	Text string `json:"text"`
	// Count is how many agent turns normalised to this reply.
	Count int `json:"count"`
	// Contexts are distinct customer turns that came right before the
	// reply, most frequent first, scrubbed like Text. Retrieval matches a
	// customer utterance against them.
	Contexts []string `json:"contexts,omitempty"`
}

// Mining defaults and bounds.
const (
	// DefaultMinCount is how many agent turns must share a reply, by
	// default, for it to enter the allowlist: a reply said once is as
	// likely a slip as a habit.
	DefaultMinCount = 2
	// DefaultMaxContexts bounds Reply.Contexts by default.
	DefaultMaxContexts = 20

	// Replies shorter than minReplyWords say nothing on their own ("To
	// whom?"); longer than maxReplyWords are explanations for one case,
	// not reusable replies.
	minReplyWords = 3
	maxReplyWords = 40
	// maxContextWords keeps the end of a long customer turn, the part the
	// agent answered, and bounds the index.
	maxContextWords = 60
)

// MineOptions tunes Mine. Zero values mean the defaults.
type MineOptions struct {
	// MinCount is how many agent turns must share a reply for it to be
	// kept; DefaultMinCount when 0 or less.
	MinCount int
	// MaxContexts bounds Reply.Contexts; DefaultMaxContexts when 0 or less.
	MaxContexts int
}

// Mine builds the reply allowlist from the agent turns of calls.
//
// Each agent turn is scrubbed (see scrub), grouped with the turns that read
// the same once lower-cased with punctuation dropped, and skipped if it has
// fewer than 3 or more than 40 words or is only greetings, thanks and
// closings. Replies seen at least MinCount times are returned, most
// frequent first, then by text; the output depends only on the calls and
// their order.
func Mine(calls []transcript.Call, opts MineOptions) []Reply {
	if opts.MinCount <= 0 {
		opts.MinCount = DefaultMinCount
	}
	if opts.MaxContexts <= 0 {
		opts.MaxContexts = DefaultMaxContexts
	}
	m := miner{groups: map[string]*replyGroup{}}
	for _, c := range calls {
		m.addCall(c)
	}
	return m.replies(opts)
}

// miner accumulates agent turns by normalised text.
type miner struct {
	groups map[string]*replyGroup
	seq    int // order of first sight, to break ties deterministically
}

// replyGroup is every agent turn that normalised to one key.
type replyGroup struct {
	count    int
	forms    map[string]int          // scrubbed surface form → turns
	contexts map[string]*seenContext // context key → context
}

// seenContext is one distinct customer turn before a reply.
type seenContext struct {
	text  string
	n     int
	first int
}

// addCall pairs each agent turn with the customer turns since the previous
// agent turn.
func (m *miner) addCall(c transcript.Call) {
	names := callNames(c)
	var pending []string
	for _, u := range c.Utterances {
		switch u.Speaker {
		case "customer":
			pending = append(pending, u.Text)
		case "agent":
			m.addTurn(u.Text, pending, names)
			pending = nil
		}
	}
}

// addTurn counts one agent turn and the customer turns it answered.
func (m *miner) addTurn(agent string, customer []string, names map[string]bool) {
	text := scrub(agent, names)
	key := normalise(text)
	if !worthKeeping(text, key) {
		return
	}
	g := m.groups[key]
	if g == nil {
		g = &replyGroup{forms: map[string]int{}, contexts: map[string]*seenContext{}}
		m.groups[key] = g
	}
	g.count++
	g.forms[text]++
	ctx := scrub(lastWords(strings.Join(customer, " "), maxContextWords), names)
	ck := normalise(ctx)
	if ck == "" {
		return
	}
	m.seq++
	if c := g.contexts[ck]; c != nil {
		c.n++
	} else {
		g.contexts[ck] = &seenContext{text: ctx, n: 1, first: m.seq}
	}
}

// replies turns the groups seen often enough into sorted replies.
func (m *miner) replies(opts MineOptions) []Reply {
	var out []Reply
	for key, g := range m.groups {
		if g.count < opts.MinCount {
			continue
		}
		out = append(out, Reply{
			ID:       replyID(key),
			Text:     mostFrequent(g.forms),
			Count:    g.count,
			Contexts: topContexts(g.contexts, opts.MaxContexts),
		})
	}
	slices.SortFunc(out, func(a, b Reply) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text), strings.Compare(a.ID, b.ID))
	})
	return out
}

// replyID hashes the normalised text, so a reply keeps its id when its most
// frequent wording changes; 48 bits make a clash unlikely below millions
// of replies, and NewReplyIndex and ReadReplies reject one.
func replyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "reply-" + hex.EncodeToString(sum[:6])
}

// mostFrequent returns the form seen most, the smallest one on a tie.
func mostFrequent(forms map[string]int) string {
	best, bestN := "", 0
	for f, n := range forms {
		if n > bestN || n == bestN && f < best {
			best, bestN = f, n
		}
	}
	return best
}

// topContexts returns up to n contexts, most frequent first, then in the
// order they were first seen.
func topContexts(cs map[string]*seenContext, n int) []string {
	all := make([]*seenContext, 0, len(cs))
	for _, c := range cs {
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b *seenContext) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.first, b.first))
	})
	all = all[:min(n, len(all))]
	out := make([]string, 0, len(all))
	for _, c := range all {
		out = append(out, c.text)
	}
	return out
}

// lastWords keeps the last n words of s.
func lastWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[max(0, len(f)-n):], " ")
}

// normalise is the grouping key of a scrubbed text: lower case, one space
// between words, punctuation around words dropped ("Okay, have a great
// day!" and "okay have a great day" are one reply). Placeholder braces stay.
func normalise(s string) string {
	words := strings.Fields(strings.ToLower(s))
	kept := words[:0]
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '{' && r != '}'
		})
		if w != "" {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// worthKeeping reports whether an agent turn belongs in the allowlist: a
// reasonable length, some words besides placeholders, and more than
// pleasantries.
func worthKeeping(text, key string) bool {
	words := strings.Fields(key)
	if len(words) < minReplyWords || len(words) > maxReplyWords {
		return false
	}
	if !slices.ContainsFunc(words, func(w string) bool { return !isPlaceholder(w) }) {
		return false
	}
	return !isSmallTalk(text)
}

// isPlaceholder reports whether a word of a key is a placeholder alone.
func isPlaceholder(w string) bool {
	return len(w) > 2 && w[0] == '{' && w[len(w)-1] == '}'
}

// clauseBreak splits a reply into the clauses isSmallTalk checks one by one.
var clauseBreak = regexp.MustCompile(`[.,!?;:()\-–—]+|\s+and\s+`)

// pleasantry is a greeting, thanks, acknowledgement, wish or goodbye, in
// lower case.
var pleasantry = `(?:` + strings.Join([]string{
	`(?:oh |well )?(?:hi|hello|hey|greetings|good (?:morning|afternoon|evening|day))(?: there| again)?(?: {name})?`,
	`(?:ok|okay|sure|alright|all right|right|great|perfect|excellent|wonderful|got it|no problem|not a problem|no worries|my pleasure|of course|certainly|absolutely|anytime|sounds good|thank god)`,
	`(?:you're|you are|you're very|you are very|you're most|you are most|very|most) welcome`,
	`(?:i'm |i am )?(?:glad|happy) (?:i could|i was able to|to) (?:help|assist)(?: you)?(?: today)?`,
	`(?:thanks|thank you|many thanks)(?: (?:so|very) much)?(?: again)?(?: for (?:calling|contacting us|reaching out|chatting|your (?:call|time|patience|business)|waiting|holding)(?: (?:us|with us|{name}))?)?(?: {name})?(?: today)?`,
	`(?:i hope you |you )?(?:have|enjoy)(?: a| an| your| the rest of your)?(?: (?:very|really))?(?: (?:great|good|nice|wonderful|lovely|pleasant|awesome|excellent|fantastic|fine|safe|blessed|beautiful|great rest of the))?(?: (?:day|afternoon|evening|morning|night|one|weekend|week|time))(?: today)?`,
	`(?:bye|goodbye|good bye|bye bye|take care|cheers|see you(?: soon| later)?|talk (?:to you )?(?:soon|later))(?: now)?`,
	`(?:this is|my name is|i am|i'm) {name}`,
}, "|") + `)`

// smallTalk matches a clause made only of pleasantries. Several may follow
// each other unpunctuated, as speech transcripts write them ("thank you for
// calling have a great day").
var smallTalk = regexp.MustCompile(`^` + pleasantry + `(?: (?:and )?` + pleasantry + `)*$`)

// isSmallTalk reports whether every clause of text is a pleasantry.
func isSmallTalk(text string) bool {
	for _, clause := range clauseBreak.Split(strings.ToLower(text), -1) {
		clause = strings.Join(strings.Fields(clause), " ")
		if clause != "" && !smallTalk.MatchString(clause) {
			return false
		}
	}
	return true
}

// numberWord is a spelled-out number, as speech recognisers write them.
const numberWord = `(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|` +
	`thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|` +
	`fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)`

// month is a month name or abbreviation; "may" only ever matches with a day
// after it.
const month = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|` +
	`sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

// ordinal is a spelled-out day of the month, as in "the twelfth of June".
const ordinal = `(?:(?:twenty|thirty)[\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|` +
	`tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|` +
	`nineteenth|twentieth|thirtieth)`

// streetType ends a street address.
const streetType = `(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|square|sq)`

// specifics are the details scrub replaces, in order. Anything holding
// digits comes before the catch-all {number}; spelled-out numbers come
// before amounts so "twenty five dollars" is an amount.
var specifics = []struct {
	re          *regexp.Regexp
	placeholder string
}{
	{regexp.MustCompile(`(?i)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`), "{email}"},
	{regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S*[^\s.,!?;:)]`), "{url}"},
	{regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`), "{card}"},
	{regexp.MustCompile(`(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b|\+\d(?:[\s.-]?\d){7,14}\b`), "{phone}"},
	{regexp.MustCompile(`(?i)\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}/\d{1,2}\b|` +
		`\b` + month + `\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + month + `\b(?:,?\s+\d{4})?`), "{date}"},
	{regexp.MustCompile(`(?i)\b(?:the\s+)?` + ordinal + `\s+of\s+` + month + `\b|\b` + month + `\s+(?:the\s+)?` + ordinal + `\b`), "{date}"},
	{regexp.MustCompile(`(?i)\b\d+[a-z]?\s+(?:\p{L}+\s+){0,3}` + streetType + `\b\.?`), "{address}"},
	{regexp.MustCompile(`(?i)\b\d{1,2}(?::\d{2})?\s?[ap](?:\.m\.|m\b)|\b\d{1,2}:\d{2}\b`), "{time}"},
	{regexp.MustCompile(`(?i)\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b)`), "{percent}"},
	{regexp.MustCompile(`(?i)\b` + numberWord + `(?:(?:\s+|-)(?:and\s+)?` + numberWord + `)+\b`), "{number}"},
	{regexp.MustCompile(`(?i)[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|thousand|million|billion)\b)?|` +
		`(?:\b\d[\d,]*(?:\.\d+)?|\{number\}|\b` + numberWord + `)\s?(?:dollars?|usd|bucks|euros?|eur|pounds?|gbp|cents?)\b`), "{amount}"},
	{regexp.MustCompile(`[\p{L}\p{Nd}]*\p{Nd}(?:[\p{L}\p{Nd}]|[.,:/-]\p{Nd})*`), "{number}"},
	// People's names the text flags itself.
	{regexp.MustCompile(`\b(?:[Mm]rs?|Ms|Miss|[Dd]r|Mister)\.?\s+\p{L}+`), "{name}"},
	{regexp.MustCompile(`(?i)\b(my name is|my name's|name is)\s+\p{L}+`), "$1 {name}"},
}

// placeholderRuns are placeholders in a row that read as one detail ("Mr
// Raghav Singh", "six two zero one", "March fourth, 1958").
var placeholderRuns = []struct {
	re          *regexp.Regexp
	placeholder string
}{
	{regexp.MustCompile(`\{name\}(?:\s+\{name\})+`), "{name}"},
	{regexp.MustCompile(`\{number\}(?:[\s,-]+\{number\})+`), "{number}"},
	{regexp.MustCompile(`\{date\},?\s+\{number\}`), "{date}"},
}

// quotes maps typographic quotes onto ASCII ones so "I’m" and "I'm" group.
var quotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// scrub replaces the specifics of one turn by placeholders (see specifics
// and nameWords) and collapses whitespace, so that the same reply with
// different values reads the same and no customer detail reaches the
// allowlist. knownNames are lower-case words of the call's participants'
// names, which catch names in lower-case speech transcripts.
func scrub(s string, knownNames map[string]bool) string {
	s = quotes.Replace(s)
	for _, sp := range specifics {
		s = sp.re.ReplaceAllString(s, sp.placeholder)
	}
	s = nameWords(s, knownNames)
	for _, r := range placeholderRuns {
		s = r.re.ReplaceAllString(s, r.placeholder)
	}
	return strings.Join(strings.Fields(s), " ")
}

// word is one run of letters.
var word = regexp.MustCompile(`\p{L}+`)

// nameWords replaces the words that look like people's names by {name}: a
// participant's name, or a capitalised word inside a sentence ("send it to
// Amir"). The second also catches brands and places ("Larkspur Bank"),
// which costs little in a reply template and errs on the side of privacy.
func nameWords(s string, known map[string]bool) string {
	// Speech transcripts are often all lower case; there a participant's
	// name is a name whatever its case.
	caseless := !strings.ContainsFunc(s, unicode.IsUpper)
	var b strings.Builder
	last := 0
	for _, loc := range word.FindAllStringIndex(s, -1) {
		if !looksLikeName(s, loc[0], s[loc[0]:loc[1]], known, caseless) {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString("{name}")
		last = loc[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// notNames are words that say nothing about a person even when capitalised
// inside a sentence: English stop words (the analyzer's list),
// pleasantries writers capitalise after a comma ("Ok, Thank you"), months
// and weekdays.
var notNames = func() map[string]bool {
	stop := analysis.NewTokenMap()
	if err := stop.LoadBytes(en.EnglishStopWords); err != nil {
		panic(fmt.Sprintf("kb: bleve's English stop words: %v", err)) // a fixed list: cannot fail at run time
	}
	for _, w := range strings.Fields(`ok okay thank thanks please yes yeah yep no nope hi hello hey
		sure great sorry welcome bye goodbye
		january february march april may june july august september october november december
		monday tuesday wednesday thursday friday saturday sunday`) {
		stop[w] = true
	}
	return stop
}()

// looksLikeName reports whether w, found at start in s, is a name. In
// mixed-case text a participant's name counts only with a capital, so a
// customer called Bill leaves "your bill" alone.
func looksLikeName(s string, start int, w string, known map[string]bool, caseless bool) bool {
	if start > 0 && s[start-1] == '{' {
		return false // a placeholder's own word
	}
	lower := strings.ToLower(w)
	first, _ := utf8.DecodeRuneInString(w)
	if known[lower] && (caseless || unicode.IsUpper(first)) {
		return true
	}
	return capitalised(w) && !notNames[lower] && !startsSentence(s, start)
}

// capitalised reports an upper-case letter followed by at least one lower-case
// one: "Amir" and "McDonald", not "I", "ATM" or "iPhone".
func capitalised(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && strings.IndexFunc(w[size:], unicode.IsLower) >= 0
}

// startsSentence reports whether the word at start begins a sentence or a
// clause after a colon, where capitals say nothing.
func startsSentence(s string, start int) bool {
	i := start
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune(`"'([*•-`, r):
			i -= size
		case strings.ContainsRune(".!?:;…", r):
			return true
		default:
			return false
		}
	}
	return true
}

// callNames are the lower-case words of a call's participants' names. Only
// capitalised words that are not common words count, so neither a role such
// as "virtual agent" nor a customer called Will turns every "will" into a
// name.
func callNames(c transcript.Call) map[string]bool {
	names := map[string]bool{}
	for _, w := range word.FindAllString(c.Customer+" "+c.Agent, -1) {
		if len([]rune(w)) > 1 && capitalised(w) && !notNames[strings.ToLower(w)] {
			names[strings.ToLower(w)] = true
		}
	}
	return names
}

// WriteReplies writes replies as JSONL, one object a line with the keys id,
// text, count and contexts.
func WriteReplies(w io.Writer, replies []Reply) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // keep "&" and "<" readable in the file
	for i := range replies {
		if err := enc.Encode(&replies[i]); err != nil {
			return fmt.Errorf("write replies: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write replies: %w", err)
	}
	return nil
}

// ReadReplies reads replies written by WriteReplies from r; name is the
// file's name in errors. Blank lines are skipped. If any line is malformed,
// has an unknown key, lacks an id or text, has a count below 1 or repeats an
// id, it returns no replies and an error joining every problem, each a
// *ParseError naming the line.
func ReadReplies(name string, r io.Reader) ([]Reply, error) {
	var (
		replies []Reply
		errs    []error
		seen    = map[string]int{} // id → line
	)
	br := bufio.NewReader(r) // no line limit: a reply with many long contexts is still one line
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(data)) > 0 {
			rep, msg := parseReplyLine(data)
			if msg == "" {
				if first, dup := seen[rep.ID]; dup {
					msg = fmt.Sprintf("duplicate id %q: already on line %d", rep.ID, first)
				}
			}
			if msg != "" {
				errs = append(errs, &ParseError{File: name, Line: line, Msg: msg})
			} else {
				seen[rep.ID] = line
				replies = append(replies, rep)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read replies %s: %w", name, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return replies, nil
}

// parseReplyLine decodes one JSONL line, or says what is wrong with it.
func parseReplyLine(data []byte) (Reply, string) {
	var rep Reply
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return Reply{}, "malformed reply: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Reply{}, "malformed reply: text after the JSON object"
	}
	switch {
	case strings.TrimSpace(rep.ID) == "":
		return Reply{}, "missing id"
	case strings.TrimSpace(rep.Text) == "":
		return Reply{}, "missing text"
	case rep.Count < 1:
		return Reply{}, fmt.Sprintf("count %d: want 1 or more", rep.Count)
	}
	return rep, ""
}

// ReplyHit is one reply search result.
type ReplyHit struct {
	// Reply is the matching reply, owned by the index: do not modify it.
	Reply *Reply
	// Score is bleve's BM25 relevance score times the reply's popularity
	// prior (see popularity); higher is better within one query.
	Score float64
}

// ReplyIndex is an in-memory full-text index over a reply allowlist. It is
// safe for concurrent use.
type ReplyIndex struct {
	idx     bleve.Index
	replies []Reply
	byID    map[string]*Reply
}

// replyFieldBoosts are the indexed fields of a reply. A customer utterance
// reads like the customer turns a reply answered, not like the reply, so
// the reply's own text counts less.
var replyFieldBoosts = []fieldBoost{
	{"contexts", 1},
	{"text", 0.5},
}

// replyDoc is what the index holds for a reply.
type replyDoc struct {
	Contexts []string `json:"contexts"`
	Text     string   `json:"text"`
}

// NewReplyIndex indexes a copy of replies, whose ids must be unique
// (ReadReplies ensures it). Like NewIndex it keeps a scorch index in
// memory, scored with BM25 and analysed like the knowledge base.
func NewReplyIndex(replies []Reply) (*ReplyIndex, error) {
	m, err := replyMapping()
	if err != nil {
		return nil, fmt.Errorf("create reply index: %w", err)
	}
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create reply index: %w", err)
	}
	ix := &ReplyIndex{idx: idx, replies: make([]Reply, len(replies)), byID: make(map[string]*Reply, len(replies))}
	batch := idx.NewBatch()
	for i, r := range replies {
		r.Contexts = slices.Clone(r.Contexts)
		ix.replies[i] = r
		rp := &ix.replies[i]
		if _, dup := ix.byID[r.ID]; dup {
			idx.Close()
			return nil, fmt.Errorf("create reply index: duplicate reply id %q", r.ID)
		}
		ix.byID[r.ID] = rp
		if err := batch.Index(r.ID, replyDoc{Contexts: r.Contexts, Text: r.Text}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index reply %s: %w", r.ID, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("create reply index: %w", err)
	}
	return ix, nil
}

// replyMapping takes the knowledge base's mapping for its analyzer and
// scoring, and swaps in the fields of a reply.
func replyMapping() (*mapping.IndexMappingImpl, error) {
	m, err := indexMapping()
	if err != nil {
		return nil, err
	}
	m.DefaultMapping = textFields(replyFieldBoosts)
	return m, nil
}

// Search returns up to k replies whose contexts best match q, a customer
// utterance, best first. The query is plain text, never bleve query
// syntax. A blank query or k < 1 yields no hits and no error.
//
// Mined replies come in many wordings of one answer, and BM25 favours the
// rare ones: their few contexts make a short field. So Search takes a wider
// pool of candidates and reranks it by relevance times popularity, which
// puts the wording most agents use first.
func (ix *ReplyIndex) Search(ctx context.Context, q string, k int) ([]ReplyHit, error) {
	q = strings.TrimSpace(q)
	if q == "" || k < 1 {
		return nil, nil
	}
	fields := make([]query.Query, len(replyFieldBoosts))
	for i, f := range replyFieldBoosts {
		mq := bleve.NewMatchQuery(q)
		mq.SetField(f.field)
		mq.Analyzer = analyzerName
		mq.SetBoost(f.boost)
		fields[i] = mq
	}
	pool := max(k*rerankPoolFactor, rerankPoolMin)
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(fields...), pool, 0, false)
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search replies: %w", err)
	}
	hits := make([]ReplyHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		if r, ok := ix.byID[h.ID]; ok {
			hits = append(hits, ReplyHit{Reply: r, Score: h.Score * popularity(r.Count)})
		}
	}
	slices.SortFunc(hits, func(a, b ReplyHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Reply.Count, a.Reply.Count), strings.Compare(a.Reply.ID, b.Reply.ID))
	})
	return hits[:min(k, len(hits))], nil
}

// The rerank pool is this many times k, and at least rerankPoolMin: enough
// for a reply popular enough to overtake the best match to be in it.
const (
	rerankPoolFactor = 5
	rerankPoolMin    = 50
)

// popularity is a reply's prior: it grows slowly with the number of agent
// turns behind it (×1.3 at 2 turns, ×2.2 at 50), so a common reply
// overtakes a rare one of similar relevance but not a clearly better match.
func popularity(count int) float64 {
	return math.Sqrt(1 + math.Log(float64(max(count, 1))))
}

// Close releases the index. Searching a closed index returns an error.
func (ix *ReplyIndex) Close() error {
	if err := ix.idx.Close(); err != nil {
		return fmt.Errorf("close reply index: %w", err)
	}
	return nil
}
