package kb

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// BM25 parameters, the usual ones (and bleve's).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// impacts is a read-optimised copy of the bleve index's postings, which is
// what searches run on. bleve scores a disjunction posting by posting
// through iterators and a heap, about 25 ns each; a turn's common words
// ("card", "account") hold thousands of postings in a large knowledge base,
// which made a search at 10,000 articles take 2 ms at the median and 13 ms
// at the 99th percentile. Here every term keeps, for each article holding
// it, its BM25F weight summed over the fields with their boosts, so a search
// is one pass of multiply-adds into an array. bleve remains the index of
// record: it analyses, persists, and is read back to build this copy.
type impacts struct {
	terms map[string]impactList
	n     int
	acc   sync.Pool // *[]float32 of length n, all zero between searches
}

// impactList is one term's postings: articles (by index) and weights.
type impactList struct {
	idf  float32
	docs []int32
	w    []float32
}

// loadImpacts reads every field's postings from idx. ids maps bleve's
// document ids to article indexes.
func loadImpacts(idx bleve.Index, ids map[string]int32) (*impacts, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()

	type posting struct {
		doc int32
		w   float32
	}
	n := len(ids)
	byTerm := map[string][]posting{}
	internal := map[string]int32{}
	doc := func(id index.IndexInternalID) (int32, error) {
		if d, ok := internal[string(id)]; ok {
			return d, nil
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return 0, err
		}
		d, ok := ids[ext]
		if !ok {
			return 0, fmt.Errorf("index holds unknown article %q", ext)
		}
		internal[string(id)] = d
		return d, nil
	}
	for _, f := range fieldBoosts {
		// Field lengths come back as norms, 1/√length; their mean is the
		// BM25 length normaliser.
		type entry struct {
			term     string
			doc      int32
			tf, norm float64
		}
		var entries []entry
		lengths := map[int32]float64{}
		dict, err := r.FieldDict(f.field)
		if err != nil {
			return nil, err
		}
		for de, err := dict.Next(); de != nil || err != nil; de, err = dict.Next() {
			if err != nil {
				dict.Close()
				return nil, err
			}
			tfr, err := r.TermFieldReader(context.Background(), []byte(de.Term), f.field, true, true, false)
			if err != nil {
				dict.Close()
				return nil, err
			}
			for p, err := tfr.Next(nil); p != nil || err != nil; p, err = tfr.Next(nil) {
				if err != nil {
					tfr.Close()
					dict.Close()
					return nil, err
				}
				d, err := doc(p.ID)
				if err != nil {
					tfr.Close()
					dict.Close()
					return nil, err
				}
				entries = append(entries, entry{term: de.Term, doc: d, tf: float64(p.Freq), norm: p.Norm})
				if p.Norm > 0 {
					lengths[d] = 1 / (p.Norm * p.Norm)
				}
			}
			tfr.Close()
		}
		dict.Close()
		var sum float64
		for _, l := range lengths {
			sum += l
		}
		avg := max(sum/float64(max(len(lengths), 1)), 1)
		for _, e := range entries {
			l := avg
			if e.norm > 0 {
				l = 1 / (e.norm * e.norm)
			}
			w := f.boost * e.tf * (bm25K1 + 1) / (e.tf + bm25K1*(1-bm25B+bm25B*l/avg))
			byTerm[e.term] = append(byTerm[e.term], posting{doc: e.doc, w: float32(w)})
		}
	}

	im := &impacts{terms: make(map[string]impactList, len(byTerm)), n: n}
	for t, ps := range byTerm {
		// Merge the fields' postings of each article.
		slices.SortFunc(ps, func(a, b posting) int { return cmp.Compare(a.doc, b.doc) })
		l := impactList{}
		for i, p := range ps {
			if i > 0 && ps[i-1].doc == p.doc {
				l.w[len(l.w)-1] += p.w
				continue
			}
			l.docs = append(l.docs, p.doc)
			l.w = append(l.w, p.w)
		}
		df := float64(len(l.docs))
		l.idf = float32(math.Log(1 + (float64(n)-df+0.5)/(df+0.5)))
		im.terms[t] = l
	}
	im.acc.New = func() any {
		s := make([]float32, n)
		return &s
	}
	return im, nil
}

// df returns the number of articles holding term.
func (im *impacts) df(term string) int { return len(im.terms[term].docs) }

// search returns the k best articles for terms, as indexes and scores, best
// first (ties by index).
func (im *impacts) search(terms []string, k int) ([]int32, []float64) {
	accp := im.acc.Get().(*[]float32)
	acc := *accp
	var touched []int32
	for _, t := range terms {
		l, ok := im.terms[t]
		if !ok {
			continue
		}
		for i, d := range l.docs {
			if acc[d] == 0 {
				touched = append(touched, d)
			}
			acc[d] += l.idf * l.w[i]
		}
	}
	type hit struct {
		doc   int32
		score float32
	}
	better := func(a, b hit) bool { return a.score > b.score || (a.score == b.score && a.doc < b.doc) }
	top := make([]hit, 0, k+1)
	for _, d := range touched {
		h := hit{d, acc[d]}
		acc[d] = 0
		if len(top) == k && !better(h, top[k-1]) {
			continue
		}
		i := len(top)
		for i > 0 && better(h, top[i-1]) {
			i--
		}
		top = slices.Insert(top, i, h)
		if len(top) > k {
			top = top[:k]
		}
	}
	im.acc.Put(accp)
	docs, scores := make([]int32, len(top)), make([]float64, len(top))
	for i, h := range top {
		docs[i], scores[i] = h.doc, float64(h.score)
	}
	return docs, scores
}
