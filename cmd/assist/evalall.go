package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/evalsuite"
	"github.com/larkspur-labs/assist/internal/atomicfile"
)

// defaultDataSets is where the public data sets sit beside the repository.
const defaultDataSets = "../shared/data"

type evalAllOptions struct {
	io      streams
	data    string
	json    string
	encoder string
	only    []string
}

func newEvalAllCmd(io streams, runF func(context.Context, *evalAllOptions) error) *cobra.Command {
	opts := &evalAllOptions{io: io}
	cmd := &cobra.Command{
		Use:     "all [--data DIR] [--json FILE]",
		Short:   "Run every evaluation behind the README's tables and print one table",
		Long:    fmt.Sprintf(help("eval-all"), strings.Join(evalsuite.Groups(), ", ")),
		Example: example("eval-all"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := evalsuite.CheckGroups(opts.only); err != nil {
				return usagef("--only: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalAll(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.data, "data", defaultDataSets, "folder of the public data sets")
	f.StringVar(&opts.json, "json", "", "also write the rows, with the figures behind them, to this JSON file")
	f.StringVar(&opts.encoder, "encoder", app.DefaultEncoderDir(), "folder of the sentence encoder (required)")
	f.StringSliceVar(&opts.only, "only", nil, "run only these groups (comma-separated)")
	return cmd
}

func runEvalAll(ctx context.Context, opts *evalAllOptions) error {
	rows, err := evalsuite.Run(ctx, evalsuite.Options{Data: opts.data, Encoder: opts.encoder, Groups: opts.only, Progress: opts.io.err})
	if len(rows) > 0 {
		if werr := evalsuite.WriteMarkdown(opts.io.out, rows); werr != nil {
			return werr
		}
	}
	if opts.json != "" {
		if werr := atomicfile.Write(opts.json, 0o644, func(w io.Writer) error { return evalsuite.WriteJSON(w, rows) }); werr != nil {
			return werr
		}
	}
	return err
}
