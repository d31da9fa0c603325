package assist

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/kb"
)

// BenchmarkRank measures the agent view's path for one customer turn,
// Ranker.Rank over kb.Base.Retriever(), on synthetic knowledge bases built
// from real text (see benchArticles). It reports the latency of single calls
// as p50-µs and p99-µs after a warm-up, besides the mean ns/op, and the
// base's build time (build-s) and heap (heap-MB). Run it with a fixed count,
// e.g. -benchtime 5000x, so that every held-out query is asked about once.
//
// Two sizes show both regimes: 10,000 articles rank by full text only (the
// intent model is not trained above kb.MaxModelIntents), and
// kb.MaxModelIntents articles, the largest base with the intent model.
// "turns=1" is a call's first customer turn; "turns=3" has two earlier
// customer turns, which the retriever ranks a second time as context, as it
// does for every later turn of a call.
func BenchmarkRank(b *testing.B) {
	corpus := readBenchCorpus(b)
	for _, size := range []struct {
		articles  int
		withModel bool
	}{
		{10_000, false},
		{kb.MaxModelIntents, true},
	} {
		name := fmt.Sprintf("articles=%d/fulltext", size.articles)
		if size.withModel {
			name = fmt.Sprintf("articles=%d/model", size.articles)
		}
		b.Run(name, func(b *testing.B) {
			articles := benchArticles(corpus, size.articles)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			base, err := kb.Open(articles, "", nil)
			if err != nil {
				b.Fatal(err)
			}
			build := time.Since(start)
			runtime.GC()
			runtime.ReadMemStats(&after)
			heapMB := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
			defer base.Close()
			if (base.Model != nil) != size.withModel {
				b.Fatalf("intent model trained: %v, want %v", base.Model != nil, size.withModel)
			}
			ranker := NewRanker(base.Retriever())
			for _, turns := range []int{1, 3} {
				b.Run(fmt.Sprintf("turns=%d", turns), func(b *testing.B) {
					benchRank(b, ranker, corpus.queries, turns)
					b.ReportMetric(build.Seconds(), "build-s")
					b.ReportMetric(heapMB, "heap-MB")
				})
			}
		})
	}
}

// benchRank times ranker.Rank on conversations whose last customer turn
// walks through queries, and reports the percentiles of single calls.
// Queries are grouped by intent in the data sets, so the earlier turns of a
// conversation are mostly the same request in other words.
func benchRank(b *testing.B, ranker *Ranker, queries []string, turns int) {
	ctx := context.Background()
	history := func(i int) []Turn {
		var h []Turn
		for j := max(0, i-turns+1); j <= i; j++ {
			h = append(h, Turn{Speaker: "customer", Text: queries[j%len(queries)]})
		}
		return h
	}
	const warmUp = 500
	for i := range warmUp {
		if _, err := ranker.Rank(ctx, history(len(queries)-warmUp+i)); err != nil {
			b.Fatal(err)
		}
	}
	took := make([]float64, 0, 16<<10) // µs
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h := history(i)
		start := time.Now()
		if _, err := ranker.Rank(ctx, h); err != nil {
			b.Fatal(err)
		}
		took = append(took, float64(time.Since(start).Nanoseconds())/1e3)
	}
	// percentile is the nearest-rank one `assist eval intent` reports.
	b.ReportMetric(stats.Percentile(took, 50), "p50-µs")
	b.ReportMetric(stats.Percentile(took, 99), "p99-µs")
}

// benchCorpus is real text to build knowledge bases from.
type benchCorpus struct {
	// labels are the keys of questions, sorted.
	labels []string
	// questions are customer utterances by "dataset/intent".
	questions map[string][]string
	// responses are agent answers, for articles' answers and notes.
	responses []string
	// queries are held-out utterances, never an article's question.
	queries []string
}

// readBenchCorpus reads the whole data sets ($ASSIST_DATASETS, set by make
// bench): BANKING77 (every fifth row is held out as a query), the CLINC150
// train split (val and oos_val are the queries) and the Bitext
// customer-support set, whose agent responses are the articles' answers.
func readBenchCorpus(b *testing.B) *benchCorpus {
	b.Helper()
	c := &benchCorpus{questions: map[string][]string{}}
	add := func(set, label, text string) {
		key := set + "/" + label
		c.questions[key] = append(c.questions[key], text)
	}

	banking, err := datasets.Load(datasetstest.Full(b, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		b.Fatal(err)
	}
	for i, ex := range banking {
		if i%5 == 4 {
			c.queries = append(c.queries, ex.Text)
		} else {
			add("banking77", ex.Label, ex.Text)
		}
	}
	clinc, err := datasets.Load(datasetstest.Full(b, "clinc150/train_val.json"), datasets.ReadCLINC150)
	if err != nil {
		b.Fatal(err)
	}
	for _, ex := range clinc["train"] {
		add("clinc150", ex.Label, ex.Text)
	}
	for _, ex := range append(clinc["val"], clinc["oos_val"]...) {
		c.queries = append(c.queries, ex.Text)
	}

	rows, err := datasets.Load(datasetstest.Full(b, "bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv"), datasets.ReadBitext)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rows {
		add("bitext", r.Intent, r.Instruction)
		c.responses = append(c.responses, r.Response)
	}

	for l := range c.questions {
		c.labels = append(c.labels, l)
	}
	slices.Sort(c.labels)
	return c
}

// benchArticles returns n articles made of real text, the same for the same
// corpus. Article i belongs to intent i mod 254 (BANKING77, CLINC150 and
// Bitext intents) and takes its next 2–5 utterances as example questions,
// so the 1,000-article base has about four articles per intent with
// distinct questions; at 10,000 the utterances run out and about a third
// of the questions repeat one of another article of the same intent. The
// answer is a Bitext agent response, its first sentence the title, another
// response the notes; the tags are the data set and the intent.
func benchArticles(c *benchCorpus, n int) []kb.Article {
	next := map[string]int{}
	out := make([]kb.Article, n)
	for i := range out {
		label := c.labels[i%len(c.labels)]
		pool := c.questions[label]
		questions := make([]string, 2+i%4)
		for j := range questions {
			questions[j] = pool[next[label]%len(pool)]
			next[label]++
		}
		set, name, _ := strings.Cut(label, "/")
		answer := c.responses[i%len(c.responses)]
		out[i] = kb.Article{
			ID:        fmt.Sprintf("bench-%05d", i),
			Title:     firstWords(answer, 12),
			Tags:      []string{set, strings.ReplaceAll(name, "_", "-")},
			Questions: questions,
			Answer:    answer,
			Body:      c.responses[(i+len(c.responses)/2)%len(c.responses)],
			Lang:      kb.DefaultLang,
		}
	}
	return out
}

// firstWords returns the first sentence of s, cut to at most n words.
func firstWords(s string, n int) string {
	if i := strings.IndexAny(s, ".!?\n"); i > 0 {
		s = s[:i]
	}
	words := strings.Fields(s)
	return strings.Join(words[:min(n, len(words))], " ")
}
