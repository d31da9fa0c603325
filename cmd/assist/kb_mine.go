package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/kb/replies"
	"github.com/spf13/cobra"
)

type kbMineOptions struct {
	app.MineOptions
	format string
}

func newKBMineCmd(io streams, runF func(*kbMineOptions) error) *cobra.Command {
	opts := &kbMineOptions{MineOptions: app.MineOptions{Out: io.out, ErrOut: io.err}}
	cmd := &cobra.Command{
		Use:     "mine FILE...",
		Short:   "Mine a reply allowlist from the agent turns of past calls",
		Long:    help("kb-mine"),
		Example: example("kb-mine"),
		Args:    minimumArgs(1, "one or more transcript files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.MinCount < 1 {
				return usagef("--min-count must be at least 1, got %d", opts.MinCount)
			}
			format, err := transcriptFormat(opts.format)
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(opts)
			}
			return app.MineAllowlist(&opts.MineOptions)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.IntVar(&opts.MinCount, "min-count", replies.DefaultMinCount, "keep replies said by at least this many agent turns")
	f.StringVarP(&opts.Output, "out", "o", "", "write the allowlist to this file instead of stdout")
	return cmd
}
