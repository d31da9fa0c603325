package main

import (
	"context"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

func newKBSearchCmd(io streams, runF func(context.Context, *app.SearchOptions) error) *cobra.Command {
	opts := &app.SearchOptions{Out: io.out, ErrOut: io.err}
	kb := (*kbFlags)(&opts.KB)
	cmd := &cobra.Command{
		Use:     "search QUERY",
		Short:   "Show the ranked articles and suggestions for a customer utterance",
		Long:    help("kb-search"),
		Example: example("kb-search"),
		Args:    exactArgs(1, "a query in quotes"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			if opts.K < 1 {
				return usagef("-k must be at least 1")
			}
			opts.KB = kb.config()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return app.SearchArticles(cmd.Context(), opts)
		},
	}
	kb.register(cmd.Flags())
	cmd.Flags().IntVarP(&opts.K, "k", "k", 5, "how many candidate articles to show")
	return cmd
}
