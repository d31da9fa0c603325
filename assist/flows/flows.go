// Package flows guides the agent through a call's procedure: which guided
// flow (a subflow of the agent guidelines, e.g. "recover_password") the call
// is about, which of its steps are done, and which step comes next.
//
// A Flow is an ordered list of Steps, each a system action the agent takes
// ("pull-up-account", "enter-details", ...). A Tracker follows one call: it
// re-scores the flows from the customer's words after every utterance with a
// Matcher (keeping the current flow unless another one is clearly better, so
// the guidance does not flap), ticks steps when the agent's words match a
// step's cues or when the system reports the action, and names the next step
// as the first one, in the flow's order, that is not done. A customer turn
// that raises a new need moves it to another flow once the current one is
// done or stalled; the flows a call leaves stay in its record, and their
// steps still tick.
//
// LoadABCD builds the flows from the agent guidelines of ASAPP's
// Action-Based Conversations Dataset; NewTextMatcher is a matcher built only
// from the flows' own text and keywords. Everything here is deterministic.
package flows

import (
	"math"
	"slices"
	"strings"
)

// Flow is one guided procedure: a subflow of the guidelines and the ordered
// actions the agent must take in it.
type Flow struct {
	// ID is the subflow's name, e.g. "recover_password".
	ID string
	// Group is the name of the flow the subflow belongs to, e.g. "account_access".
	Group string
	// Title is the subflow's human name, e.g. "Recover Password".
	Title string
	// Description is the guideline text of the subflow: the group's
	// description, the instructions and the steps' text.
	Description string
	// Keywords are phrases a customer uses for this subflow and hardly for
	// another; a Matcher weighs them above the description's words.
	Keywords []string
	// Steps are the actions to take, in the guidelines' order.
	Steps []Step
}

// Step is one action of a flow.
type Step struct {
	// ID is the action's name, e.g. "pull-up-account".
	ID string
	// Title says the action to a person, e.g. "Pull up the account".
	Title string
	// Cues are phrases in an agent's utterance showing the step was done or
	// is being done, e.g. "pull up your account"; they match whole words in
	// lower case, punctuation ignored.
	Cues []string
	// DoneCues are phrases showing the step finished ("you're verified",
	// "I've refunded"): said by the agent, or by the customer once the
	// step started, they tick it at that turn.
	DoneCues []string
	// Said marks a step that saying a cue performs (an offer, an
	// explanation): a cue ticks it at once.
	Said bool
	// Answered marks a step the customer's answer finishes (a question:
	// "Confirm the amount…"): once a cue started it, the customer's next
	// turn ticks it.
	Answered bool
	// Guided marks a step of several exchanges ("Guide the customer
	// through…"): the customer's answers do not finish it, its done cues
	// or a later step do.
	Guided bool
}

// Scored is a flow's score for a conversation; higher is better and only
// the order of scores from one call is meaningful.
type Scored struct {
	FlowID string
	Score  float64
}

// Matcher scores flows against what the customer said so far, one turn per
// element, and returns the scores best first, ties broken by flow ID.
type Matcher interface {
	Match(turns []string) []Scored
}

// TextMatcher scores flows with BM25 over each flow's title and description
// plus a bonus for each of the flow's keywords the turns contain.
type TextMatcher struct {
	ids      []string
	docs     []map[string]float64 // term frequencies per flow
	lens     []float64
	avgLen   float64
	idf      map[string]float64
	keywords [][]phrase // per flow
}

var _ Matcher = (*TextMatcher)(nil)

// BM25 parameters and the weight of a keyword found in the turns.
const (
	bm25K1        = 1.2
	bm25B         = 0.75
	keywordWeight = 3.0
)

