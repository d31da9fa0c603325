package eval

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/intent"
)

// IntentSet is a labelled intent data set used as a knowledge base: one
// article per intent of Train, whose utterances are its example questions.
type IntentSet struct {
	Train []intent.Example
	// Test are in-scope queries, labelled with an intent of Train.
	Test []intent.Example
	// OutOfScope are queries that no intent covers; the ranker should
	// abstain on them. May be empty.
	OutOfScope []string
	// OutOfScopeTrain are training examples of such queries; when there
	// are some, they become an out-of-scope article (OutOfScopeArticle).
	OutOfScopeTrain []string
	// TestSplit names the split Test was read from, when the file has
	// several (CLINC150's "test", or "val" when it has no test split).
	TestSplit string
}

// IntentOptions set how Intent ranks.
type IntentOptions struct {
	// Threshold is the ranker's abstain threshold.
	Threshold float64
	// Encoder, when set, adds a classifier over its sentence embeddings to
	// the intent model.
	Encoder *encoder.Model
}

// IntentReport holds the figures of an intent evaluation. Accuracies are
// fractions of the in-scope test queries.
type IntentReport struct {
	N    int     `json:"n"`
	Top1 float64 `json:"top1"`
	Top3 float64 `json:"top3"`
	// P50US and P99US are per-query latencies of the ranker, in µs.
	P50US float64 `json:"p50_us"`
	P99US float64 `json:"p99_us"`
	// InScopeAccuracy counts a query right only if its top article is
	// right and the ranker did not abstain; OOSRecall is the fraction of
	// out-of-scope queries abstained on. Both are nil without
	// out-of-scope queries.
	InScopeAccuracy *float64 `json:"in_scope_accuracy,omitempty"`
	OOSRecall       *float64 `json:"oos_recall,omitempty"`
	NOOS            int      `json:"n_oos,omitempty"`
	Threshold       float64  `json:"threshold"`
	// ECE is the expected calibration error of the top confidence, over
	// ten equal-width bins.
	ECE float64 `json:"ece"`
	// FullTextTop1 and FullTextTop3 are the same queries through the
	// full-text index alone: the baseline.
	FullTextTop1 float64 `json:"fulltext_top1"`
	FullTextTop3 float64 `json:"fulltext_top3"`
	// TrainSeconds is the time to index the articles and train the model.
	TrainSeconds float64 `json:"train_s"`
	Articles     int     `json:"articles"`
}

// Intent builds the knowledge base of ev.Train, then answers every test
// query through the ranker the agent view uses, and again through full
// text alone for the baseline.
func Intent(ctx context.Context, ev IntentSet, opts IntentOptions) (IntentReport, error) {
	if len(ev.Test) == 0 {
		return IntentReport{}, fmt.Errorf("eval intent: no test queries")
	}
	articles := IntentArticles(ev.Train)
	if len(ev.OutOfScopeTrain) > 0 {
		articles = append(articles, kb.Article{
			ID: OutOfScopeArticle, Title: "Out of scope", Lang: kb.DefaultLang,
			Questions: ev.OutOfScopeTrain, OutOfScope: true,
		})
	}
	start := time.Now()
	base, err := kb.Open(articles, "", nil)
	if err != nil {
		return IntentReport{}, err
	}
	defer base.Close()
	rep := IntentReport{
		N: len(ev.Test), NOOS: len(ev.OutOfScope), Threshold: opts.Threshold,
		TrainSeconds: time.Since(start).Seconds(), Articles: len(articles),
	}
	if base.Model == nil {
		return IntentReport{}, fmt.Errorf("eval intent: the training data has fewer than two intents")
	}

	retriever := base.Retriever()
	if opts.Encoder != nil {
		sem, err := kb.TrainSemantic(opts.Encoder, articles)
		if err != nil {
			return IntentReport{}, err
		}
		retriever.Semantic = sem
		rep.TrainSeconds = time.Since(start).Seconds()
	}
	fused := &assist.Ranker{KB: retriever, K: 3, Threshold: opts.Threshold, MinConfidence: 0}
	fullText := &assist.Ranker{KB: kb.NewRetriever(base.Index, nil), K: 3, Threshold: opts.Threshold}

	// Warm up caches and the allocator before timing.
	for _, ex := range ev.Test[:min(100, len(ev.Test))] {
		if _, err := fused.Rank(ctx, []assist.Turn{{Speaker: "customer", Text: ex.Text}}); err != nil {
			return IntentReport{}, err
		}
	}

	var (
		top1, top3, inScope, ftTop1, ftTop3 int
		lat                                 []float64
		cal                                 calibration
	)
	for _, ex := range ev.Test {
		want := ArticleID(ex.Label)
		t0 := time.Now()
		r, err := fused.Rank(ctx, []assist.Turn{{Speaker: "customer", Text: ex.Text}})
		lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e3)
		if err != nil {
			return IntentReport{}, err
		}
		rank := rankOf(r.Candidates, want)
		if rank == 0 {
			top1++
			if !r.Abstain {
				inScope++
			}
		}
		if rank >= 0 && rank < 3 {
			top3++
		}
		if len(r.Candidates) > 0 {
			cal.add(r.Candidates[0].Confidence, rank == 0)
		}
		ft, err := fullText.Rank(ctx, []assist.Turn{{Speaker: "customer", Text: ex.Text}})
		if err != nil {
			return IntentReport{}, err
		}
		if rank := rankOf(ft.Candidates, want); rank == 0 {
			ftTop1++
			ftTop3++
		} else if rank > 0 && rank < 3 {
			ftTop3++
		}
	}
	n := float64(len(ev.Test))
	rep.Top1, rep.Top3 = stats.Round(float64(top1)/n, 4), stats.Round(float64(top3)/n, 4)
	rep.FullTextTop1, rep.FullTextTop3 = stats.Round(float64(ftTop1)/n, 4), stats.Round(float64(ftTop3)/n, 4)
	rep.P50US, rep.P99US = math.Round(stats.Percentile(lat, 50)), math.Round(stats.Percentile(lat, 99))
	rep.ECE = stats.Round(cal.ece(), 4)

	if len(ev.OutOfScope) > 0 {
		abstained := 0
		for _, q := range ev.OutOfScope {
			r, err := fused.Rank(ctx, []assist.Turn{{Speaker: "customer", Text: q}})
			if err != nil {
				return IntentReport{}, err
			}
			if r.Abstain {
				abstained++
			}
		}
		acc := stats.Round(float64(inScope)/n, 4)
		recall := stats.Round(float64(abstained)/float64(len(ev.OutOfScope)), 4)
		rep.InScopeAccuracy, rep.OOSRecall = &acc, &recall
	}
	return rep, nil
}

