package evalsuite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/eval"
)

// The sentiment groups run `assist eval sentiment`'s evaluation
// (eval.Sentiment) with the embedded model and with VADER, and the
// gauges' scoring (eval.Gauges).

const (
	goEmotionsDev   = "goemotions/dev.tsv"
	goEmotionsTrain = "goemotions/train.tsv"
	tweetEvalDir    = "tweeteval/sentiment"
)

// goEmotionsFiles are what a GoEmotions split is read with.
var goEmotionsFiles = []string{"goemotions/labels.txt", "goemotions/sentiment_dict.json"}

var goEmotionsGroup = group{
	name: "goemotions", needs: append([]string{goEmotionsDev, goEmotionsTrain}, goEmotionsFiles...),
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		dev, err := eval.GoEmotionsSentiment(s.data(goEmotionsDev), false, 0)
		if err != nil {
			return nil, err
		}
		held, err := eval.GoEmotionsSentiment(s.data(goEmotionsTrain), true, eval.DefaultHoldOut)
		if err != nil {
			return nil, err
		}
		devCmd := "assist eval sentiment --format goemotions --test " + dataArg(goEmotionsDev)
		heldCmd := "assist eval sentiment --format goemotions --test " + dataArg(goEmotionsTrain) + " --held-out"
		devRows, err := sentimentRows(fmt.Sprintf("GoEmotions dev, %s rows kept (%s dropped)", count(len(dev.Texts)), count(dev.Dropped)), devCmd, dev)
		if err != nil {
			return nil, err
		}
		heldRows, err := sentimentRows(fmt.Sprintf("GoEmotions train, the held-out tenth: %s rows kept (%s dropped)", count(len(held.Texts)), count(held.Dropped)), heldCmd, held)
		return append(devRows, heldRows...), err
	},
}

var tweetEvalGroup = group{
	name: "tweeteval",
	needs: []string{
		tweetEvalDir + "/mapping.txt",
		tweetEvalDir + "/val_text.txt", tweetEvalDir + "/val_labels.txt",
		tweetEvalDir + "/test_text.txt", tweetEvalDir + "/test_labels.txt",
	},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		var rows []Row
		for _, split := range []string{"val", "test"} {
			// The model trains on the rest of both splits.
			set, err := eval.TweetEvalSentiment(s.data(tweetEvalDir), split, true, eval.DefaultHoldOut)
			if err != nil {
				return nil, err
			}
			cmd := "assist eval sentiment --format tweeteval --test " + dataArg(tweetEvalDir) + " --split " + split + " --held-out"
			got, err := sentimentRows(fmt.Sprintf("TweetEval sentiment %s, the held-out tenth: %s tweets", split, count(len(set.Texts))), cmd, set)
			if err != nil {
				return nil, err
			}
			rows = append(rows, got...)
		}
		return rows, nil
	},
}

// sentimentRows scores the embedded model and VADER on set.
func sentimentRows(figure, cmd string, set eval.SentimentSet) ([]Row, error) {
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		return nil, err
	}
	model, err := eval.Sentiment(eval.ModelClassifier(m), set)
	if err != nil {
		return nil, err
	}
	vader, err := eval.Sentiment(eval.NewVader(), set)
	if err != nil {
		return nil, err
	}
	return []Row{
		{Figure: figure + ", " + model.Model, Command: cmd, Value: sentimentValue(model), Figures: model},
		{Figure: figure + ", VADER", Command: cmd + " --baseline vader", Value: sentimentValue(vader), Figures: vader},
	}, nil
}

func sentimentValue(r eval.SentimentReport) string {
	return fmt.Sprintf("macro-F1 %s, accuracy %s; %s per text", frac(r.MacroF1), frac(r.Accuracy), us(r.PerUttUS))
}

const tweetEvalEmotionDir = "tweeteval/emotion"

var gaugesGroup = group{
	name: "gauges", needs: append([]string{goEmotionsDev, tweetEvalEmotionDir + "/test_text.txt", tweetEvalEmotionDir + "/test_labels.txt", tweetEvalEmotionDir + "/mapping.txt"}, goEmotionsFiles...),
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		set, err := eval.GoEmotionsGauges(s.data(goEmotionsDev))
		if err != nil {
			return nil, err
		}
		m, err := assist.EmbeddedEmotionModel()
		if err != nil {
			return nil, err
		}
		rep, err := eval.Gauges(m, set)
		if err != nil {
			return nil, err
		}
		// The gauges from the best F1 down, as the README lists them.
		gauges := slices.Clone(assist.Emotions)
		slices.SortStableFunc(gauges, func(a, b string) int { return cmp.Compare(rep.F1[b], rep.F1[a]) })
		f1 := make([]string, len(gauges))
		for i, g := range gauges {
			f1[i] = fmt.Sprintf("%s %.2f", g, rep.F1[g])
		}
		tset, err := eval.TweetEvalGauges(s.data(tweetEvalEmotionDir), "test")
		if err != nil {
			return nil, err
		}
		trep, err := eval.Gauges(m, tset)
		if err != nil {
			return nil, err
		}
		return []Row{{
			Figure: fmt.Sprintf("emotion gauges on GoEmotions dev: the top gauge against the one a comment's emotions map to (%s comments; %s map to none or to several)",
				count(rep.N), count(set.Dropped)),
			Command: "assist eval sentiment --format goemotions --test " + dataArg(goEmotionsDev) + " --gauges",
			Value:   fmt.Sprintf("accuracy %s, macro-F1 %s (%s)", frac(rep.Accuracy), frac(rep.MacroF1), strings.Join(f1, ", ")),
			Figures: rep,
		}, {
			Figure:  fmt.Sprintf("emotion gauges on TweetEval emotion test (%s tweets: anger, joy and optimism as satisfaction, sadness)", count(trep.N)),
			Command: "assist eval sentiment --format tweeteval --test " + dataArg(tweetEvalEmotionDir) + " --split test --gauges",
			Value:   gaugeValue(trep),
			Figures: trep,
		}}, nil
	},
}
