package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
)

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
		Use:     "emotion --data DIR [--out DIR]",
		Short:   "Train the embedded sentiment and emotion model on GoEmotions",
		Long:    help("train-emotion"),
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
	f.IntVar(&opts.holdOut, "hold-out", eval.DefaultHoldOut, "hold out every N-th row of train.tsv")
	return cmd
}

func runTrainEmotion(_ context.Context, opts *trainEmotionOptions) error {
	start := time.Now()
	m, rows, err := eval.TrainEmotion(filepath.Join(opts.data, "train.tsv"), eval.EmotionTrainOptions{HoldOut: opts.holdOut, Seed: opts.seed})
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
		opts.out, rows, opts.holdOut, time.Since(start).Seconds())
	return nil
}
