package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
)

type evalSentimentOptions struct {
	io       streams
	test     string
	format   string
	split    string
	baseline string
	heldOut  bool
	holdOut  int
	models   string
}

func newEvalSentimentCmd(io streams, runF func(context.Context, *evalSentimentOptions) error) *cobra.Command {
	opts := &evalSentimentOptions{io: io}
	cmd := &cobra.Command{
		Use:     "sentiment --test FILE|DIR --format airline|goemotions|tweeteval [--baseline vader]",
		Short:   "Measure positive/negative/neutral sentiment on a labelled file",
		Long:    help("eval-sentiment"),
		Example: example("eval-sentiment"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.test == "" {
				return usagef("--test is required")
			}
			if opts.format != "airline" && opts.format != "goemotions" && opts.format != "tweeteval" {
				return usagef("--format must be airline, goemotions or tweeteval, not %q", opts.format)
			}
			if opts.baseline != "" && opts.baseline != "vader" {
				return usagef("--baseline must be vader, not %q", opts.baseline)
			}
			if opts.heldOut && opts.format != "goemotions" {
				return usagef("--held-out applies to goemotions training files only")
			}
			if cmd.Flags().Changed("split") && opts.format != "tweeteval" {
				return usagef("--split applies to tweeteval only")
			}
			if opts.split != "train" && opts.split != "val" && opts.split != "test" {
				return usagef("--split must be train, val or test, not %q", opts.split)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalSentiment(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.test, "test", "", "test file (tweeteval: the sentiment task's folder)")
	f.StringVar(&opts.format, "format", "", "data format: airline, goemotions or tweeteval")
	f.StringVar(&opts.split, "split", "val", "tweeteval: the split to test on: train, val or test")
	f.StringVar(&opts.baseline, "baseline", "", "measure this peer instead of the embedded model: vader")
	f.BoolVar(&opts.heldOut, "held-out", false, "goemotions: only the rows the shipped model held out of training")
	f.IntVar(&opts.holdOut, "hold-out", eval.DefaultHoldOut, "with --held-out: every N-th row was held out, as 'assist train emotion --hold-out N'")
	f.StringVar(&opts.models, "models", "", "folder with polarity.model and gauges.model (default: the embedded ones)")
	return cmd
}

func runEvalSentiment(opts *evalSentimentOptions) error {
	set, err := eval.LoadSentiment(opts.format, opts.test, opts.split, opts.heldOut, opts.holdOut)
	if err != nil {
		return err
	}
	c, err := eval.SentimentClassifier(opts.baseline, opts.models)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.err, "eval sentiment: %s on %d texts (%d dropped: ambiguous or mixed groups)\n",
		c.Name(), len(set.Texts), set.Dropped)
	rep, err := eval.Sentiment(c, set)
	if err != nil {
		return err
	}
	return printJSONLine(opts.io.out, rep)
}
