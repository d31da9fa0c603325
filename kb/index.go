package kb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/larkspur-labs/assist/internal/flock"
)

// Hit is one search result.
type Hit struct {
	// Article is the matching article, owned by the index: do not modify it.
	Article *Article
	// Score is the BM25F relevance score; higher is better within one query.
	Score float64
}

// Index is a full-text index over a set of articles, in memory or on disk.
// It is safe for concurrent use.
type Index struct {
	idx      bleve.Index
	articles []Article
	byID     map[string]*Article
	impacts  *impacts
	closed   atomic.Bool
}

// fieldBoosts lists the indexed fields of an article and how much a match in
// each counts. Customers word their problem the way the example questions
// do, so those weigh most. Titles, tags, answers and notes are full of words
// every banking article shares ("account", "card", "bank"), so they count
// less. The weights were chosen on the BANKING77 and CLINC150 training
// splits (see quality_test.go).
var fieldBoosts = []fieldBoost{
	{"questions", 3},
	{"title", 1},
	{"tags", 1},
	{"answer", 0.5},
	{"body", 0.25},
}

// fieldBoost is an indexed text field and how much a match in it counts.
type fieldBoost struct {
	field string
	boost float64
}

// indexDoc is what the index holds for an article; its keys are the field
// names above.
type indexDoc struct {
	Title     string   `json:"title"`
	Questions []string `json:"questions"`
	Tags      []string `json:"tags"`
	Answer    string   `json:"answer"`
	Body      string   `json:"body"`
}

// NewIndex indexes a copy of articles in memory. Their ids must be unique
// (LoadFS ensures it).
//
// The index is bleve's scorch index kept in memory (an empty path), scored
// with BM25. bleve.NewMemOnly would build the older upsidedown index, which
// cannot score with BM25 and searches about half as fast.
func NewIndex(articles []Article) (*Index, error) { return BuildIndex("", articles) }

// BuildIndex indexes a copy of articles in a new scorch index at path, which
// must not exist yet; an empty path keeps the index in memory.
func BuildIndex(path string, articles []Article) (*Index, error) {
	m, err := indexMapping()
	if err != nil {
		return nil, fmt.Errorf("create kb index: %w", err)
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create kb index: %w", err)
	}
	ix, err := newIndex(idx, articles)
	if err != nil {
		idx.Close()
		return nil, err
	}
	batch := idx.NewBatch()
	for i := range ix.articles {
		a := &ix.articles[i]
		doc := indexDoc{Title: a.Title, Questions: a.Questions, Tags: a.Tags, Answer: a.Answer, Body: a.Body}
		if err := batch.Index(a.ID, doc); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index kb article %s: %w", a.ID, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("create kb index: %w", err)
	}
	if err := ix.loadImpacts(); err != nil {
		idx.Close()
		return nil, err
	}
	return ix, nil
}

// loadImpacts builds the search copy of the index's postings.
func (ix *Index) loadImpacts() error {
	ids := make(map[string]int32, len(ix.articles))
	for i, a := range ix.articles {
		ids[a.ID] = int32(i)
	}
	im, err := loadImpacts(ix.idx, ids)
	if err != nil {
		return fmt.Errorf("read kb index postings: %w", err)
	}
	ix.impacts = im
	return nil
}

// indexLockWait is how long opening an index waits for a process that
// holds it exclusively before saying who that is.
const indexLockWait = time.Second

// OpenIndex opens the index BuildIndex wrote at path, for the same
// articles, read-only: searching writes nothing, and read-only opens share
// the index's lock, so every process on the same data folder can search
// it at once. When another process holds the index exclusively (an older
// assist, or a writer of its own) it returns a *flock.LockedError naming
// that process after indexLockWait, instead of waiting for it.
func OpenIndex(path string, articles []Article) (*Index, error) {
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true, "bolt_timeout": indexLockWait.String()})
	if err != nil {
		if p, ok := flock.Holder(filepath.Join(path, "store", "root.bolt")); ok {
			return nil, fmt.Errorf("open kb index: %w", &flock.LockedError{Path: path, Holder: &p})
		}
		return nil, fmt.Errorf("open kb index: %w", err)
	}
	n, err := idx.DocCount()
	if err == nil && n != uint64(len(articles)) {
		err = fmt.Errorf("it holds %d articles, the knowledge base %d", n, len(articles))
	}
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("open kb index %s: %w", path, err)
	}
	ix, err := newIndex(idx, articles)
	if err == nil {
		err = ix.loadImpacts()
	}
	if err != nil {
		idx.Close()
		return nil, err
	}
	return ix, nil
}

