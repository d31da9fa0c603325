package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/intent"
	"github.com/spf13/cobra"
)

// newTrainCmd groups the commands that train the embedded models.
func newTrainCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the embedded models",
	}
	cmd.AddCommand(newTrainIntentsCmd(io, nil), newTrainEmotionCmd(io, nil))
	return cmd
}

type trainIntentsOptions struct {
	io   streams
	kb   string
	out  string
	seed uint64
}

func newTrainIntentsCmd(io streams, runF func(context.Context, *trainIntentsOptions) error) *cobra.Command {
	opts := &trainIntentsOptions{io: io}
	cmd := &cobra.Command{
		Use:   "intents --out FILE [--kb DIR]",
		Short: "Train the intent model of a knowledge base into a file",
		Long: `Train the intent classifier on the example questions of the knowledge base's
articles (--kb DIR, or the bundled sample), one intent per article, and write
the model to --out. Training is deterministic for a given --seed. The engine
trains and caches this model by itself (see 'assist kb index'); this command
is for inspecting, shipping or comparing models.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.out == "" {
				return usagef("--out is required")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTrainIntents(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.kb, "kb", "", "knowledge-base folder (default: the bundled sample)")
	cmd.Flags().StringVar(&opts.out, "out", "", "model file to write")
	cmd.Flags().Uint64Var(&opts.seed, "seed", 0, "random seed of the example order")
	return cmd
}

func runTrainIntents(_ context.Context, opts *trainIntentsOptions) error {
	articles, err := loadArticles(opts.kb)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := kb.TrainModel(articles, intent.Options{Seed: opts.seed})
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("train intents: fewer than two articles have example questions")
	}
	m.Fingerprint = kb.Fingerprint(articles)
	if err := m.Save(opts.out); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.out, "%s: %d intents, temperature %.2f, trained in %.2fs\n",
		opts.out, len(m.Labels()), m.Temperature(), time.Since(start).Seconds())
	return nil
}

type trainEmotionOptions struct {
	io      streams
	data    string
	out     string
	seed    uint64
	holdOut int
}

func newTrainEmotionCmd(io streams, runF func(context.Context, *trainEmotionOptions) error) *cobra.Command {
	opts := &trainEmotionOptions{io: io}
	cmd := &cobra.Command{
		Use:   "emotion --data DIR [--out DIR]",
		Short: "Train the embedded sentiment and emotion model on GoEmotions",
		Long: `Train the polarity model (positive, negative, neutral) and the emotion-gauge
model on DIR/train.tsv of the GoEmotions data set (labels.txt and
sentiment_dict.json beside it), leaving out every --hold-out-th row for
'assist eval sentiment --held-out'. Rows in the ambiguous group or spanning
groups train no polarity; rows whose emotions map to different gauges train
no gauge. Training is deterministic for a given --seed. The model files go to
--out; the ones in assist/models are embedded in the binary.`,
		Example: `  assist train emotion --data ../shared/data/goemotions --out assist/models`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.data == "" || opts.out == "" {
				return usagef("--data and --out are required")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTrainEmotion(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.data, "data", "", "GoEmotions folder (train.tsv, labels.txt, sentiment_dict.json)")
	f.StringVar(&opts.out, "out", "", "folder for the model files")
	f.Uint64Var(&opts.seed, "seed", 0, "random seed of the example order")
	f.IntVar(&opts.holdOut, "hold-out", assist.DefaultHoldOut, "hold out every N-th row of train.tsv")
	return cmd
}

func runTrainEmotion(_ context.Context, opts *trainEmotionOptions) error {
	ge, err := assist.ReadGoEmotions(filepath.Join(opts.data, "train.tsv"))
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := assist.TrainEmotion(ge, assist.EmotionTrainOptions{HoldOut: opts.holdOut, Seed: opts.seed})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return err
	}
	if err := m.Save(opts.out); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.out, "%s: trained on %d rows (every %d-th row held out) in %.1fs\n",
		opts.out, len(ge.Rows), opts.holdOut, time.Since(start).Seconds())
	return nil
}
