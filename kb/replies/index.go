package replies

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/larkspur-labs/assist/kb"
)

// Hit is one reply search result.
type Hit struct {
	// Reply is the matching reply, owned by the index: do not modify it.
	Reply *Reply
	// Score is bleve's BM25 relevance score times the reply's popularity
	// prior (see popularity); higher is better within one query.
	Score float64
}

// Index is an in-memory full-text index over a reply allowlist. It is safe
// for concurrent use.
type Index struct {
	idx     bleve.Index
	replies []Reply
	byID    map[string]*Reply
}

// fieldBoosts are the indexed fields of a reply and how much a match in
// each counts. A customer utterance reads like the customer turns a reply
// answered, not like the reply, so the reply's own text counts less.
var fieldBoosts = []struct {
	field string
	boost float64
}{
	{"contexts", 1},
	{"text", 0.5},
}

// replyDoc is what the index holds for a reply.
type replyDoc struct {
	Contexts []string `json:"contexts"`
	Text     string   `json:"text"`
}

// NewIndex indexes a copy of replies, whose ids must be unique (Read
// ensures it). Like kb.NewIndex it keeps a scorch index in memory, scored
// with BM25 and analysed like the knowledge base.
func NewIndex(replies []Reply) (*Index, error) {
	fields := make([]string, len(fieldBoosts))
	for i, f := range fieldBoosts {
		fields[i] = f.field
	}
	m, err := kb.TextMapping(fields...)
	if err != nil {
		return nil, fmt.Errorf("create reply index: %w", err)
	}
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create reply index: %w", err)
	}
	ix := &Index{idx: idx, replies: make([]Reply, len(replies)), byID: make(map[string]*Reply, len(replies))}
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

// Search returns up to k replies whose contexts best match q, a customer
// utterance, best first. The query is plain text, never bleve query
// syntax. A blank query or k < 1 yields no hits and no error.
//
// Mined replies come in many wordings of one answer, and BM25 favours the
// rare ones: their few contexts make a short field. So Search takes a wider
// pool of candidates and reranks it by relevance times popularity, which
// puts the wording most agents use first.
func (ix *Index) Search(ctx context.Context, q string, k int) ([]Hit, error) {
	q = strings.TrimSpace(q)
	if q == "" || k < 1 {
		return nil, nil
	}
	fields := make([]query.Query, len(fieldBoosts))
	for i, f := range fieldBoosts {
		fields[i] = kb.MatchQuery(q, f.field, f.boost)
	}
	pool := max(k*rerankPoolFactor, rerankPoolMin)
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(fields...), pool, 0, false)
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search replies: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		if r, ok := ix.byID[h.ID]; ok {
			hits = append(hits, Hit{Reply: r, Score: h.Score * popularity(r.Count)})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
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
func (ix *Index) Close() error {
	if err := ix.idx.Close(); err != nil {
		return fmt.Errorf("close reply index: %w", err)
	}
	return nil
}
