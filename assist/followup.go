package assist

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/larkspur-labs/assist/kb"
)

// A follow-up is a customer question that names no topic of its own: "how
// long does it take to come?" after a lost card, "is there a fee?" after
// asking how to pay the landlord. Searched alone, or with the customer's
// last turns (often answers to the agent: a name, "yes it is"), it finds
// whatever article shares its few words. Its topic is the call's: the
// article of the customer's last turn that the ranker was confident about,
// the one the agent is working on. So a follow-up is ranked as a mixture of
// its own ranking and the call's topic, the topic's share larger the less
// the turn says for itself. A turn that names a topic clearly keeps most of
// its own weight and wins over the topic ("what interest am I getting on
// the savings?" after paying the landlord), and only questions lean on the
// topic: a turn that answers the agent ("Daniel Okafor", "yes it is")
// still fits no article.
const (
	// followUpShare is the topic's share of a follow-up's ranking when the
	// turn is not confident on its own; shortFollowUpShare when it is but
	// is short (under shortFollowUpWords words), since a few words name a
	// topic ("fee") without saying whose it is. A topic found at 0.8 gives
	// an unconfident follow-up 0.4, the abstain threshold; a confident
	// short turn keeps the lead when it is twice as sure of its own
	// article as the topic was of the call's.
	followUpShare      = 0.5
	shortFollowUpShare = 0.4
	shortFollowUpWords = 6
	// topicLookback is how many earlier customer turns are searched for
	// the call's topic; topicDecay is how much a turn's vote for it fades
	// with each later customer turn.
	topicLookback = 6
	topicDecay    = 0.8
	// mixPool is how many candidates each ranking brings to the mixture.
	mixPool = 10
	// recentRankings is how many rankings of recent turns a Ranker keeps
	// for finding the call's topic, across the calls it serves.
	recentRankings = 512
)

// rankingCache holds the retriever's rankings of recent turns, so that
// finding the call's topic re-ranks no earlier turn the ranker has ranked
// already: as the engine ranks each turn when it comes, a follow-up costs
// no more than another turn. It serves the topic only, so agents' feedback
// since then, which the cached rankings miss, never reaches a suggestion
// late. Safe for concurrent use; the zero value is empty.
type rankingCache struct {
	mu    sync.Mutex
	m     map[string][]kb.Candidate
	order []string // oldest first, for eviction
}

func rankingKey(fast bool, turns []string) string {
	stage := "full"
	if fast {
		stage = "fast"
	}
	return stage + "\x00" + strings.Join(turns, "\x00")
}

func (c *rankingCache) get(key string) ([]kb.Candidate, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cands, ok := c.m[key]
	return cands, ok
}

func (c *rankingCache) put(key string, cands []kb.Candidate) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]kb.Candidate{}
	}
	if _, ok := c.m[key]; !ok {
		c.order = append(c.order, key)
	}
	c.m[key] = slices.Clone(cands)
	for len(c.order) > recentRankings {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}

// cached wraps retrieve, for the stage fast says, with the cache. Every
// ranking cached was asked for at least mixPool candidates.
func (c *rankingCache) cached(fast bool, retrieve retrieveFunc) retrieveFunc {
	return func(ctx context.Context, turns []string, k int) ([]kb.Candidate, error) {
		key := rankingKey(fast, turns)
		if cands, ok := c.get(key); ok && k <= mixPool {
			return cands[:min(k, len(cands))], nil
		}
		cands, err := retrieve(ctx, turns, k)
		if err == nil && k >= mixPool {
			c.put(key, cands)
		}
		return cands, err
	}
}

// Questions open with a wh-word, or with an auxiliary before its subject.
// Speech transcripts have no question marks, so a sentence's first words
// are read too.
var (
	whWords     = setOf("how", "what", "what's", "whats", "when", "where", "why", "which", "who", "whose")
	auxiliaries = setOf("can", "could", "will", "would", "is", "are", "was", "were", "do", "does", "did",
		"should", "shall", "may", "might", "isn't", "aren't", "won't", "can't", "don't", "doesn't", "have", "has")
	subjects = setOf("i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "my", "your",
		"the", "someone", "somebody", "anyone", "anybody")
)

// leadIns are words a customer puts before a question without changing it:
// "ok. and it'll get there by friday?", "so how do I…".
var leadIns = setOf(
	"and", "so", "but", "ok", "okay", "oh", "well", "then", "also", "um", "uh", "alright",
	"great", "yes", "yeah", "no", "phew", "hmm", "right", "sorry",
)

