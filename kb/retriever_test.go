package kb

import (
	"context"
	"errors"
	"github.com/larkspur-labs/assist/kb/intent"
	"math"
	"slices"
	"strings"
	"testing"
)

// sampleBase is the bundled knowledge base with its intent model, in memory.
func sampleBase(t testing.TB) *Base {
	t.Helper()
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(articles, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if b.Model == nil {
		t.Fatal("the sample knowledge base trained no intent model")
	}
	return b
}

func TestRetrieveFusesSourcesIntoProbabilities(t *testing.T) {
	r := sampleBase(t).Retriever()
	ctx := context.Background()
	for q, want := range map[string]string{
		"Someone stole my wallet with my debit card in it": "card-lost-stolen",
		"why was I charged an overdraft fee":               "overdraft-fees",
		"I forgot my online banking password":              "password-reset",
	} {
		got, err := r.Retrieve(ctx, []string{q}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].Article.ID != want {
			t.Errorf("%q: top %v, want %s", q, ids(got), want)
			continue
		}
		var sum float64
		for i, c := range got {
			if c.Confidence < 0 || c.Confidence > 1 || math.IsNaN(c.Confidence) {
				t.Errorf("%q: confidence %v out of range", q, c.Confidence)
			}
			if i > 0 && c.Confidence > got[i-1].Confidence {
				t.Errorf("%q: not ranked: %v", q, got)
			}
			sum += c.Confidence
		}
		if sum > 1+1e-9 {
			t.Errorf("%q: confidences sum to %v, more than certainty", q, sum)
		}
		if got[0].Intent == 0 {
			t.Errorf("%q: the intent model gave the top article nothing", q)
		}
	}
}

func TestRetrieveIsUnsureOfGibberishAndOtherTopics(t *testing.T) {
	r := sampleBase(t).Retriever()
	for _, q := range []string{"zxqv blorft", "what's the weather in Lisbon tomorrow", "моя карта не пришла"} {
		got, err := r.Retrieve(context.Background(), []string{q}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 && got[0].Confidence >= 0.3 {
			t.Errorf("%q: confident %s (%.2f)", q, got[0].Article.ID, got[0].Confidence)
		}
	}
}

func TestRetrieveUsesEarlierTurnsForShortFollowUps(t *testing.T) {
	r := sampleBase(t).Retriever()
	ctx := context.Background()
	alone, err := r.Retrieve(ctx, []string{"the savings one"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	withContext, err := r.Retrieve(ctx, []string{"how much interest does my account earn", "the savings one"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(withContext) == 0 || !strings.Contains(withContext[0].Article.ID, "interest") {
		t.Errorf("with context: top %v, want an interest article", ids(withContext))
	}
	if len(alone) > 0 && strings.Contains(alone[0].Article.ID, "interest") && alone[0].Confidence >= withContext[0].Confidence {
		t.Errorf("context added nothing: alone %v, with context %v", alone[0], withContext[0])
	}
}

func TestRetrieveBlankAndHostileQueries(t *testing.T) {
	r := sampleBase(t).Retriever()
	ctx := context.Background()
	for name, turns := range map[string][]string{
		"none":    nil,
		"blank":   {"   "},
		"empty":   {""},
		"control": {"\x1b[2J\x00\x07"},
		"huge":    {strings.Repeat("card ", 20000)},
		"emoji":   {"💳❓😡"},
	} {
		got, err := r.Retrieve(ctx, turns, 3)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, c := range got {
			if math.IsNaN(c.Confidence) || c.Confidence > 1 {
				t.Errorf("%s: bad confidence %v", name, c.Confidence)
			}
		}
	}
}

func TestFeedbackReordersCloseCandidates(t *testing.T) {
	b := sampleBase(t)
	r := b.Retriever()
	ctx := context.Background()
	q := []string{"I want to dispute a transaction on my card"}
	before, err := r.Retrieve(ctx, q, 2)
	if err != nil || len(before) < 2 {
		t.Fatalf("Retrieve = %v, %v", before, err)
	}
	r.Feedback = NewFeedback()
	for range 10 {
		r.Feedback.Record(FeedbackRecord{ArticleID: before[0].Article.ID, Verdict: "not_helpful"})
		r.Feedback.Record(FeedbackRecord{ArticleID: before[1].Article.ID, Verdict: "used"})
	}
	after, err := r.Retrieve(ctx, q, 2)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].Confidence+after[1].Confidence > before[0].Confidence+before[1].Confidence+1e-9 {
		t.Errorf("feedback invented confidence: before %v, after %v", before, after)
	}
	ratioBefore := before[1].Confidence / before[0].Confidence
	var first, second Candidate
	for _, c := range after {
		switch c.Article.ID {
		case before[0].Article.ID:
			first = c
		case before[1].Article.ID:
			second = c
		}
	}
	if first.Article == nil || second.Article == nil || second.Confidence/first.Confidence <= ratioBefore {
		t.Errorf("feedback did not move the helpful article up: before %v, after %v", before, after)
	}
}

// fakeDense is a dense searcher that always fails or always returns hits.
type fakeDense struct {
	hits []DenseHit
	err  error
}

func (f fakeDense) Search(context.Context, string, int) ([]DenseHit, error) { return f.hits, f.err }

func TestRetrieveDegradesWhenDenseFails(t *testing.T) {
	b := sampleBase(t)
	r := b.Retriever()
	var reported error
	r.Dense = fakeDense{err: errors.New("connection refused")}
	r.OnDenseError = func(err error) { reported = err }
	got, err := r.Retrieve(context.Background(), []string{"can I get a higher limit on my credit card, or something about fees"}, 3)
	if err != nil {
		t.Fatalf("a dead embeddings server failed the query: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("no candidates without the dense source")
	}
	if reported == nil {
		t.Error("the dense failure was not reported")
	}
}

func TestRetrieveDenseCanDecide(t *testing.T) {
	b := sampleBase(t)
	r := b.Retriever()
	r.Model = nil // full text and dense only: dense must carry its weight
	r.Dense = fakeDense{hits: []DenseHit{{ArticleID: "overdraft-fees", Similarity: 0.9}, {ArticleID: "card-lost-stolen", Similarity: 0.5}}}
	got, err := r.Retrieve(context.Background(), []string{"zxqv blorft"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Article.ID != "overdraft-fees" || got[0].Dense == 0 {
		t.Errorf("top %v, want overdraft-fees from the dense source", got)
	}
}

func TestTrainModelNeedsTwoArticlesWithQuestions(t *testing.T) {
	m, err := TrainModel([]Article{{ID: "a", Questions: []string{"x"}}, {ID: "b"}}, intentOptions)
	if m != nil || err != nil {
		t.Errorf("TrainModel = %v, %v; want nil, nil", m, err)
	}
}

func ids(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Article.ID
	}
	return out
}

// fixedSemantic is a semantic classifier that is sure of one article.
type fixedSemantic struct{ sure string }

func (f fixedSemantic) PredictBatch(texts []string) [][]intent.Prediction {
	out := make([][]intent.Prediction, len(texts))
	for i := range out {
		out[i] = []intent.Prediction{{Label: f.sure, Prob: 0.99}, {Label: "other", Prob: 0.01}}
	}
	return out
}

// TestSemanticClassifierIsFusedWithTheModel checks the geometric mean: a
// semantic classifier sure of an article lifts it over the model's own
// pick, and every article it gives nothing drops out.
func TestSemanticClassifierIsFusedWithTheModel(t *testing.T) {
	r := sampleBase(t).Retriever()
	q := []string{"I forgot my online banking password"}
	alone, err := r.Retrieve(context.Background(), q, 3)
	if err != nil || len(alone) < 2 {
		t.Fatalf("without: %v, %v", ids(alone), err)
	}
	second := alone[1].Article.ID
	r.Semantic = fixedSemantic{sure: second}
	fused, err := r.Retrieve(context.Background(), q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(fused) == 0 || fused[0].Article.ID != second {
		t.Errorf("with a classifier sure of %s: top %v", second, ids(fused))
	}
	for _, c := range fused {
		if c.Article.ID != second && c.Intent > 1e-3 {
			t.Errorf("%s kept intent probability %.3f though the classifier gave it nothing", c.Article.ID, c.Intent)
		}
	}
	// The fast stage leaves the classifier out.
	if !r.Refines() {
		t.Error("a retriever with a semantic classifier does not refine")
	}
	fast, err := r.RetrieveFast(context.Background(), q, 3)
	if err != nil || !slices.Equal(ids(fast), ids(alone)) || fast[0].Confidence != alone[0].Confidence {
		t.Errorf("fast stage %v (%v), want the ranking without the classifier %v", ids(fast), err, ids(alone))
	}
	// A classifier that knows none of the articles leaves the ranking be.
	r.Semantic = fixedSemantic{sure: "not-an-article"}
	stranger, err := r.Retrieve(context.Background(), q, 3)
	if err != nil || len(stranger) == 0 || stranger[0].Article.ID != alone[0].Article.ID || math.IsNaN(stranger[0].Confidence) {
		t.Errorf("with a classifier of other labels: %v, %v; want %v", ids(stranger), err, ids(alone))
	}
}
