package kb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/intent"
)

// Candidate is one article a retriever proposes, with the evidence for it.
type Candidate struct {
	// Article is owned by the index: do not modify it.
	Article *Article
	// Confidence is the fused probability, in 0..1, that the article is what
	// the customer needs.
	Confidence float64
	// Intent, FullText and Dense are the probabilities each source gave the
	// article before fusion (0 when a source is off or did not propose it).
	Intent, FullText, Dense float64
}

// DenseSearcher finds articles by embedding similarity; DenseIndex is one.
type DenseSearcher interface {
	Search(ctx context.Context, query string, k int) ([]DenseHit, error)
}

// Weights are the shares of each source in the fused probability. Sources
// that are off (no model, no dense index) give their share to the others in
// proportion.
type Weights struct {
	Intent, FullText, Dense float64
}

// DefaultWeights were chosen on a held-out fifth of the BANKING77 training
// file as a knowledge base (see `assist eval intent`): the intent model is
// much the better ranker (top-1 0.90 against 0.73 for full text), and the
// full-text share only adds error there: at 0.2 it left top-1 unchanged and
// quadrupled the calibration error. Full text keeps a tenth, because it
// covers what the model cannot: articles without example questions and
// words found only in answers and notes. The dense share is a prior, not
// measured: no embedding server was available where the others were tuned.
var DefaultWeights = Weights{Intent: 0.9, FullText: 0.1, Dense: 0.3}

// Retriever ranks knowledge articles for a conversation by fusing a learned
// intent model, the full-text index and, when configured, dense embeddings.
// Each source yields a probability over articles; the fused confidence is
// their weighted mixture, so it stays in 0..1 and inherits the intent
// model's calibration. A Retriever is safe for concurrent use.
type Retriever struct {
	Index *Index
	// Model is trained on the articles' example questions, labels being
	// article ids; nil leaves ranking to full text.
	Model *intent.Model
	// Semantic, when set, is a classifier over sentence embeddings whose
	// distribution is fused with Model's, half each in log space: it knows
	// synonyms the n-gram model cannot. It is given the turn and the turn
	// with its context together, one distribution for each.
	Semantic interface {
		PredictBatch(texts []string) [][]intent.Prediction
	}
	// Dense is optional; when it fails, the retriever carries on without it
	// and reports the error to OnDenseError.
	Dense        DenseSearcher
	OnDenseError func(error)
	// Feedback, when set, nudges articles agents found helpful up and the
	// others down.
	Feedback *Feedback
	Weights  Weights
	// FullTextScale is the BM25F score at which full text is 63% sure of
	// its top hit. 9 was read off the bundled knowledge base: a topical turn
	// ("what is my balance") scores 8 and up, filler ("my account", "yes
	// thanks") 2 to 4.
	FullTextScale float64
}

// NewRetriever returns a retriever over index and model (which may be nil)
// with the default weights.
func NewRetriever(index *Index, model *intent.Model) *Retriever {
	return &Retriever{Index: index, Model: model, Weights: DefaultWeights, FullTextScale: 9}
}

// poolSize is how many candidates each source proposes before fusion.
const poolSize = 20

// denseSharpness turns cosine similarities, which differ by hundredths
// between near neighbours, into a usable distribution.
const denseSharpness = 20

// Retrieve ranks articles for a conversation given as the customer's turns,
// oldest first; the last is the one to answer. Earlier turns are context: a
// short follow-up ("the checking one") says little on its own, so the
// previous turns count for half of the evidence then, and for a fifth after
// a full sentence. It returns at most k candidates, most likely first; a
// blank last turn yields none.
func (r *Retriever) Retrieve(ctx context.Context, turns []string, k int) ([]Candidate, error) {
	return r.retrieve(ctx, turns, k, true)
}

// RetrieveFast is Retrieve without the semantic classifier: the intent
// model, full text and dense embeddings alone, in microseconds where the
// sentence encoder takes milliseconds. Retrieve then refines its ranking.
func (r *Retriever) RetrieveFast(ctx context.Context, turns []string, k int) ([]Candidate, error) {
	return r.retrieve(ctx, turns, k, false)
}

// Refines says whether Retrieve ranks with more than RetrieveFast: a
// semantic classifier, and an intent model whose share it fuses with.
func (r *Retriever) Refines() bool {
	return r.Semantic != nil && r.weights().Intent > 0
}

