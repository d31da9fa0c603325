package main

import (
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/kb/replies"
	"github.com/spf13/cobra"
)

type kbMineOptions struct {
	io       streams
	files    []string
	format   string
	minCount int
	out      string
}

func newKBMineCmd(io streams, runF func(*kbMineOptions) error) *cobra.Command {
	opts := &kbMineOptions{io: io}
	cmd := &cobra.Command{
		Use:     "mine FILE...",
		Short:   "Mine a reply allowlist from the agent turns of past calls",
		Long:    help("kb-mine"),
		Example: example("kb-mine"),
		Args:    minimumArgs(1, "one or more transcript files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			if opts.minCount < 1 {
				return usagef("--min-count must be at least 1, got %d", opts.minCount)
			}
			if _, err := transcriptFormat(opts.format); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runKBMine(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.IntVar(&opts.minCount, "min-count", replies.DefaultMinCount, "keep replies said by at least this many agent turns")
	f.StringVarP(&opts.out, "out", "o", "", "write the allowlist to this file instead of stdout")
	return cmd
}

func runKBMine(opts *kbMineOptions) error {
	format, err := transcriptFormat(opts.format)
	if err != nil {
		return err
	}
	mined, warnings, err := app.MineReplies(opts.files, format, replies.MineOptions{MinCount: opts.minCount})
	for _, w := range warnings {
		fmt.Fprintln(opts.io.err, "assist: warning:", termtext.Sanitize(w.String()))
	}
	if err != nil {
		return err
	}
	// A failed run never leaves a truncated allowlist where the engine
	// would load it.
	err = atomicfile.WriteOutput(opts.out, 0o644, opts.io.out, func(w io.Writer) error { return replies.Write(w, mined.Replies) })
	if err != nil {
		return fmt.Errorf("write allowlist: %w", err)
	}
	fmt.Fprintf(opts.io.err, "mined %d replies from %d agent turns in %d calls\n", len(mined.Replies), mined.AgentTurns, mined.Calls)
	if len(mined.Replies) == 0 {
		fmt.Fprintf(opts.io.err, "no reply was said %d times; add transcripts or lower --min-count\n", opts.minCount)
	}
	return nil
}
