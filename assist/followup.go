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
// whatever article shares its few words. Its topic is the call's: the need
// the customer keeps coming back to (callTopic). So a question is ranked
// as a mixture of its own ranking and the call's topic, the topic's share
// being the doubt the question leaves on its own, 1 − its top confidence,
// up to followUpShare. A question that names a topic clearly keeps the
// lead ("what's my balance?" after a lost card: 99% on its own), a vague
// one takes the topic, and only questions lean on the topic: a turn that
// answers the agent ("Daniel Okafor", "yes it is") still fits no article.
//
// The question's own ranking is used rather than the one mixed with the
// customer's last turns, which would count the earlier turns twice: a
// short question is mixed 1:1 with them, enough to lose "what's my
// balance?" to the lost card.
const (
	// followUpShare is the topic's largest share: a topic found at 0.8
	// gives a question that says nothing for itself 0.4, the abstain
	// threshold.
	followUpShare = 0.5
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
// already: as the engine ranks each turn when it comes, a question costs
// one search more than another turn (its own, without its context), and
// earlier turns none. It serves the topic only, so agents' feedback
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

// followUp ranks the last of turns, a question, with the call's topic:
// its own ranking mixed with topic()'s. It returns cands, the turns'
// ranking, when the last turn asks nothing or the call has no topic yet.
func (r *Ranker) followUp(ctx context.Context, turns []string, cands []kb.Candidate, retrieve retrieveFunc, topic func() ([]kb.Candidate, error)) ([]kb.Candidate, error) {
	last := turns[len(turns)-1]
	if !asks(last) || isFillerOnly(last) {
		return cands, nil
	}
	own := cands
	if len(turns) > 1 {
		var err error
		if own, err = retrieve(ctx, turns[len(turns)-1:], mixPool); err != nil {
			return nil, err
		}
	}
	if len(own) == 0 {
		return cands, nil
	}
	w := min(followUpShare, 1-own[0].Confidence)
	if w <= 0 {
		return cands, nil
	}
	t, err := topic()
	if err != nil || t == nil {
		return cands, err
	}
	return mixCandidates(own, t, w), nil
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
		if best != "" {
			topic := rankings[best]
			if cands, err = r.followUp(ctx, turns, cands, retrieve, func() ([]kb.Candidate, error) { return topic, nil }); err != nil {
				return nil, err
			}
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
