package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalASRAdaptCmd(io streams, runF func(context.Context, *evalsuite.ASRAdaptOptions) error) *cobra.Command {
	opts := &evalsuite.ASRAdaptOptions{Out: io.out, ErrOut: io.err}
	var recordings string
	cmd := &cobra.Command{
		Use:     "asr-adapt --fsdd DIR",
		Short:   "Cross-validate the digits grammar's telephone adaptation by speaker on FSDD",
		Long:    help("eval-asr-adapt"),
		Example: example("eval-asr-adapt"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.FSDD == "" {
				return usagef("--fsdd is required")
			}
			if opts.Passes < 1 {
				return usagef("--passes must be at least 1")
			}
			if _, err := fmt.Sscanf(recordings, "%d-%d", &opts.First, &opts.Last); err != nil || opts.First < 0 || opts.Last < opts.First {
				return usagef("--recordings wants FIRST-LAST, such as 5-49, not %q", recordings)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.ASRAdapt(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.FSDD, "fsdd", "", "Free Spoken Digit Dataset folder (references.tsv and its recordings)")
	f.IntVar(&opts.Passes, "passes", evalsuite.DefaultAdaptPasses, "times each fold's transform is estimated")
	f.StringVar(&recordings, "recordings", "0-49", "the recordings scored, by the index ending their names (training takes every recording of the other speakers)")
	f.BoolVar(&opts.Open, "open", false, "also score the open language model (slow: a new decoder per recording)")
	f.IntVar(&opts.Jobs, "jobs", 2, "recordings decoded at once")
	f.StringVar(&opts.Work, "work", "", "keep sphinxtrain's features, counts and logs in this folder (default: a temporary one)")
	return cmd
}
