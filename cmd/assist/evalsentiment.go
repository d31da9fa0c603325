package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalSentimentCmd(io streams, runF func(*evalsuite.SentimentOptions) error) *cobra.Command {
	opts := &evalsuite.SentimentOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "sentiment --test FILE|DIR --format airline|goemotions|tweeteval|contactcenter [--gauges] [--baseline vader]",
		Short:   "Measure positive/negative/neutral sentiment on a labelled file",
		Long:    help("eval-sentiment"),
		Example: example("eval-sentiment"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Test == "" {
				return usagef("--test is required")
			}
			if !slices.Contains(eval.SentimentFormats, opts.Format) {
				return usagef("--format must be one of %s, not %q", strings.Join(eval.SentimentFormats, ", "), opts.Format)
			}
			if opts.Gauges && (opts.Baseline != "" || opts.Format == "airline") {
				return usagef("--gauges measures the embedded model's gauges, on goemotions, tweeteval (the emotion task's folder) or contactcenter")
			}
			if opts.Baseline != "" && opts.Baseline != "vader" {
				return usagef("--baseline must be vader, not %q", opts.Baseline)
			}
			if opts.HeldOut && opts.Format != "goemotions" && opts.Format != "tweeteval" {
				return usagef("--held-out applies to goemotions and tweeteval only")
			}
			switch {
			case opts.Format == "contactcenter":
				if !cmd.Flags().Changed("split") {
					opts.Split = ""
				} else if opts.Split != "dev" && opts.Split != "test" {
					return usagef("--split must be dev or test for contactcenter, not %q", opts.Split)
				}
			case cmd.Flags().Changed("split") && opts.Format != "tweeteval":
				return usagef("--split applies to tweeteval and contactcenter only")
			case opts.Split != "train" && opts.Split != "val" && opts.Split != "test":
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
	f.StringVar(&opts.Format, "format", "", "data format: airline, goemotions, tweeteval or contactcenter")
	f.StringVar(&opts.Split, "split", "val", "tweeteval: the split to test on: train, val or test; contactcenter: dev or test (default both)")
	f.BoolVar(&opts.Gauges, "gauges", false, "score the emotion gauges (per-gauge F1) instead of polarity")
	f.BoolVar(&opts.NoContext, "no-context", false, "contactcenter: read each turn alone, without the agent's reply before it")
	f.StringVar(&opts.Baseline, "baseline", "", "measure this peer instead of the embedded model: vader")
	f.BoolVar(&opts.HeldOut, "held-out", false, "goemotions, tweeteval: only the rows the shipped model held out of training")
	f.IntVar(&opts.HoldOut, "hold-out", eval.DefaultHoldOut, "with --held-out: every N-th row was held out, as 'assist train emotion --hold-out N'")
	f.StringVar(&opts.Models, "models", "", "folder with polarity.model and gauges.model (default: the embedded ones)")
	return cmd
}
