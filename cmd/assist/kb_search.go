package main

import (
	"context"
	"fmt"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/spf13/cobra"
)

type kbSearchOptions struct {
	io    streams
	query string
	kb    kbFlags
	k     int
}

func newKBSearchCmd(io streams, runF func(context.Context, *kbSearchOptions) error) *cobra.Command {
	opts := &kbSearchOptions{io: io}
	cmd := &cobra.Command{
		Use:     "search QUERY",
		Short:   "Show the ranked articles and suggestions for a customer utterance",
		Long:    help("kb-search"),
		Example: example("kb-search"),
		Args:    exactArgs(1, "a query in quotes"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.query = args[0]
			if opts.k < 1 {
				return usagef("-k must be at least 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKBSearch(cmd.Context(), opts)
		},
	}
	opts.kb.register(cmd.Flags())
	cmd.Flags().IntVarP(&opts.k, "k", "k", 5, "how many candidate articles to show")
	return cmd
}

func runKBSearch(ctx context.Context, opts *kbSearchOptions) error {
	k, err := app.OpenKnowledge(ctx, app.Config{KB: opts.kb.config(), Logger: app.NewLogger(opts.io.err, false), Notices: opts.io.err})
	if err != nil {
		return err
	}
	defer k.Close()
	cands, r, err := k.Search(ctx, opts.query, opts.k)
	if err != nil {
		return err
	}
	out := opts.io.out
	fmt.Fprintf(out, "candidates (%d):\n", len(cands))
	fmt.Fprintf(out, "%4s %6s  %6s %6s %6s  %-28s %s\n", "", "conf", "intent", "text", "dense", "article", "title")
	for i, c := range cands {
		title := termtext.Sanitize(c.Article.Title)
		if c.Article.OutOfScope {
			title += " (out of scope)"
		}
		fmt.Fprintf(out, "%3d. %5.1f%%  %6.3f %6.3f %6.3f  %-28s %s\n", i+1, c.Confidence*100,
			c.Intent, c.FullText, c.Dense, c.Article.ID, title)
	}
	if r.Abstain {
		fmt.Fprintf(out, "suggestions: none (abstain: %s)\n", r.Reason)
		return nil
	}
	fmt.Fprintln(out, "suggestions:")
	for i, s := range r.Suggestions {
		id := s.ArticleID
		if id == "" {
			id = s.ID
		}
		fmt.Fprintf(out, "%3d. %3.0f%%  %-7s %s\n       %s\n", i+1, s.Confidence*100, s.Source, id, termtext.Sanitize(s.Text))
	}
	return nil
}
