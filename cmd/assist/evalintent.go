package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalIntentCmd(io streams, runF func(context.Context, *evalsuite.IntentOptions) error) *cobra.Command {
	opts := &evalsuite.IntentOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "intent --train FILE [--test FILE] --format banking77|clinc150",
		Short:   "Measure knowledge-base retrieval on an intent data set",
		Long:    help("eval-intent"),
		Example: example("eval-intent"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Train == "" {
				return usagef("--train is required")
			}
			if opts.Format != "banking77" && opts.Format != "clinc150" {
				return usagef("--format must be banking77 or clinc150, not %q", opts.Format)
			}
			if (cmd.Flags().Changed("split") || cmd.Flags().Changed("oos-article")) && opts.Format != "clinc150" {
				return usagef("--split and --oos-article apply to clinc150 only")
			}
			if opts.Split != "" && opts.Split != eval.CLINC150Test && opts.Split != eval.CLINC150Val && opts.Split != eval.CLINC150Tuning {
				return usagef("--split must be test, val or tuning, not %q", opts.Split)
			}
			if opts.Split == eval.CLINC150Tuning && opts.Test != "" {
				return usagef("--split tuning tests on part of --train: leave out --test")
			}
			if opts.Format == "clinc150" && opts.Test == "" && opts.Split != eval.CLINC150Tuning {
				return usagef("--test is required for clinc150 (or --split tuning)")
			}
			if opts.Holdout < 2 {
				return usagef("--holdout must be at least 2")
			}
			if !cmd.Flags().Changed("fold") {
				opts.Fold = opts.Holdout - 1
			}
			if opts.Fold < 0 || opts.Fold >= opts.Holdout {
				return usagef("--fold must be from 0 to %d", opts.Holdout-1)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.Intent(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Train, "train", "", "training file")
	f.StringVar(&opts.Test, "test", "", "test file (banking77: default a held-out part of --train)")
	f.StringVar(&opts.Format, "format", "", "data format: banking77 or clinc150")
	f.Float64Var(&opts.Threshold, "threshold", assist.DefaultThreshold, "abstain threshold on the top confidence")
	f.IntVar(&opts.Holdout, "holdout", 5, "banking77 without --test: hold out every N-th row of each intent")
	f.IntVar(&opts.Fold, "fold", 0, "with --holdout N: hold out the rows N·i+fold of each intent (default N-1)")
	f.StringVar(&opts.Encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
	f.BoolVar(&opts.EncoderExact, "encoder-exact", false, "run the sentence encoder in float32 as published rather than with int8 weights (slower; to measure what int8 costs)")
	f.StringVar(&opts.Split, "split", "", "clinc150: test on test (default; val when there is none), val, or tuning (part of --train)")
	f.BoolVar(&opts.OutOfScopeArticle, "oos-article", true, "clinc150: train oos_train as an out-of-scope article")
	return cmd
}
