package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
)

type evalASROptions struct {
	io       streams
	manifest string
	fsdd     string
	asr      asrFlags
}

func newEvalASRCmd(io streams, runF func(context.Context, *evalASROptions) error) *cobra.Command {
	opts := &evalASROptions{io: io}
	cmd := &cobra.Command{
		Use:     "asr --manifest FILE.tsv | --fsdd DIR",
		Short:   "Measure speech recognition on WAV files with reference transcripts",
		Long:    help("eval-asr"),
		Example: example("eval-asr"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.manifest == "") == (opts.fsdd == "") {
				return usagef("give one of --manifest FILE and --fsdd DIR")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalASR(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.manifest, "manifest", "", "TSV file: WAV path <TAB> reference transcript")
	cmd.Flags().StringVar(&opts.fsdd, "fsdd", "", "Free Spoken Digit Dataset folder (references.tsv and its recordings)")
	opts.asr.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.asr.Digits, "digits", false, "score the digits grammar (number entry) instead of the open language model")
	return cmd
}

func runEvalASR(ctx context.Context, opts *evalASROptions) error {
	items, err := eval.ASRItems(opts.manifest, opts.fsdd)
	if err != nil {
		return err
	}
	rec, err := app.NewRecognizer(opts.asr.config(false), app.NewLogger(opts.io.err, false))
	if err != nil {
		return err
	}
	rep, err := eval.ASR(ctx, rec, items, func(f eval.ASRFile) {
		fmt.Fprintln(opts.io.err, f)
	})
	if err != nil {
		return err
	}
	return printJSONLine(opts.io.out, rep)
}
