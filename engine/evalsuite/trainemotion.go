package evalsuite

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/larkspur-labs/assist/assist/eval"
)

// TrainEmotionOptions configure 'assist train emotion'.
type TrainEmotionOptions struct {
	// Data is the GoEmotions folder; Output the folder the model files
	// are written to; TweetEval, when set, the TweetEval folder whose
	// tweets train the model too.
	Data, Output, TweetEval string
	// Seed is the random seed of the example order.
	Seed uint64
	// HoldOut holds every HoldOut-th row of train.tsv out of training.
	HoldOut int
	// Out receives the line saying what was trained.
	Out io.Writer
}

// TrainEmotion trains the embedded sentiment and emotion model on
// GoEmotions, and TweetEval when given (see eval.TrainEmotion), and writes
// its files.
func TrainEmotion(o *TrainEmotionOptions) error {
	start := time.Now()
	m, rows, err := eval.TrainEmotion(filepath.Join(o.Data, "train.tsv"), eval.EmotionTrainOptions{HoldOut: o.HoldOut, Seed: o.Seed, TweetEval: o.TweetEval})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Output, 0o755); err != nil {
		return err
	}
	if err := m.Save(o.Output); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "%s: trained on %d rows and tweets (every %d-th row held out) in %.1fs\n",
		o.Output, rows, o.HoldOut, time.Since(start).Seconds())
	return nil
}
