package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalVoiceLoadCmd(io streams, runF func(context.Context, *evalsuite.VoiceLoadOptions) error) *cobra.Command {
	opts := &evalsuite.VoiceLoadOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "voice-load [--calls N] [--concurrent N] [--sweep N,N,...] [--wav FILE]...",
		Short:   "Measure memory and recognition lag under concurrent two-track Twilio calls",
		Long:    help("eval-voice-load"),
		Example: example("eval-voice-load"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Calls < 1 || opts.Concurrent < 1 {
				return usagef("--calls and --concurrent must be at least 1")
			}
			if slices.ContainsFunc(opts.Sweep, func(n int) bool { return n < 1 }) || !slices.IsSorted(opts.Sweep) {
				return usagef("--sweep takes concurrencies of at least 1, in increasing order")
			}
			if len(opts.WAVs) == 1 {
				return usagef("give at least two --wav clips (each party answers the other), or none for the defaults")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.VoiceLoad(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Calls, "calls", 100, "two-track calls to serve")
	f.IntVar(&opts.Concurrent, "concurrent", 8, "calls at a time: each batch ends before the next starts")
	f.IntSliceVar(&opts.Sweep, "sweep", nil, "instead, try these concurrencies in turn (two batches each) and report the most that keep up")
	f.StringArrayVar(&opts.WAVs, "wav", nil, "speech WAV file (repeatable, at least two; default: two LibriVox clips of pocketsphinx-testdata)")
	f.IntVar(&opts.Warm, "warm", 0, "decoders to load before the first call (default two per concurrent call; -1 for none)")
	return cmd
}
