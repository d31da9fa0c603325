// Package replies is the reply allowlist: replies real agents said again
// and again, mined from past calls, with their specifics replaced by
// placeholders and the customer turns each one answered. Mine builds it,
// Write and Read keep it as JSONL, and an Index finds the reply agents gave
// to customer turns like the current one.
//
// Mining scrubs every turn (see scrub). Personal data is found by package
// redact, the detector that redacts what the engine stores: card numbers
// become {card}, IBANs {iban}, social security numbers {ssn}, phone numbers
// {phone}, e-mail addresses {email}, account numbers {account} and dates of
// birth {date}. The other placeholders make templates of what redact leaves
// alone because an agent must read it: {url}, {date} for other dates,
// {address}, {time}, {percent}, {amount}, {number} for any other digits or
// spelled-out numbers, and {name} for people's names.
package replies

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
)

// Reply is one entry of the reply allowlist: something real agents said,
// with its specifics (amounts, numbers, names, personal data) replaced by
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

// Conversation is a past call as mining reads it.
type Conversation struct {
	// Names are the participants' names (customer, agent), empty when
	// unknown: their words count as names even in lower-case speech
	// transcripts.
	Names []string
	// Turns are the call's utterances in order.
	Turns []Turn
}

// Turn is one utterance of a conversation.
type Turn struct {
	// Speaker is SpeakerCustomer or SpeakerAgent; other speakers' turns
	// are ignored.
	Speaker string
	Text    string
}

// The speakers Mine reads.
const (
	SpeakerCustomer = "customer"
	SpeakerAgent    = "agent"
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
func Mine(calls []Conversation, opts MineOptions) []Reply {
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
func (m *miner) addCall(c Conversation) {
	names := participantNames(c.Names)
	var pending []string
	for _, u := range c.Turns {
		switch u.Speaker {
		case SpeakerCustomer:
			pending = append(pending, u.Text)
		case SpeakerAgent:
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
// of replies, and NewIndex and Read reject one.
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
	return !isOnlyPleasantries(text)
}

// isPlaceholder reports whether a word of a key is a placeholder alone.
func isPlaceholder(w string) bool {
	return len(w) > 2 && w[0] == '{' && w[len(w)-1] == '}'
}