// asks reports whether a customer turn asks something: a question mark,
// or a sentence that opens, after lead-in words, with a wh-word or with an
// auxiliary before its subject ("can you…", "is there…"; not "do that").
func asks(text string) bool {
	if strings.Contains(text, "?") {
		return true
	}
	for _, sentence := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(".!;", r) }) {
		ws := lowerWords(sentence)
		for len(ws) > 0 && leadIns[ws[0]] {
			ws = ws[1:]
		}
		switch {
		case len(ws) == 0:
		case whWords[ws[0]]:
			return true
		case auxiliaries[ws[0]] && len(ws) > 1 && subjects[ws[1]]:
			return true
		}
	}
	return false
}

// topicShare is the share of the call's topic in the ranking of the last
// customer turn, whose own ranking has top as its best confidence; 0 when
// the turn is not a follow-up.
func (r *Ranker) topicShare(last string, top float64) float64 {
	if !asks(last) {
		return 0
	}
	if top < r.Threshold {
		return followUpShare
	}
	if len(lowerWords(last)) < shortFollowUpWords {
		return shortFollowUpShare
	}
	return 0
}

// callTopic ranks the articles for the call's topic, the need the
// customer keeps coming back to. The last topicLookback earlier customer
// turns are ranked again, oldest first, as the ranker ranked them (each
// follow-up among them with the topic so far), and each confident one
// votes for its top article, a vote weighing topicDecay times less per turn
// it is older. An escalation (a supervisor, a threat to leave) interrupts
// the need for a turn without becoming the topic; a need the customer has
// moved on from fades. The topic's ranking is that of the turn that named
// it most confidently, not a follow-up's diluted one; nil when no turn was
// confident.
func (r *Ranker) callTopic(ctx context.Context, history []Turn, retrieve retrieveFunc) ([]kb.Candidate, error) {
	// The newest customer turn is the follow-up being ranked: start before it.
	start := len(history) - 1
	for start >= 0 && history[start].Speaker != "customer" {
		start--
	}
	var ends []int // history[:end] ends with an earlier customer turn
	for end := start; end > 0 && len(ends) < topicLookback; end-- {
		if history[end-1].Speaker == "customer" {
			ends = append(ends, end)
		}
	}
	slices.Reverse(ends)
	votes := map[string]float64{}
	rankings := map[string][]kb.Candidate{}
	var best string
	for _, end := range ends {
		for id := range votes {
			votes[id] *= topicDecay
		}
		turns := customerTurns(history[:end], contextTurns)
		last := turns[len(turns)-1]
		if isFillerOnly(last) {
			continue
		}
		cands, err := retrieve(ctx, turns, mixPool)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			continue
		}
		if w := r.topicShare(last, cands[0].Confidence); w > 0 && best != "" {
			cands = mixCandidates(cands, rankings[best], w)
		}
		if top := cands[0]; !top.Article.OutOfScope && top.Confidence >= r.Threshold {
			id := top.Article.ID
			votes[id]++
			if prev, ok := rankings[id]; !ok || top.Confidence >= prev[0].Confidence {
				rankings[id] = cands
			}
		}
		best = ""
		for id, v := range votes {
			if best == "" || v > votes[best] || (v == votes[best] && id < best) {
				best = id
			}
		}
	}
	if best == "" {
		return nil, nil
	}
	return rankings[best], nil
}

type retrieveFunc func(ctx context.Context, turns []string, k int) ([]kb.Candidate, error)

// mixCandidates returns the weighted sum a·(1−w) + b·w of two rankings,
// best first: confidences and each source's share alike.
func mixCandidates(a, b []kb.Candidate, w float64) []kb.Candidate {
	byID := map[string]*kb.Candidate{}
	var out []*kb.Candidate
	add := func(cs []kb.Candidate, w float64) {
		for _, c := range cs {
			o := byID[c.Article.ID]
			if o == nil {
				o = &kb.Candidate{Article: c.Article}
				byID[c.Article.ID] = o
				out = append(out, o)
			}
			o.Confidence += w * c.Confidence
			o.Intent += w * c.Intent
			o.FullText += w * c.FullText
			o.Dense += w * c.Dense
		}
	}
	add(a, 1-w)
	add(b, w)
	res := make([]kb.Candidate, len(out))
	for i, c := range out {
		res[i] = *c
	}
	slices.SortFunc(res, func(x, y kb.Candidate) int {
		return cmp.Or(cmp.Compare(y.Confidence, x.Confidence), strings.Compare(x.Article.ID, y.Article.ID))
	})
	return res
}