// Banking77 reads a BANKING77 training file and, when test is not empty, a
// test file. Without one, the examples n·i+fold of each intent of the
// training file are held out for testing (folds 0 to n-1 together are a
// cross-validation).
func Banking77(train, test string, n, fold int) (IntentSet, error) {
	examples, err := readIntents(train)
	if err != nil {
		return IntentSet{}, err
	}
	if test == "" {
		var set IntentSet
		set.Train, set.Test = holdOut(examples, n, fold)
		return set, nil
	}
	set := IntentSet{Train: examples}
	set.Test, err = readIntents(test)
	return set, err
}

// readIntents reads a BANKING77 file as intent examples.
func readIntents(path string) ([]intent.Example, error) {
	rows, err := datasets.Load(path, datasets.ReadBanking77)
	if err != nil {
		return nil, err
	}
	return intentExamples(rows), nil
}

func intentExamples(rows []datasets.Example) []intent.Example {
	out := make([]intent.Example, len(rows))
	for i, r := range rows {
		out[i] = intent.Example(r)
	}
	return out
}

// holdOut puts the examples n·i+fold of each label in test, the rest in
// train.
func holdOut(examples []intent.Example, n, fold int) (train, test []intent.Example) {
	seen := map[string]int{}
	for _, ex := range examples {
		if seen[ex.Label]%n == fold {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
		seen[ex.Label]++
	}
	return train, test
}

// The parts of a CLINC150 file an evaluation can test on
// (CLINC150Options.Split).
const (
	// CLINC150Test is "test" and "oos_test", or "val" and "oos_val" when
	// the file has no test split (as the published train_val.json).
	CLINC150Test = "test"
	// CLINC150Val is "val" and "oos_val".
	CLINC150Val = "val"
	// CLINC150Tuning is the split the ranker's abstain threshold was read
	// off, so that neither val nor test was looked at: the "train" split
	// minus every fifth row of each intent, tested on that fifth, and
	// "oos_train" (see CLINC150Options.NoOutOfScopeArticle).
	CLINC150Tuning = "tuning"
)

// CLINC150Options choose what a CLINC150 evaluation trains and tests on.
type CLINC150Options struct {
	// Split is CLINC150Test (when empty), CLINC150Val or CLINC150Tuning.
	Split string
	// NoOutOfScopeArticle leaves "oos_train" out of the knowledge base.
	// With it there (the default), its examples make an out-of-scope
	// article: when that article is the best match the ranker abstains.
	// On the tuning split, the article is then made of every other
	// "oos_train" row and the rest are tested; without it, all are tested.
	NoOutOfScopeArticle bool
}

// CLINC150 reads CLINC150 files: training reads the split "train" of the
// train file, and "oos_train" as out-of-scope examples; testing reads the
// split opts names of the test file (TestSplit says which). The tuning
// split reads the train file only.
func CLINC150(train, test string, opts CLINC150Options) (IntentSet, error) {
	trainSplits, err := datasets.Load(train, datasets.ReadCLINC150)
	if err != nil {
		return IntentSet{}, err
	}
	if len(trainSplits["train"]) == 0 {
		return IntentSet{}, fmt.Errorf("%s: no \"train\" split", train)
	}
	var oosTrain []string
	for _, ex := range trainSplits["oos_train"] {
		oosTrain = append(oosTrain, ex.Text)
	}
	switch opts.Split {
	case CLINC150Tuning:
		return clinc150Tuning(intentExamples(trainSplits["train"]), oosTrain, opts.NoOutOfScopeArticle), nil
	case "", CLINC150Test, CLINC150Val:
	default:
		return IntentSet{}, fmt.Errorf("clinc150: no split %q: want test, val or tuning", opts.Split)
	}
	testSplits, err := datasets.Load(test, datasets.ReadCLINC150)
	if err != nil {
		return IntentSet{}, err
	}
	set := IntentSet{Train: intentExamples(trainSplits["train"]), TestSplit: CLINC150Test}
	if !opts.NoOutOfScopeArticle {
		set.OutOfScopeTrain = oosTrain
	}
	oos := "oos_test"
	if opts.Split == CLINC150Val || len(testSplits["test"]) == 0 {
		set.TestSplit, oos = CLINC150Val, "oos_val"
	}
	for _, ex := range testSplits[set.TestSplit] {
		if ex.Label != datasets.CLINC150OutOfScope {
			set.Test = append(set.Test, intent.Example(ex))
		}
	}
	for _, ex := range testSplits[oos] {
		set.OutOfScope = append(set.OutOfScope, ex.Text)
	}
	if len(set.Test) == 0 {
		return IntentSet{}, fmt.Errorf("%s: no %q split", test, set.TestSplit)
	}
	return set, nil
}

// clinc150Tuning holds out every fifth training row of each intent for
// testing; oosTrain makes the out-of-scope article from its even rows and
// is tested on the odd ones, or, with noArticle, is all tested.
func clinc150Tuning(train []intent.Example, oosTrain []string, noArticle bool) IntentSet {
	set := IntentSet{TestSplit: CLINC150Tuning}
	set.Train, set.Test = holdOut(train, 5, 4)
	for i, q := range oosTrain {
		if !noArticle && i%2 == 0 {
			set.OutOfScopeTrain = append(set.OutOfScopeTrain, q)
		} else {
			set.OutOfScope = append(set.OutOfScope, q)
		}
	}
	return set
}

// OutOfScopeArticle is the id of the article that holds an evaluation's
// out-of-scope training examples.
const OutOfScopeArticle = "out-of-scope"

// IntentArticles turns labelled utterances into one article per intent,
// in order of first appearance.
func IntentArticles(examples []intent.Example) []kb.Article {
	byLabel := map[string]int{}
	var out []kb.Article
	for _, ex := range examples {
		i, ok := byLabel[ex.Label]
		if !ok {
			i = len(out)
			byLabel[ex.Label] = i
			title := strings.ReplaceAll(ex.Label, "_", " ")
			out = append(out, kb.Article{
				ID: ArticleID(ex.Label), Title: title, Lang: kb.DefaultLang,
				Answer: "Answer for intent " + ex.Label + ".",
			})
		}
		out[i].Questions = append(out[i].Questions, ex.Text)
	}
	return out
}

// ArticleID is the article id of an intent label: kebab-case.
func ArticleID(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func rankOf(cands []kb.Candidate, id string) int {
	for i, c := range cands {
		if c.Article.ID == id {
			return i
		}
	}
	return -1
}

// calibration bins top confidences against outcomes.
type calibration struct {
	n    int
	bins [10]struct {
		n, right int
		conf     float64
	}
}

func (c *calibration) add(conf float64, right bool) {
	b := &c.bins[min(int(conf*10), 9)]
	b.n++
	b.conf += conf
	if right {
		b.right++
	}
	c.n++
}

// ece is the expected calibration error: the mean gap between confidence
// and accuracy, weighted by how many predictions fall in each bin.
func (c *calibration) ece() float64 {
	if c.n == 0 {
		return 0
	}
	var sum float64
	for _, b := range c.bins {
		sum += math.Abs(float64(b.right) - b.conf)
	}
	return sum / float64(c.n)
}