// NewTextMatcher indexes the flows' titles, descriptions and keywords.
func NewTextMatcher(flows []Flow) *TextMatcher {
	m := &TextMatcher{idf: map[string]float64{}}
	df := map[string]int{}
	var total float64
	for _, f := range flows {
		tf := map[string]float64{}
		for _, t := range contentStems(f.Title + " " + f.Group + " " + f.Description) {
			tf[t]++
		}
		n := 0.0
		for t, c := range tf {
			df[t]++
			n += c
		}
		var kws []phrase
		for _, k := range f.Keywords {
			if p, ok := newPhrase(k); ok {
				kws = append(kws, p)
			}
		}
		m.ids = append(m.ids, f.ID)
		m.docs = append(m.docs, tf)
		m.lens = append(m.lens, n)
		m.keywords = append(m.keywords, kws)
		total += n
	}
	if len(flows) > 0 {
		m.avgLen = total / float64(len(flows))
	}
	n := float64(len(flows))
	for t, d := range df {
		m.idf[t] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	return m
}

// Match scores every flow against the turns, best first.
func (m *TextMatcher) Match(turns []string) []Scored {
	text := strings.Join(turns, " ")
	query := map[string]bool{}
	for _, t := range contentStems(text) {
		query[t] = true
	}
	padded := " " + normalize(text) + " "
	out := make([]Scored, len(m.ids))
	for i, id := range m.ids {
		var s float64
		for t := range query {
			tf := m.docs[i][t]
			if tf == 0 {
				continue
			}
			norm := bm25K1 * (1 - bm25B + bm25B*m.lens[i]/max(m.avgLen, 1))
			s += m.idf[t] * tf * (bm25K1 + 1) / (tf + norm)
		}
		for _, k := range m.keywords[i] {
			if k.in(padded) {
				s += keywordWeight * (1 + 0.5*float64(k.words()-1))
			}
		}
		out[i] = Scored{FlowID: id, Score: s}
	}
	sortScored(out)
	return out
}

// sortScored orders scores best first, ties by flow ID.
func sortScored(s []Scored) {
	slices.SortFunc(s, func(a, b Scored) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.FlowID, b.FlowID)
	})
}

// stopwords are words too common in both guidelines and chats to tell
// flows apart.
var stopwords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "but": true,
	"by": true, "can": true, "could": true, "do": true, "for": true, "from": true, "have": true, "hi": true,
	"hello": true, "i": true, "if": true, "in": true, "is": true, "it": true, "me": true, "my": true,
	"of": true, "on": true, "or": true, "please": true, "so": true, "that": true, "the": true, "their": true,
	"them": true, "then": true, "they": true, "this": true, "to": true, "was": true, "we": true, "with": true,
	"you": true, "your": true, "want": true, "would": true, "like": true, "need": true, "help": true,
	"customer": true, "thank": true, "thanks": true, "will": true, "im": true, "ive": true, "what": true,
	"how": true, "there": true, "these": true, "those": true, "just": true, "get": true, "has": true,
}

// contentStems splits text into lower-case, lightly stemmed words without
// stopwords.
func contentStems(text string) []string {
	var out []string
	for w := range strings.FieldsSeq(normalize(text)) {
		if stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips a plural or verb ending so that "codes" and "code",
// "returned" and "return" meet.
func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

// normalize lower-cases text, drops apostrophes ("don't" is "dont") and
// turns every other run of non-alphanumerics into one space.
func normalize(text string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(text) {
		switch {
		case r == '\'' || r == '’':
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '’':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// phrase is a normalised phrase with a space before it, searched for as
// whole words, allowing a plural or past ending on its last word ("stain"
// matches "stains", "stained").
type phrase string

// newPhrase prepares a phrase for search; ok is false when it is empty.
func newPhrase(text string) (p phrase, ok bool) {
	n := normalize(text)
	return phrase(" " + n), n != ""
}

// phraseEnds are what may follow a phrase's last word.
var phraseEnds = [...]string{" ", "s ", "es ", "ed ", "d "}

// in reports whether padded (normalised text with a space at each end)
// holds the phrase as whole words.
func (p phrase) in(padded string) bool {
	for rest := padded; ; {
		i := strings.Index(rest, string(p))
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
		for _, end := range phraseEnds {
			if strings.HasPrefix(rest, end) {
				return true
			}
		}
	}
}

// words is the number of words in the phrase.
func (p phrase) words() int { return strings.Count(string(p), " ") }
