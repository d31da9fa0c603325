package encoder

import (
	"testing"
	"time"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
	"github.com/larkspur-labs/assist/kb/intent"
)

// BenchmarkTrainClassifierParts splits training the classifier on
// BANKING77's 10,003 questions ($ASSIST_DATASETS, set by make bench) into
// its two parts: encode-s, the questions encoded on every core, and fit-s,
// the softmax regression. Run it with -benchtime 1x.
func BenchmarkTrainClassifierParts(b *testing.B) {
	rows, err := datasets.Load(datasetstest.Full(b, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		b.Fatal(err)
	}
	examples := make([]intent.Example, len(rows))
	for i, r := range rows {
		examples[i] = intent.Example(r)
	}
	m, err := Load(encodertest.Dir(b))
	if err != nil {
		b.Fatal(err)
	}
	var encode, fit time.Duration
	for b.Loop() {
		t0 := time.Now()
		labels, ys := intent.IndexLabels(examples)
		xs := m.featuresAll(texts(examples))
		t1 := time.Now()
		fitSoftmax(xs, ys, len(labels))
		encode += t1.Sub(t0)
		fit += time.Since(t1)
	}
	b.ReportMetric(encode.Seconds()/float64(b.N), "encode-s")
	b.ReportMetric(fit.Seconds()/float64(b.N), "fit-s")
}
