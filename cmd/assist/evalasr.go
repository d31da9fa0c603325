package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalASRCmd(io streams, runF func(context.Context, *evalsuite.ASROptions) error) *cobra.Command {
	opts := &evalsuite.ASROptions{Out: io.out, ErrOut: io.err}
	asr := (*asrFlags)(&opts.ASR)
	cmd := &cobra.Command{
		Use:     "asr --manifest FILE.tsv | --fsdd DIR",
		Short:   "Measure speech recognition on WAV files with reference transcripts",
		Long:    help("eval-asr"),
		Example: example("eval-asr"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.Manifest == "") == (opts.FSDD == "") {
				return usagef("give one of --manifest FILE and --fsdd DIR")
			}
			opts.ASR = asr.config(false)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.ASR(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Manifest, "manifest", "", "TSV file: WAV path <TAB> reference transcript")
	cmd.Flags().StringVar(&opts.FSDD, "fsdd", "", "Free Spoken Digit Dataset folder (references.tsv and its recordings)")
	asr.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.ASR.Digits, "digits", false, "score the digits grammar (number entry) instead of the open language model")
	cmd.Flags().StringVar(&opts.ASR.DigitsAdapt, "digits-adapt", "", "the digits grammar's MLLR transform: a file, or off (default: the one shipped for telephone speech)")
	return cmd
}
