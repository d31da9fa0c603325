package evalsuite

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/assist/eval"
)

// SentimentOptions configure 'assist eval sentiment'.
type SentimentOptions struct {
	// Test is the labelled file (TweetEval: the sentiment task's folder)
	// in Format, "airline", "goemotions" or "tweeteval"; Split is
	// TweetEval's split.
	Test, Format, Split string
	// Baseline measures this peer ("vader") instead of the embedded
	// model; Models is a folder of polarity.model and gauges.model to
	// measure instead of the embedded ones.
	Baseline, Models string
	// HeldOut keeps only GoEmotions' rows held out of training, every
	// HoldOut-th.
	HeldOut bool
	HoldOut int
	// Gauges scores the emotion gauges (per-gauge F1) instead of
	// polarity.
	Gauges bool
	// NoContext reads every turn of a set alone, without the agent's
	// reply before it (the contact-center set has them).
	NoContext bool
	// Out receives the report as a line of JSON; ErrOut what was read.
	Out, ErrOut io.Writer
}

// Sentiment measures positive/negative/neutral sentiment on the labelled
// file (see eval.Sentiment).
func Sentiment(o *SentimentOptions) error {
	set, err := eval.LoadSentiment(o.Format, o.Test, o.Split, o.HeldOut, o.HoldOut, o.Gauges)
	if err != nil {
		return err
	}
	if o.NoContext {
		set.Context = nil
	}
	if o.Gauges {
		m, err := eval.EmotionModel(o.Models)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.ErrOut, "eval sentiment: %s gauges on %d texts (%d dropped: no one gauge)\n",
			m.Name(), len(set.Texts), set.Dropped)
		rep, err := eval.Gauges(m, set)
		if err != nil {
			return err
		}
		return json.NewEncoder(o.Out).Encode(rep)
	}
	c, err := eval.SentimentClassifier(o.Baseline, o.Models)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "eval sentiment: %s on %d texts (%d dropped: ambiguous or mixed groups)\n",
		c.Name(), len(set.Texts), set.Dropped)
	rep, err := eval.Sentiment(c, set)
	if err != nil {
		return err
	}
	return json.NewEncoder(o.Out).Encode(rep)
}
