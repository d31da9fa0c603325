package main

import (
	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newTrainEmotionCmd(io streams, runF func(*evalsuite.TrainEmotionOptions) error) *cobra.Command {
	opts := &evalsuite.TrainEmotionOptions{Out: io.out}
	cmd := &cobra.Command{
		Use:     "emotion --data DIR [--tweeteval DIR] --out DIR",
		Short:   "Train the embedded sentiment and emotion model on GoEmotions and TweetEval",
		Long:    help("train-emotion"),
		Example: `  assist train emotion --data ../shared/data/goemotions --tweeteval ../shared/data/tweeteval --out assist/models`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Data == "" || opts.Output == "" {
				return usagef("--data and --out are required")
			}
			if runF != nil {
				return runF(opts)
			}
			return evalsuite.TrainEmotion(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Data, "data", "", "GoEmotions folder (train.tsv, labels.txt, sentiment_dict.json)")
	f.StringVar(&opts.Output, "out", "", "folder for the model files")
	f.StringVar(&opts.TweetEval, "tweeteval", "", "TweetEval folder (sentiment/ and emotion/) whose tweets train the model too")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed of the example order")
	f.IntVar(&opts.HoldOut, "hold-out", eval.DefaultHoldOut, "hold out every N-th row of train.tsv")
	return cmd
}
