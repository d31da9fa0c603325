package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/kb/encoder"
)

type evalIntentOptions struct {
	io        streams
	train     string
	test      string
	format    string
	threshold float64
	holdout   int
	fold      int
	encoder   string
	split     string
	// oosArticle trains CLINC150's oos_train as an out-of-scope article.
	oosArticle bool
}

func newEvalIntentCmd(io streams, runF func(context.Context, *evalIntentOptions) error) *cobra.Command {
	opts := &evalIntentOptions{io: io}
	cmd := &cobra.Command{
		Use:     "intent --train FILE [--test FILE] --format banking77|clinc150",
		Short:   "Measure knowledge-base retrieval on an intent data set",
		Long:    help("eval-intent"),
		Example: example("eval-intent"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.train == "" {
				return usagef("--train is required")
			}
			if opts.format != "banking77" && opts.format != "clinc150" {
				return usagef("--format must be banking77 or clinc150, not %q", opts.format)
			}
			if (cmd.Flags().Changed("split") || cmd.Flags().Changed("oos-article")) && opts.format != "clinc150" {
				return usagef("--split and --oos-article apply to clinc150 only")
			}
			if opts.split != "" && opts.split != eval.CLINC150Test && opts.split != eval.CLINC150Val && opts.split != eval.CLINC150Tuning {
				return usagef("--split must be test, val or tuning, not %q", opts.split)
			}
			if opts.split == eval.CLINC150Tuning && opts.test != "" {
				return usagef("--split tuning tests on part of --train: leave out --test")
			}
			if opts.format == "clinc150" && opts.test == "" && opts.split != eval.CLINC150Tuning {
				return usagef("--test is required for clinc150 (or --split tuning)")
			}
			if opts.holdout < 2 {
				return usagef("--holdout must be at least 2")
			}
			if !cmd.Flags().Changed("fold") {
				opts.fold = opts.holdout - 1
			}
			if opts.fold < 0 || opts.fold >= opts.holdout {
				return usagef("--fold must be from 0 to %d", opts.holdout-1)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalIntent(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.train, "train", "", "training file")
	f.StringVar(&opts.test, "test", "", "test file (banking77: default a held-out part of --train)")
	f.StringVar(&opts.format, "format", "", "data format: banking77 or clinc150")
	f.Float64Var(&opts.threshold, "threshold", assist.DefaultThreshold, "abstain threshold on the top confidence")
	f.IntVar(&opts.holdout, "holdout", 5, "banking77 without --test: hold out every N-th row of each intent")
	f.IntVar(&opts.fold, "fold", 0, "with --holdout N: hold out the rows N·i+fold of each intent (default N-1)")
	f.StringVar(&opts.encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
	f.StringVar(&opts.split, "split", "", "clinc150: test on test (default; val when there is none), val, or tuning (part of --train)")
	f.BoolVar(&opts.oosArticle, "oos-article", true, "clinc150: train oos_train as an out-of-scope article")
	return cmd
}

func runEvalIntent(ctx context.Context, opts *evalIntentOptions) error {
	var (
		set eval.IntentSet
		err error
	)
	if opts.format == "banking77" {
		set, err = eval.Banking77(opts.train, opts.test, opts.holdout, opts.fold)
	} else {
		set, err = eval.CLINC150(opts.train, opts.test, eval.CLINC150Options{Split: opts.split, NoOutOfScopeArticle: !opts.oosArticle})
		if err == nil && set.TestSplit == eval.CLINC150Val && opts.split != eval.CLINC150Val {
			fmt.Fprintf(opts.io.err, "eval intent: %s has no test split; testing on val and oos_val\n", opts.test)
		}
	}
	if err != nil {
		return err
	}
	run := eval.IntentOptions{Threshold: opts.threshold}
	if opts.encoder != "" {
		if run.Encoder, err = encoder.Load(opts.encoder); err != nil {
			return err
		}
		fmt.Fprintf(opts.io.err, "eval intent: sentence encoder from %s (--encoder '' leaves it out)\n", opts.encoder)
	}
	fmt.Fprintf(opts.io.err, "eval intent: %d training utterances (and %d out of scope), %d test queries (and %d out of scope)\n",
		len(set.Train), len(set.OutOfScopeTrain), len(set.Test), len(set.OutOfScope))
	rep, err := eval.Intent(ctx, set, run)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.io.err, rep.Summary())
	return printJSONLine(opts.io.out, rep)
}
