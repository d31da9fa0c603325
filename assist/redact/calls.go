package redact

import (
	"strings"
	"sync"
)

// Calls follows the calls in progress, one Dialogue each, and remembers
// the answers that only the agent's question made personal data ("march
// fourth eighty eight" after "can you confirm your date of birth?"). Text
// that leaves the process later without its question — a draft's window
// of recent turns, a knowledge-base query embedded by a server, one
// utterance sent for translation — goes through Redact, which removes what
// Find would and every remembered answer of a call in progress.
//
// The engine feeds each call's final turns to Turn as they come and calls
// End when the call is over; the model-server clients redact with Redact.
// A Calls is safe for concurrent use. A nil *Calls redacts nothing.
type Calls struct {
	r *Redactor

	mu      sync.Mutex
	calls   map[string]*liveCall
	serial  uint64 // orders calls for eviction
	answers int    // remembered answers over all calls
	// firstWords counts the remembered answers by their first word, so
	// that a text holding none of them is passed after one look at its
	// words, however many calls are live.
	firstWords map[string]int
}

// liveCall is one call in progress.
type liveCall struct {
	d       *Dialogue
	answers []answer
	serial  uint64
}

// answer is a remembered answer: its kind and its words, lower-case.
type answer struct {
	kind Kind
	text string
}

// firstWord is the answer's first word: its first run of letters or
// digits.
func (a answer) firstWord() string {
	i := 0
	for i < len(a.text) && !isWord(a.text[i]) {
		i++
	}
	j := i
	for j < len(a.text) && isWord(a.text[j]) {
		j++
	}
	return a.text[i:j]
}

// Bounds on what Calls remembers: a call's answers beyond maxAnswers push
// out its oldest, and a call not ended when maxCalls others have started
// since (a lost End) is forgotten.
const (
	maxAnswers = 32
	maxCalls   = 1 << 14
)

// NewCalls returns a Calls that redacts with r.
func NewCalls(r *Redactor) *Calls {
	return &Calls{r: r, calls: map[string]*liveCall{}, firstWords: map[string]int{}}
}

// Turn redacts a final turn of call id said by speaker, given the call's
// turns before it, notes it for the turns after it and remembers the
// answers in it that only the question made personal data.
func (c *Calls) Turn(id, speaker, text string) string {
	if c == nil {
		return text
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lc := c.call(id)
	hs := lc.d.turn(speaker, text, true)
	for _, h := range hs {
		if !h.answer {
			continue
		}
		if len(lc.answers) == maxAnswers {
			c.forget(lc.answers[0])
			lc.answers = lc.answers[1:]
		}
		a := answer{kind: h.Kind, text: lowerASCII(text[h.Start:h.End])}
		lc.answers = append(lc.answers, a)
		c.answers++
		c.firstWords[a.firstWord()]++
	}
	return replace(text, hs, Kind.Placeholder)
}

// Partial redacts a turn of call id still being said, as Turn would, but
// notes nothing: the final turn will.
func (c *Calls) Partial(id, speaker, text string) string {
	if c == nil {
		return text
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := Dialogue{r: c.r}
	if lc, ok := c.calls[id]; ok {
		d = *lc.d
	}
	return replace(text, d.turn(speaker, text, false), Kind.Placeholder)
}

// End forgets call id and its answers.
func (c *Calls) End(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if lc, ok := c.calls[id]; ok {
		c.drop(id, lc)
	}
}

// drop forgets call id. The caller holds c.mu.
func (c *Calls) drop(id string, lc *liveCall) {
	for _, a := range lc.answers {
		c.forget(a)
	}
	delete(c.calls, id)
}

// forget takes a remembered answer out of the counts. The caller holds
// c.mu.
func (c *Calls) forget(a answer) {
	c.answers--
	w := a.firstWord()
	if c.firstWords[w]--; c.firstWords[w] <= 0 {
		delete(c.firstWords, w)
	}
}

// call returns call id, starting it if needed. The caller holds c.mu.
func (c *Calls) call(id string) *liveCall {
	lc, ok := c.calls[id]
	if ok {
		return lc
	}
	if len(c.calls) >= maxCalls {
		oldest := ""
		var min uint64
		for k, v := range c.calls {
			if oldest == "" || v.serial < min {
				oldest, min = k, v.serial
			}
		}
		c.drop(oldest, c.calls[oldest])
	}
	c.serial++
	lc = &liveCall{d: c.r.Dialogue(), serial: c.serial}
	c.calls[id] = lc
	return lc
}

// Redact returns text with what Find finds and every remembered answer of
// a call in progress replaced by placeholders. It is what text that leaves
// the process goes through when it no longer carries its question.
func (c *Calls) Redact(text string) string {
	if c == nil {
		return text
	}
	hs := c.r.find(text, ask{})
	c.mu.Lock()
	if c.answers > 0 {
		hs = c.remembered(text, hs)
	}
	c.mu.Unlock()
	return replace(text, hs, Kind.Placeholder)
}

// remembered adds to hs the remembered answers in text, as whole words,
// where they overlap nothing found already. The caller holds c.mu.
func (c *Calls) remembered(text string, hs []hit) []hit {
	low := lowerASCII(text)
	if !c.holdsFirstWord(low) {
		return hs
	}
	n := len(hs)
	for _, lc := range c.calls {
		for _, a := range lc.answers {
			for off := 0; off < len(low); {
				i := strings.Index(low[off:], a.text)
				if i < 0 {
					break
				}
				start := off + i
				end := start + len(a.text)
				off = start + 1
				if !apart(low, start, end) || overlapsAny(hs, start, end) {
					continue
				}
				hs = append(hs, hit{Finding: Finding{Kind: a.kind, Start: start, End: end}, answer: true})
				off = end
			}
		}
	}
	if len(hs) > n {
		sortHits(hs)
	}
	return hs
}

// holdsFirstWord reports whether a word of low is the first word of a
// remembered answer. The caller holds c.mu.
func (c *Calls) holdsFirstWord(low string) bool {
	for i := 0; i < len(low); {
		if !isWord(low[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(low) && isWord(low[j]) {
			j++
		}
		if c.firstWords[low[i:j]] > 0 {
			return true
		}
		i = j
	}
	return false
}
