package evalsuite

import (
	"context"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/kb/encoder"
)

// The retrieval groups run `assist eval intent`'s evaluation (eval.Intent)
// with and without the sentence encoder; full text alone is part of every
// run.

const (
	banking77Train = "banking77/train.csv"
	clinc150File   = "clinc150/train_val.json"
	// folds is BANKING77's cross-validation: `eval intent --holdout 5`,
	// whose default fold, the last, is the held-out fifth.
	folds = 5
)

var bankingGroup = group{
	name: "banking77", needs: []string{banking77Train}, encoder: true,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		cmd := "assist eval intent --format banking77 --train " + dataArg(banking77Train)
		var with, without []eval.IntentReport
		for fold := range folds {
			set, err := eval.Banking77(s.data(banking77Train), "", folds, fold)
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("BANKING77 fold %d of %d", fold, folds)
			w, err := s.intent(ctx, name, set, s.enc)
			if err != nil {
				return nil, err
			}
			wo, err := s.intent(ctx, name, set, nil)
			if err != nil {
				return nil, err
			}
			with, without = append(with, w), append(without, wo)
		}
		held := fmt.Sprintf("BANKING77, every fifth row of each intent held out (%s queries)", count(with[folds-1].N))
		cross := fmt.Sprintf("BANKING77, five-fold cross-validation (all %s rows tested once)", count(total(with)))
		foldCmd := cmd + " --fold K"
		return []Row{
			{Figure: held + ", fused: intent model, sentence encoder, full text", Command: cmd, Value: intentValue(with[folds-1]), Figures: with[folds-1]},
			{Figure: held + ", without the encoder", Command: cmd + " --encoder ''", Value: intentValue(without[folds-1]), Figures: without[folds-1]},
			{Figure: held + ", full text alone", Command: cmd, Note: "(fulltext_top1, fulltext_top3)", Value: fullTextValue(with[folds-1]), Figures: with[folds-1]},
			{Figure: cross + ", fused", Command: foldCmd, Note: "for K = 0 … 4; mean over all rows (range over folds)", Value: crossValue(with), Figures: with},
			{Figure: cross + ", without the encoder", Command: foldCmd + " --encoder ''", Note: "for K = 0 … 4", Value: crossValue(without), Figures: without},
			{Figure: cross + ", full text alone", Command: foldCmd, Note: "for K = 0 … 4 (fulltext_top1, fulltext_top3)", Value: crossFullText(with), Figures: with},
		}, nil
	},
}

var clincGroup = group{
	name: "clinc150", needs: []string{clinc150File}, encoder: true,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		path := s.data(clinc150File)
		cmd := "assist eval intent --format clinc150 --train " + dataArg(clinc150File) + " --test " + dataArg(clinc150File)
		withArticle, err := eval.CLINC150(path, path, eval.CLINC150Options{})
		if err != nil {
			return nil, err
		}
		noArticle, err := eval.CLINC150(path, path, eval.CLINC150Options{NoOutOfScopeArticle: true})
		if err != nil {
			return nil, err
		}
		w, err := s.intent(ctx, "CLINC150 val", withArticle, s.enc)
		if err != nil {
			return nil, err
		}
		wo, err := s.intent(ctx, "CLINC150 val", withArticle, nil)
		if err != nil {
			return nil, err
		}
		wNo, err := s.intent(ctx, "CLINC150 val without the out-of-scope article", noArticle, s.enc)
		if err != nil {
			return nil, err
		}
		woNo, err := s.intent(ctx, "CLINC150 val without the out-of-scope article", noArticle, nil)
		if err != nil {
			return nil, err
		}
		val := fmt.Sprintf("CLINC150 %s (%s) and oos_val (%s), trained on train with oos_train as an out-of-scope article",
			withArticle.TestSplit, count(w.N), count(w.NOOS))
		same := "CLINC150 val, the same without the out-of-scope article"
		return []Row{
			{Figure: val + ", fused", Command: cmd, Value: scopeValue(w), Figures: w},
			{Figure: val + ", without the encoder", Command: cmd + " --encoder ''", Value: scopeValue(wo), Figures: wo},
			{Figure: val + ", full text alone", Command: cmd, Note: "(fulltext_top1, fulltext_top3)", Value: fullTextValue(w), Figures: w},
			{Figure: same + ", fused", Command: cmd + " --oos-article=false", Value: scopeValue(wNo), Figures: wNo},
			{Figure: same + ", without the encoder", Command: cmd + " --oos-article=false --encoder ''", Value: scopeValue(woNo), Figures: woNo},
		}, nil
	},
}

