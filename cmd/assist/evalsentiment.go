package main

import (
	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalSentimentCmd(io streams, runF func(*evalsuite.SentimentOptions) error) *cobra.Command {
	opts := &evalsuite.SentimentOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "sentiment --test FILE|DIR --format airline|goemotions|tweeteval [--baseline vader]",
		Short:   "Measure positive/negative/neutral sentiment on a labelled file",
		Long:    help("eval-sentiment"),
		Example: example("eval-sentiment"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Test == "" {
				return usagef("--test is required")
			}
			if opts.Format != "airline" && opts.Format != "goemotions" && opts.Format != "tweeteval" {
				return usagef("--format must be airline, goemotions or tweeteval, not %q", opts.Format)
			}
			if opts.Baseline != "" && opts.Baseline != "vader" {
				return usagef("--baseline must be vader, not %q", opts.Baseline)
			}
			if opts.HeldOut && opts.Format != "goemotions" {
				return usagef("--held-out applies to goemotions training files only")
			}
			if cmd.Flags().Changed("split") && opts.Format != "tweeteval" {
				return usagef("--split applies to tweeteval only")
			}
			if opts.Split != "train" && opts.Split != "val" && opts.Split != "test" {
				return usagef("--split must be train, val or test, not %q", opts.Split)
			}
			if runF != nil {
				return runF(opts)
			}
			return evalsuite.Sentiment(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Test, "test", "", "test file (tweeteval: the sentiment task's folder)")
	f.StringVar(&opts.Format, "format", "", "data format: airline, goemotions or tweeteval")
	f.StringVar(&opts.Split, "split", "val", "tweeteval: the split to test on: train, val or test")
	f.StringVar(&opts.Baseline, "baseline", "", "measure this peer instead of the embedded model: vader")
	f.BoolVar(&opts.HeldOut, "held-out", false, "goemotions: only the rows the shipped model held out of training")
	f.IntVar(&opts.HoldOut, "hold-out", eval.DefaultHoldOut, "with --held-out: every N-th row was held out, as 'assist train emotion --hold-out N'")
	f.StringVar(&opts.Models, "models", "", "folder with polarity.model and gauges.model (default: the embedded ones)")
	return cmd
}
