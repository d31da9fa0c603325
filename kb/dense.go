package kb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Dense retrieval finds articles by meaning rather than by shared words: a
// model maps each text to a vector, and texts close in meaning get vectors
// with a high cosine similarity. It is optional; it needs an embeddings
// server, and the full-text Index works without one.

// Embedder turns texts into vectors whose cosine similarity reflects how
// close the texts are in meaning.
type Embedder interface {
	// Embed returns one vector per text, in the order of texts, all of
	// one length.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// DenseIndex ranks articles by the cosine similarity of a query to each
// article's example questions and to its title and answer taken together.
// An article scores its best match, not an average, because a customer
// utterance usually paraphrases one question. Similarities, unlike bleve's
// scores, are comparable across queries, so a caller can apply a threshold.
//
// Search is an exact brute-force scan of every vector, whose time grows with
// articles × texts × dimensions: on a 2-core machine about 60 µs for 100
// articles of 8 texts at 384 dimensions, 14 ms for 10,000 (see
// BenchmarkDenseSearch). A DenseIndex never changes after it is built and is
// safe for concurrent use.
type DenseIndex struct {
	embedder    Embedder
	model       string
	fingerprint string
	dim         int
	ids         []string
	// first[i]:first[i+1] are the rows of article i; first has len(ids)+1 items.
	first []int
	// rows holds every unit vector, each dim long, one after another, so a
	// search is one matrix-vector product over contiguous memory.
	rows []float32
}

// DenseHit is one result of a dense search.
type DenseHit struct {
	// ArticleID is the id of the matching article.
	ArticleID string
	// Similarity is the highest cosine similarity of the query to any of
	// the article's texts, at most 1.
	Similarity float64
}

// NewDenseIndex embeds the texts of articles, whose ids must be unique, with
// e and indexes the vectors. If e has a Model() string method, as
// OpenAIEmbedder has, the model's name is recorded so that saved vectors can
// be checked against the embedder they are later loaded for.
func NewDenseIndex(ctx context.Context, e Embedder, articles []Article) (*DenseIndex, error) {
	if err := checkUniqueIDs(articles); err != nil {
		return nil, fmt.Errorf("build dense index: %w", err)
	}
	var texts []string
	first := make([]int, 1, len(articles)+1)
	for _, a := range articles {
		texts = append(texts, denseTexts(a)...)
		first = append(first, len(texts))
	}
	var vecs [][]float32
	if len(texts) > 0 {
		var err error
		if vecs, err = e.Embed(ctx, texts); err != nil {
			return nil, fmt.Errorf("build dense index: %w", err)
		}
		if len(vecs) != len(texts) {
			return nil, fmt.Errorf("build dense index: embedder returned %d vectors for %d texts", len(vecs), len(texts))
		}
	}
	model := modelOf(e)
	d := &DenseIndex{embedder: e, model: model, fingerprint: DenseFingerprint(model, articles), first: first}
	for _, a := range articles {
		d.ids = append(d.ids, a.ID)
	}
	if err := d.setRows(vecs); err != nil {
		return nil, fmt.Errorf("build dense index: %w", err)
	}
	return d, nil
}

// checkUniqueIDs reports the first article id that occurs twice.
func checkUniqueIDs(articles []Article) error {
	seen := make(map[string]bool, len(articles))
	for _, a := range articles {
		if seen[a.ID] {
			return fmt.Errorf("duplicate article id %q", a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}

// denseTexts are the texts of an article that get a vector: each example
// question, which is how customers word the problem, and the title with the
// answer, which covers wordings no question foresaw.
func denseTexts(a Article) []string {
	texts := slices.Clone(a.Questions)
	if about := strings.TrimSpace(a.Title + "\n" + a.Answer); about != "" {
		texts = append(texts, about)
	}
	return slices.DeleteFunc(texts, func(s string) bool { return strings.TrimSpace(s) == "" })
}

// modelOf returns the name of e's model, or "" if e does not say.
func modelOf(e Embedder) string {
	if m, ok := e.(interface{ Model() string }); ok {
		return m.Model()
	}
	return ""
}

// setRows copies vecs, which must all have one length, into d.rows as unit
// vectors. Vectors from other Embedders than OpenAIEmbedder may not be
// normalised, and a dot product is a cosine only between unit vectors.
func (d *DenseIndex) setRows(vecs [][]float32) error {
	if len(vecs) == 0 {
		return nil
	}
	d.dim = len(vecs[0])
	if d.dim == 0 {
		return errors.New("embedder returned empty vectors")
	}
	d.rows = make([]float32, 0, len(vecs)*d.dim)
	for i, v := range vecs {
		if len(v) != d.dim {
			return fmt.Errorf("mixed dimensions: vector 0 has %d, vector %d has %d", d.dim, i, len(v))
		}
		start := len(d.rows)
		d.rows = append(d.rows, v...)
		if err := toUnitLength(d.rows[start:]); err != nil {
			return fmt.Errorf("vector %d: %w", i, err)
		}
	}
	return nil
}

// toUnitLength scales v in place to unit length.
func toUnitLength(v []float32) error {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	norm := math.Sqrt(sum)
	switch {
	case math.IsNaN(norm) || math.IsInf(norm, 0):
		return errors.New("not finite")
	case norm == 0:
		return errors.New("all zeros")
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return nil
}

// Search returns up to k articles closest in meaning to query, best first;
// articles with equal similarity keep their order in the index. It embeds
// the query, usually the slow step, then scans every vector. A blank query or
// k < 1 yields no hits and no error, and sends no request.
func (d *DenseIndex) Search(ctx context.Context, query string, k int) ([]DenseHit, error) {
	query = strings.TrimSpace(query)
	if query == "" || k < 1 || len(d.rows) == 0 {
		return nil, nil
	}
	vecs, err := d.embedder.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("dense search: %w", err)
	}
	if len(vecs) != 1 {
		return nil, fmt.Errorf("dense search: embedder returned %d vectors for 1 query", len(vecs))
	}
	if len(vecs[0]) != d.dim {
		return nil, fmt.Errorf("dense search: query vector has %d dimensions but the index has %d: rebuild the index after changing model", len(vecs[0]), d.dim)
	}
	q := slices.Clone(vecs[0])
	if err := toUnitLength(q); err != nil {
		return nil, fmt.Errorf("dense search: query vector: %w", err)
	}
	return d.searchVector(q, k), nil
}

// searchVector ranks articles by the best dot product of the unit vector q
// with any of their rows. gonum's Sgemv computes all the dot products in one
// call with SIMD kernels, several times faster than a Go loop on data in cache.
func (d *DenseIndex) searchVector(q []float32, k int) []DenseHit {
	n := len(d.rows) / d.dim
	sims := make([]float32, n)
	blas32.Gemv(blas.NoTrans, 1,
		blas32.General{Rows: n, Cols: d.dim, Stride: d.dim, Data: d.rows},
		blas32.Vector{N: d.dim, Inc: 1, Data: q},
		0, blas32.Vector{N: n, Inc: 1, Data: sims})
	top := make([]scoredArticle, 0, min(k, len(d.ids)))
	for i := range d.ids {
		if lo, hi := d.first[i], d.first[i+1]; lo < hi {
			top = insertTop(top, k, scoredArticle{i, slices.Max(sims[lo:hi])})
		}
	}
	hits := make([]DenseHit, len(top))
	for i, s := range top {
		hits[i] = DenseHit{ArticleID: d.ids[s.article], Similarity: float64(s.sim)}
	}
	return hits
}

// scoredArticle is an article, by position in the index, with its similarity.
type scoredArticle struct {
	article int
	sim     float32
}

// insertTop adds s to top, which holds at most k items, best first, if s
// belongs there. Keeping only k items avoids sorting every article.
func insertTop(top []scoredArticle, k int, s scoredArticle) []scoredArticle {
	if len(top) == k && s.sim <= top[k-1].sim {
		return top
	}
	// After the items at least as good, so that ties keep index order.
	i := sort.Search(len(top), func(j int) bool { return top[j].sim < s.sim })
	if len(top) < k {
		top = append(top, scoredArticle{})
	}
	copy(top[i+1:], top[i:len(top)-1])
	top[i] = s
	return top
}

// Len returns the number of indexed articles.
func (d *DenseIndex) Len() int { return len(d.ids) }

// DenseVectors are the article vectors of a DenseIndex, the part worth
// caching: computing them takes a request per 64 texts, recomputing a
// search index from them takes milliseconds.
type DenseVectors struct {
	// Model names the embedding model the vectors came from; "" if the
	// embedder did not say.
	Model string
	// Dim is the length of every vector.
	Dim int
	// Fingerprint is DenseFingerprint of the model and the articles the
	// vectors were computed from.
	Fingerprint string
	// Articles holds each article's unit vectors, in index order.
	Articles []ArticleVectors
}

// ArticleVectors are the vectors of one article's texts.
type ArticleVectors struct {
	// ID is the article's id.
	ID string
	// Vectors has one unit vector per embedded text of the article.
	Vectors [][]float32
}

// ErrStaleVectors means cached vectors do not belong to the current model
// or articles; embed the articles again with NewDenseIndex.
var ErrStaleVectors = errors.New("stale dense vectors")

// denseTextsVersion changes whenever denseTexts changes, so that vectors of
// texts built the old way are not mistaken for current ones.
const denseTextsVersion = "kb-dense-texts-v1"

// DenseFingerprint identifies what the vectors of articles depend on: the
// model and every text that gets embedded. Use it as a cache key; any edit
// to an id, a question, a title or an answer changes it.
func DenseFingerprint(model string, articles []Article) string {
	h := sha256.New()
	// Length prefixes keep ("ab","c") and ("a","bc") apart.
	write := func(s string) {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	write(denseTextsVersion)
	write(model)
	for _, a := range articles {
		write(a.ID)
		texts := denseTexts(a)
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(texts))))
		for _, t := range texts {
			write(t)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Vectors returns a copy of the index's vectors, to cache.
func (d *DenseIndex) Vectors() *DenseVectors {
	v := &DenseVectors{Model: d.model, Dim: d.dim, Fingerprint: d.fingerprint, Articles: make([]ArticleVectors, len(d.ids))}
	for i, id := range d.ids {
		v.Articles[i].ID = id
		for r := d.first[i]; r < d.first[i+1]; r++ {
			v.Articles[i].Vectors = append(v.Articles[i].Vectors, slices.Clone(d.rows[r*d.dim:(r+1)*d.dim]))
		}
	}
	return v
}

// NewDenseIndexFromVectors builds an index from cached vectors without
// embedding anything; e embeds only the queries. The error wraps
// ErrStaleVectors if v was computed by another model than e's or from other
// articles than these.
func NewDenseIndexFromVectors(e Embedder, v *DenseVectors, articles []Article) (*DenseIndex, error) {
	if v == nil {
		return nil, errors.New("load dense index: no vectors")
	}
	if model := modelOf(e); model != v.Model {
		return nil, fmt.Errorf("load dense index: vectors are from model %q, the embedder uses %q: %w", v.Model, model, ErrStaleVectors)
	}
	if v.Fingerprint != DenseFingerprint(v.Model, articles) || len(v.Articles) != len(articles) {
		return nil, fmt.Errorf("load dense index: the articles changed since the vectors were computed: %w", ErrStaleVectors)
	}
	d := &DenseIndex{embedder: e, model: v.Model, fingerprint: v.Fingerprint, first: make([]int, 1, len(articles)+1)}
	var vecs [][]float32
	for i, av := range v.Articles {
		if av.ID != articles[i].ID {
			return nil, fmt.Errorf("load dense index: vectors of article %q where %q belongs: %w", av.ID, articles[i].ID, ErrStaleVectors)
		}
		d.ids = append(d.ids, av.ID)
		vecs = append(vecs, av.Vectors...)
		d.first = append(d.first, len(vecs))
	}
	if err := d.setRows(vecs); err != nil {
		return nil, fmt.Errorf("load dense index: %w", err)
	}
	if len(vecs) > 0 && d.dim != v.Dim {
		return nil, fmt.Errorf("load dense index: vectors have %d dimensions, not the %d recorded", d.dim, v.Dim)
	}
	return d, nil
}