// newIndex wraps a bleve index with a copy of the articles it holds.
func newIndex(idx bleve.Index, articles []Article) (*Index, error) {
	ix := &Index{
		idx:      idx,
		articles: append([]Article(nil), articles...),
		byID:     make(map[string]*Article, len(articles)),
	}
	for i := range ix.articles {
		a := &ix.articles[i]
		if _, dup := ix.byID[a.ID]; dup {
			return nil, fmt.Errorf("create kb index: duplicate article id %q", a.ID)
		}
		ix.byID[a.ID] = a
	}
	return ix, nil
}

// analyzerName is the analyzer of every field and of every query: bleve's
// English analyzer (possessives, lower case, stop words, Porter stemming),
// except that the words in unstemmed keep their form.
const analyzerName = "kb_en"

// unstemmed are words whose stem would merge two different banking topics:
// a "checking" account is not paper "checks".
var unstemmed = []any{"checking"}

// indexMapping maps each field of indexDoc as English text, searchable but
// not stored: hits are resolved to articles by id.
func indexMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	if err := m.AddCustomTokenMap("kb_unstemmed", map[string]any{
		"type":   tokenmap.Name,
		"tokens": unstemmed,
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("kb_keep_form", map[string]any{
		"type":               keyword.Name,
		"keywords_token_map": "kb_unstemmed",
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":      custom.Name,
		"tokenizer": unicode.Name,
		"token_filters": []any{
			en.PossessiveName, lowercase.Name, en.StopName, "kb_keep_form", porter.Name,
		},
	}); err != nil {
		return nil, err
	}
	m.DefaultMapping = textFields(fieldBoosts)
	m.DefaultAnalyzer = analyzerName
	return m, nil
}

// textFields maps each field as text for the analyzer, searchable but not
// stored: hits are resolved by document id.
func textFields(fields []fieldBoost) *mapping.DocumentMapping {
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range fields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f.field, fm)
	}
	return doc
}

// maxQueryTerms bounds the distinct terms a query is searched with, so that
// a pasted e-mail costs no more than a sentence; a query's rarest terms carry
// nearly all of its BM25 score anyway, since a term's weight falls with the
// number of articles holding it.
const maxQueryTerms = 8

// Search returns up to k articles that best answer q, best first. The query
// is plain user text, never query syntax: it is analysed like the articles,
// reduced to its maxQueryTerms rarest terms, and scored with BM25F, each
// field's match weighed by its boost. A blank query or k < 1 yields no hits
// and no error.
func (ix *Index) Search(ctx context.Context, q string, k int) ([]Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("search kb: %w", err)
	}
	if ix.closed.Load() {
		return nil, errors.New("search kb: index closed")
	}
	q = strings.TrimSpace(q)
	if q == "" || k < 1 {
		return nil, nil
	}
	terms, err := ix.queryTerms(q)
	if err != nil {
		return nil, fmt.Errorf("search kb: %w", err)
	}
	docs, scores := ix.impacts.search(terms, k)
	hits := make([]Hit, len(docs))
	for i, d := range docs {
		hits[i] = Hit{Article: &ix.articles[d], Score: scores[i]}
	}
	return hits, nil
}

// queryTerms analyses q like the articles and returns its distinct terms,
// only the maxQueryTerms rarest when there are more (ties in query order).
func (ix *Index) queryTerms(q string) ([]string, error) {
	an := ix.idx.Mapping().AnalyzerNamed(analyzerName)
	if an == nil {
		return nil, fmt.Errorf("analyzer %s missing", analyzerName)
	}
	var terms []string
	seen := map[string]bool{}
	for _, tok := range an.Analyze([]byte(q)) {
		t := string(tok.Term)
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	if len(terms) > maxQueryTerms {
		slices.SortStableFunc(terms, func(a, b string) int { return ix.impacts.df(a) - ix.impacts.df(b) })
		terms = terms[:maxQueryTerms]
	}
	return terms, nil
}

// Len returns the number of indexed articles.
func (ix *Index) Len() int { return len(ix.articles) }

// Article returns the article with the given id.
func (ix *Index) Article(id string) (*Article, bool) {
	a, ok := ix.byID[id]
	return a, ok
}

// Close releases the index; closing it again does nothing. Searching a
// closed index returns an error.
func (ix *Index) Close() error {
	if !ix.closed.CompareAndSwap(false, true) {
		return nil
	}
	if err := ix.idx.Close(); err != nil {
		return fmt.Errorf("close kb index: %w", err)
	}
	return nil
}