func (r *Retriever) retrieve(ctx context.Context, turns []string, k int, semantic bool) ([]Candidate, error) {
	if len(turns) == 0 || strings.TrimSpace(turns[len(turns)-1]) == "" || k < 1 {
		return nil, nil
	}
	last := turns[len(turns)-1]
	queries := []string{last}
	if prev := contextTurns(turns[:len(turns)-1]); prev != "" {
		queries = append(queries, prev+" "+last)
	}
	sem := make([][]intent.Prediction, len(queries))
	if semantic && r.Refines() {
		sem = r.Semantic.PredictBatch(queries)
	}
	dist, err := r.distribution(ctx, last, sem[0])
	if err != nil {
		return nil, err
	}
	if len(queries) > 1 {
		gamma := 0.2
		if len(strings.Fields(last)) < shortTurnWords {
			gamma = 0.5
		}
		ctxDist, err := r.distribution(ctx, queries[1], sem[1])
		if err != nil {
			return nil, err
		}
		dist = mix(dist, 1-gamma, ctxDist, gamma)
	}
	if r.Feedback != nil {
		r.Feedback.adjust(dist)
	}
	out := make([]Candidate, 0, len(dist))
	for _, c := range dist {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), strings.Compare(a.Article.ID, b.Article.ID))
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

// shortTurnWords is the length under which a turn leans on its context.
const shortTurnWords = 4

// contextTurns joins the last two turns before the current one.
func contextTurns(prev []string) string {
	if len(prev) > 2 {
		prev = prev[len(prev)-2:]
	}
	return strings.TrimSpace(strings.Join(prev, " "))
}

// distribution fuses the sources' probabilities for one query text; sem is
// the semantic classifier's distribution for it, if there is one.
func (r *Retriever) distribution(ctx context.Context, q string, sem []intent.Prediction) (map[string]*Candidate, error) {
	w := r.weights()
	out := map[string]*Candidate{}
	get := func(id string) *Candidate {
		c := out[id]
		if c == nil {
			a, ok := r.Index.Article(id)
			if !ok {
				return nil
			}
			c = &Candidate{Article: a}
			out[id] = c
		}
		return c
	}
	if w.Intent > 0 {
		preds := r.intentPredictions(q, sem)
		for _, p := range preds {
			if c := get(p.Label); c != nil {
				c.Intent = p.Prob
			}
		}
		// When the model's lead is wider than all the other sources'
		// shares together, they cannot change the top article: skip them.
		// The model's probability is then the confidence, as calibrated.
		if w.Intent*(preds[0].Prob-preds[1].Prob) > w.FullText+w.Dense {
			w = Weights{Intent: 1}
		}
	}
	if w.FullText > 0 {
		hits, err := r.Index.Search(ctx, q, poolSize)
		if err != nil {
			return nil, err
		}
		for i, p := range fullTextProbs(hits, r.FullTextScale) {
			if c := get(hits[i].Article.ID); c != nil {
				c.FullText = p
			}
		}
	}
	if w.Dense > 0 {
		hits, err := r.Dense.Search(ctx, q, poolSize)
		if err != nil {
			// Degrade to the embedded sources rather than fail the turn.
			if r.OnDenseError != nil && !errors.Is(err, context.Canceled) {
				r.OnDenseError(err)
			}
			w = normaliseWeights(Weights{Intent: w.Intent, FullText: w.FullText})
			hits = nil
		}
		for i, p := range denseProbs(hits) {
			if c := get(hits[i].ArticleID); c != nil {
				c.Dense = p
			}
		}
	}
	for _, c := range out {
		c.Confidence = w.Intent*c.Intent + w.FullText*c.FullText + w.Dense*c.Dense
	}
	return out, nil
}

// intentPredictions is the intent model's top candidates for q, fused with
// the semantic classifier's distribution when there is one.
func (r *Retriever) intentPredictions(q string, semantic []intent.Prediction) []intent.Prediction {
	if semantic == nil {
		return r.Model.PredictTop(q, poolSize)
	}
	sem := map[string]float64{}
	for _, p := range semantic {
		sem[p.Label] = p.Prob
	}
	preds := r.Model.Predict(q)
	fused := slices.Clone(preds)
	var sum float64
	for i, p := range fused {
		fused[i].Prob = math.Sqrt(p.Prob * sem[p.Label])
		sum += fused[i].Prob
	}
	if sum == 0 {
		// The classifier knows none of these articles: it has no say.
		return preds[:min(poolSize, len(preds))]
	}
	preds = fused
	for i := range preds {
		preds[i].Prob /= sum
	}
	slices.SortFunc(preds, func(a, b intent.Prediction) int { return cmp.Compare(b.Prob, a.Prob) })
	return preds[:min(poolSize, len(preds))]
}

// weights returns the shares of the sources that are on, summing to 1.
func (r *Retriever) weights() Weights {
	w := r.Weights
	if r.Model == nil {
		w.Intent = 0
	}
	if r.Dense == nil {
		w.Dense = 0
	}
	if w.Intent == 0 && w.Dense == 0 {
		w.FullText = 1
	}
	return normaliseWeights(w)
}

func normaliseWeights(w Weights) Weights {
	sum := w.Intent + w.FullText + w.Dense
	if sum <= 0 {
		return Weights{FullText: 1}
	}
	return Weights{Intent: w.Intent / sum, FullText: w.FullText / sum, Dense: w.Dense / sum}
}

