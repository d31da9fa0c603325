package kb

import (
	"context"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
	"github.com/larkspur-labs/assist/kb/intent"
)

// benchQueries are realistic customer utterances, short and long.
var benchQueries = []string{
	"hi I lost my debit card yesterday",
	"why did you charge me thirty five dollars",
	"I want to speak to a manager",
	"how much do I have in checking",
	"I can't get into the app since I changed my password",
	"there's a payment on my account that I didn't make and I want my money back",
	"can you move two hundred dollars from savings to checking",
	"I'm traveling to Spain next month",
	"what's the routing number",
	"my card got declined at the pharmacy this morning even though I have money in there",
	"I need to order new checks",
	"okay thank you so much you've been really helpful",
}

func BenchmarkSearch(b *testing.B) {
	ix := sampleIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, benchQueries[i%len(benchQueries)], 5); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// banking77Train reads BANKING77's training file from the whole data sets
// ($ASSIST_DATASETS, set by make bench).
func banking77Train(b *testing.B) []intent.Example {
	rows, err := datasets.Load(datasetstest.Full(b, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		b.Fatal(err)
	}
	examples := make([]intent.Example, len(rows))
	for i, r := range rows {
		examples[i] = intent.Example(r)
	}
	return examples
}

// BenchmarkTrainIntents measures training the intent model on BANKING77's
// 10,003 utterances and 77 intents with the default options, calibration
// included; train-s is the wall time of one training. One run is enough
// (-benchtime 1x): it takes seconds and varies little.
func BenchmarkTrainIntents(b *testing.B) {
	examples := banking77Train(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := intent.Train(examples, intent.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "train-s")
	b.ReportMetric(float64(len(examples)), "utterances")
}

// BenchmarkTrainSemantic measures training the sentence encoder's
// classifier on the same utterances: encoding every one on every core,
// then the softmax regression. It is what --encoder adds to the first
// start of a knowledge base (later starts read it from the cache).
func BenchmarkTrainSemantic(b *testing.B) {
	examples := banking77Train(b)
	enc, err := encoder.Load(encodertest.Dir(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := encoder.TrainClassifier(enc, examples); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "train-s")
	b.ReportMetric(float64(len(examples)), "utterances")
}
