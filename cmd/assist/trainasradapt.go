package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newTrainASRAdaptCmd(io streams, runF func(context.Context, *evalsuite.TrainASRAdaptOptions) error) *cobra.Command {
	opts := &evalsuite.TrainASRAdaptOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "asr-adapt --fsdd DIR --out FILE",
		Short:   "Train the digits grammar's adaptation to 8 kHz telephone speech on FSDD",
		Long:    help("train-asr-adapt"),
		Example: example("train-asr-adapt"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.FSDD == "" || opts.Output == "" {
				return usagef("--fsdd and --out are required")
			}
			if opts.Passes < 1 {
				return usagef("--passes must be at least 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.TrainASRAdapt(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.FSDD, "fsdd", "", "Free Spoken Digit Dataset folder (references.tsv and its recordings)")
	f.StringVar(&opts.Output, "out", "", "MLLR transform file to write")
	f.IntVar(&opts.Passes, "passes", evalsuite.DefaultAdaptPasses, "times the transform is estimated, each under the model the last one adapted")
	f.StringVar(&opts.Work, "work", "", "keep sphinxtrain's features, counts and logs in this folder (default: a temporary one)")
	return cmd
}