var clincTuningGroup = group{
	name: "clinc150-tuning", needs: []string{clinc150File}, encoder: true,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		path := s.data(clinc150File)
		cmd := "assist eval intent --format clinc150 --train " + dataArg(clinc150File) + " --split tuning"
		withArticle, err := eval.CLINC150(path, "", eval.CLINC150Options{Split: eval.CLINC150Tuning})
		if err != nil {
			return nil, err
		}
		noArticle, err := eval.CLINC150(path, "", eval.CLINC150Options{Split: eval.CLINC150Tuning, NoOutOfScopeArticle: true})
		if err != nil {
			return nil, err
		}
		w, err := s.intent(ctx, "CLINC150 tuning split", withArticle, s.enc)
		if err != nil {
			return nil, err
		}
		wNo, err := s.intent(ctx, "CLINC150 tuning split without the out-of-scope article", noArticle, s.enc)
		if err != nil {
			return nil, err
		}
		woNo, err := s.intent(ctx, "CLINC150 tuning split without the out-of-scope article", noArticle, nil)
		if err != nil {
			return nil, err
		}
		tuning := fmt.Sprintf("CLINC150 tuning split: train minus every fifth row of each intent, tested on that fifth (%s)", count(w.N))
		return []Row{
			{Figure: fmt.Sprintf("%s; every other oos_train row as the out-of-scope article, the other %d tested; fused", tuning, w.NOOS),
				Command: cmd, Value: tuningValue(w), Figures: w},
			{Figure: fmt.Sprintf("%s; no out-of-scope article, all %d oos_train rows tested; fused", tuning, wNo.NOOS),
				Command: cmd + " --oos-article=false", Value: tuningValue(wNo), Figures: wNo},
			{Figure: fmt.Sprintf("%s; no out-of-scope article, all %d oos_train rows tested; without the encoder", tuning, woNo.NOOS),
				Command: cmd + " --oos-article=false --encoder ''", Value: tuningValue(woNo), Figures: woNo},
			{Figure: tuning + "; full text alone", Command: cmd, Note: "(fulltext_top1, fulltext_top3)", Value: fullTextValue(w), Figures: w},
		}, nil
	},
}

// intent runs one evaluation at the ranker's threshold, with the encoder
// when enc is not nil, and reports it on the progress lines.
func (s *suite) intent(ctx context.Context, name string, set eval.IntentSet, enc *encoder.Model) (eval.IntentReport, error) {
	start := time.Now()
	rep, err := eval.Intent(ctx, set, eval.IntentOptions{Threshold: assist.DefaultThreshold, Encoder: enc})
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	with := "without the encoder"
	if enc != nil {
		with = "with the encoder"
	}
	s.logf("  %s, %s: top-1 %s, top-3 %s, full text top-1 %s (%s)", name, with, frac(rep.Top1), frac(rep.Top3), frac(rep.FullTextTop1), since(start))
	return rep, nil
}

// intentValue is a run's accuracy, calibration, latency and training time.
func intentValue(r eval.IntentReport) string {
	return fmt.Sprintf("top-1 %s, top-3 %s, ECE %s; p50 %s, p99 %s; trained in %s",
		frac(r.Top1), frac(r.Top3), frac(r.ECE), us(r.P50US), us(r.P99US), seconds(r.TrainSeconds))
}

// scopeValue adds a run's figures at the abstain threshold.
func scopeValue(r eval.IntentReport) string {
	return fmt.Sprintf("top-1 %s, top-3 %s; %s; ECE %s; p50 %s, p99 %s; trained in %s",
		frac(r.Top1), frac(r.Top3), atThreshold(r), frac(r.ECE), us(r.P50US), us(r.P99US), seconds(r.TrainSeconds))
}

// tuningValue is what the threshold was chosen on.
func tuningValue(r eval.IntentReport) string {
	return fmt.Sprintf("top-1 %s, top-3 %s; %s", frac(r.Top1), frac(r.Top3), atThreshold(r))
}

func atThreshold(r eval.IntentReport) string {
	if r.InScopeAccuracy == nil || r.OOSRecall == nil {
		return "no out-of-scope queries"
	}
	return fmt.Sprintf("at threshold %g: in-scope accuracy %s, out-of-scope recall %s", r.Threshold, frac(*r.InScopeAccuracy), frac(*r.OOSRecall))
}

func fullTextValue(r eval.IntentReport) string {
	return fmt.Sprintf("top-1 %s, top-3 %s", frac(r.FullTextTop1), frac(r.FullTextTop3))
}

// crossValue sums up the folds: each figure's mean over all tested rows
// (each fold weighed by its queries) and its range over the folds.
func crossValue(reps []eval.IntentReport) string {
	pick := func(f func(eval.IntentReport) float64) string { return spread(weighted(reps, f), each(reps, f)) }
	return fmt.Sprintf("top-1 %s, top-3 %s, ECE %s",
		pick(func(r eval.IntentReport) float64 { return r.Top1 }),
		pick(func(r eval.IntentReport) float64 { return r.Top3 }),
		pick(func(r eval.IntentReport) float64 { return r.ECE }))
}

func crossFullText(reps []eval.IntentReport) string {
	pick := func(f func(eval.IntentReport) float64) string { return spread(weighted(reps, f), each(reps, f)) }
	return fmt.Sprintf("top-1 %s, top-3 %s",
		pick(func(r eval.IntentReport) float64 { return r.FullTextTop1 }),
		pick(func(r eval.IntentReport) float64 { return r.FullTextTop3 }))
}

// weighted is the mean of f over the reports, each weighed by its queries.
func weighted(reps []eval.IntentReport, f func(eval.IntentReport) float64) float64 {
	var sum float64
	for _, r := range reps {
		sum += f(r) * float64(r.N)
	}
	return sum / float64(total(reps))
}

func each(reps []eval.IntentReport, f func(eval.IntentReport) float64) []float64 {
	out := make([]float64, len(reps))
	for i, r := range reps {
		out[i] = f(r)
	}
	return out
}

// total is the number of test queries of the reports.
func total(reps []eval.IntentReport) int {
	n := 0
	for _, r := range reps {
		n += r.N
	}
	return n
}
