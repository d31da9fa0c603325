package kb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// FeedbackRecord is one agent verdict on a suggested article, as stored.
type FeedbackRecord struct {
	Time         time.Time `json:"ts"`
	CallID       string    `json:"call_id,omitempty"`
	SuggestionID string    `json:"suggestion_id,omitempty"`
	ArticleID    string    `json:"article_id"`
	// Verdict is helpful, not_helpful or used.
	Verdict string `json:"verdict"`
}

// Feedback keeps agents' verdicts on articles and turns them into ranking
// nudges for later calls. Verdicts are appended to a JSONL file, so they
// survive restarts and can be audited. It is safe for concurrent use.
type Feedback struct {
	mu      sync.Mutex
	counts  map[string]*verdicts
	file    *os.File
	skipped int
}

type verdicts struct{ good, bad int }

// NewFeedback returns a store kept in memory only.
func NewFeedback() *Feedback { return &Feedback{counts: map[string]*verdicts{}} }

// OpenFeedback loads the verdicts in the JSONL file at path, creating it if
// needed, and appends new ones to it. Lines that cannot be read (a torn
// last line after a crash, a hand edit) are skipped and counted, so one bad
// line never loses the rest.
func OpenFeedback(path string) (*Feedback, error) {
	fb := NewFeedback()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open feedback store: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var rec FeedbackRecord
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || !validVerdict(rec.Verdict) {
			fb.skipped++
			continue
		}
		if rec.ArticleID != "" {
			fb.count(rec)
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("read feedback store %s: %w", path, err)
	}
	fb.file = f
	return fb, nil
}

// Skipped returns how many stored lines could not be read.
func (fb *Feedback) Skipped() int {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	return fb.skipped
}

func validVerdict(v string) bool {
	return v == "helpful" || v == "not_helpful" || v == "used"
}

// Record stores one verdict. Verdicts without an article (a generated or
// mined reply) are kept in the file but do not move any article.
func (fb *Feedback) Record(rec FeedbackRecord) error {
	if !validVerdict(rec.Verdict) {
		return fmt.Errorf("record feedback: unknown verdict %q", rec.Verdict)
	}
	if rec.Time.IsZero() {
		rec.Time = time.Now().UTC()
	}
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if fb.file != nil {
		line, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("record feedback: %w", err)
		}
		if _, err := fb.file.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("record feedback: %w", err)
		}
	}
	if rec.ArticleID != "" {
		fb.count(rec)
	}
	return nil
}

func (fb *Feedback) count(rec FeedbackRecord) {
	v := fb.counts[rec.ArticleID]
	if v == nil {
		v = &verdicts{}
		fb.counts[rec.ArticleID] = v
	}
	if rec.Verdict == "not_helpful" {
		v.bad++
	} else {
		v.good++
	}
}

// Factor is what an article's probability is multiplied by: 0.5 plus the
// article's Laplace-smoothed helpful rate, (good+1)/(good+bad+2). An
// article without verdicts keeps its probability; the nudge never more
// than halves or one-and-a-half-times it, so feedback reorders close
// candidates without overriding what the customer said.
func (fb *Feedback) Factor(articleID string) float64 {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	return fb.factor(articleID)
}

func (fb *Feedback) factor(id string) float64 {
	v := fb.counts[id]
	if v == nil {
		return 1
	}
	return 0.5 + float64(v.good+1)/float64(v.good+v.bad+2)
}

// adjust applies the factors to a distribution, keeping its total mass so
// that feedback moves probability between articles rather than inventing
// confidence.
func (fb *Feedback) adjust(dist map[string]*Candidate) {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	var before, after float64
	for id, c := range dist {
		before += c.Confidence
		c.Confidence *= fb.factor(id)
		after += c.Confidence
	}
	if after == 0 {
		return
	}
	for _, c := range dist {
		c.Confidence = min(1, c.Confidence*before/after)
	}
}

// Close closes the file.
func (fb *Feedback) Close() error {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if fb.file == nil {
		return nil
	}
	err := fb.file.Close()
	fb.file = nil
	if err != nil {
		return fmt.Errorf("close feedback store: %w", err)
	}
	return nil
}