// fullTextProbs turns BM25 hits into probabilities. BM25 scores have no
// absolute meaning, so the top hit's probability is a squash of its score,
// 1−exp(−score/scale): weak matches leave most of the mass unassigned,
// which is what lowers the fused confidence of a query nothing fits. That
// mass is shared among the hits in proportion to the square of their score
// relative to the top, so a distant second gets little.
func fullTextProbs(hits []Hit, scale float64) []float64 {
	if len(hits) == 0 {
		return nil
	}
	top := hits[0].Score
	mass := 1 - math.Exp(-top/scale)
	out := make([]float64, len(hits))
	var sum float64
	for i, h := range hits {
		rel := h.Score / top
		out[i] = rel * rel
		sum += out[i]
	}
	for i := range out {
		out[i] *= mass / sum
	}
	return out
}

// denseProbs is a softmax of the hits' cosine similarities.
func denseProbs(hits []DenseHit) []float64 {
	if len(hits) == 0 {
		return nil
	}
	out := make([]float64, len(hits))
	var sum float64
	for i, h := range hits {
		out[i] = math.Exp((h.Similarity - hits[0].Similarity) * denseSharpness)
		sum += out[i]
	}
	// Absolute similarity bounds the mass, as the BM25 squash does.
	mass := math.Max(0, hits[0].Similarity)
	for i := range out {
		out[i] *= mass / sum
	}
	return out
}

// mix returns the weighted sum a·wa + b·wb of two distributions.
func mix(a map[string]*Candidate, wa float64, b map[string]*Candidate, wb float64) map[string]*Candidate {
	out := map[string]*Candidate{}
	add := func(src map[string]*Candidate, w float64) {
		for id, c := range src {
			o := out[id]
			if o == nil {
				o = &Candidate{Article: c.Article}
				out[id] = o
			}
			o.Confidence += w * c.Confidence
			o.Intent += w * c.Intent
			o.FullText += w * c.FullText
			o.Dense += w * c.Dense
		}
	}
	add(a, wa)
	add(b, wb)
	return out
}

// MaxModelIntents bounds the articles an intent model is trained for.
// One-vs-rest training costs articles × questions, and the weights
// articles × features: at 1,000 articles with ten questions each that is
// already minutes and gigabytes. Larger knowledge bases rank by full text
// (and dense embeddings when configured) alone.
const MaxModelIntents = 1000

// ErrTooManyIntents is returned by TrainModel beyond MaxModelIntents.
var ErrTooManyIntents = fmt.Errorf("more than %d articles with example questions: too many for the intent model", MaxModelIntents)

// TrainModel trains the intent model of a knowledge base: one label per
// article, its example questions as the training utterances. It returns nil
// and no error when fewer than two articles have questions, since there is
// nothing to tell apart, and ErrTooManyIntents above MaxModelIntents.
func TrainModel(articles []Article, opts intent.Options) (*intent.Model, error) {
	var examples []intent.Example
	labelled := 0
	for _, a := range articles {
		if len(a.Questions) > 0 {
			labelled++
		}
		for _, q := range a.Questions {
			examples = append(examples, intent.Example{Text: q, Label: a.ID})
		}
	}
	if labelled < 2 {
		return nil, nil
	}
	if labelled > MaxModelIntents {
		return nil, ErrTooManyIntents
	}
	m, err := intent.Train(examples, opts)
	if err != nil {
		return nil, fmt.Errorf("train kb intent model: %w", err)
	}
	return m, nil
}

// Semantic returns the sentence-embedding classifier of the base's
// articles: from the cache when one was trained with the same encoder
// before, else trained and cached, since training encodes every example
// question (about 2.5 ms each on two cores). A cache that cannot be read is
// retrained, with a warning.
func (b *Base) Semantic(enc *encoder.Model, log *slog.Logger) (*encoder.Classifier, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := ""
	if b.dir != "" {
		path = filepath.Join(b.dir, "semantic-"+enc.ID+".model")
		c, err := encoder.LoadClassifier(path, enc)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			log.Warn("semantic classifier cache unreadable; retraining", "path", path, "err", err)
		}
	}
	questions := 0
	for _, a := range b.Articles {
		questions += len(a.Questions)
	}
	// About 2.5 ms a question on two cores: say why the start is slow.
	log.Info("training the sentence encoder's classifier; it is cached for later starts", "questions", questions)
	c, err := TrainSemantic(enc, b.Articles)
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := c.Save(path); err != nil {
			log.Warn("semantic classifier not cached", "err", err)
		}
	}
	return c, nil
}

// TrainSemantic trains the sentence-embedding classifier of a knowledge
// base on the same examples as TrainModel: one label per article, its
// example questions as the utterances.
func TrainSemantic(enc *encoder.Model, articles []Article) (*encoder.Classifier, error) {
	var examples []intent.Example
	for _, a := range articles {
		for _, q := range a.Questions {
			examples = append(examples, intent.Example{Text: q, Label: a.ID})
		}
	}
	c, err := encoder.TrainClassifier(enc, examples)
	if err != nil {
		return nil, fmt.Errorf("train kb semantic classifier: %w", err)
	}
	return c, nil
}
