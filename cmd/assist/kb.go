package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/tui"
	"github.com/spf13/cobra"
)

// newKBCmd groups the knowledge-base commands.
func newKBCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kb",
		Short: "Check and search a knowledge base",
	}
	cmd.AddCommand(newKBLintCmd(io, nil), newKBSearchCmd(io, nil))
	return cmd
}

type kbLintOptions struct {
	io  streams
	dir string
}

func newKBLintCmd(io streams, runF func(*kbLintOptions) error) *cobra.Command {
	opts := &kbLintOptions{io: io}
	return &cobra.Command{
		Use:   "lint DIR",
		Short: "Validate the Markdown articles in a folder",
		Long: `Validate every *.md article in DIR: front matter, required fields (id, title,
answer), id syntax and duplicate ids. Every problem is printed as file:line:
message; the exit code is 1 when there is any.`,
		Args: exactArgs(1, "a knowledge-base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runKBLint(opts)
		},
	}
}

func runKBLint(opts *kbLintOptions) error {
	articles, err := kb.LoadDir(opts.dir)
	if err != nil {
		var problems []error
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			problems = joined.Unwrap()
		} else {
			problems = []error{err}
		}
		for _, p := range problems {
			fmt.Fprintln(opts.io.out, tui.Sanitize(p.Error()))
		}
		return fmt.Errorf("%s: %d problem(s)", opts.dir, len(problems))
	}
	fmt.Fprintf(opts.io.out, "%s: %d articles, no problems\n", opts.dir, len(articles))
	return nil
}

type kbSearchOptions struct {
	io    streams
	query string
	kbDir string
	k     int
}

func newKBSearchCmd(io streams, runF func(context.Context, *kbSearchOptions) error) *cobra.Command {
	opts := &kbSearchOptions{io: io}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Show the ranked articles and suggestions for a customer utterance",
		Long: `Search the knowledge base (--kb DIR, or the bundled sample) the way the engine
does for a customer utterance, and print the full-text hits with their scores
and the suggestions the agent would see, or why it would abstain.`,
		Example: `  assist kb search "I lost my debit card"
  assist kb search --kb ./articles -k 10 "why was I charged a fee"`,
		Args: exactArgs(1, "a query in quotes"),
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
	cmd.Flags().StringVar(&opts.kbDir, "kb", "", "knowledge-base folder (default: the bundled sample)")
	cmd.Flags().IntVarP(&opts.k, "k", "k", 5, "how many full-text hits to show")
	return cmd
}

func runKBSearch(ctx context.Context, opts *kbSearchOptions) error {
	index, err := loadIndex(opts.kbDir)
	if err != nil {
		return err
	}
	defer index.Close()
	hits, err := index.Search(ctx, opts.query, opts.k)
	if err != nil {
		return err
	}
	out := opts.io.out
	fmt.Fprintf(out, "full-text hits (%d):\n", len(hits))
	for i, h := range hits {
		fmt.Fprintf(out, "%3d. %7.3f  %-28s %s\n", i+1, h.Score, h.Article.ID, tui.Sanitize(h.Article.Title))
	}
	r, err := newAssistant(index).Ranker.Rank(ctx, []assist.Turn{{Speaker: "customer", Text: opts.query}})
	if err != nil {
		return err
	}
	if r.Abstain {
		fmt.Fprintf(out, "suggestions: none (abstain: %s)\n", r.Reason)
		return nil
	}
	fmt.Fprintln(out, "suggestions:")
	for i, s := range r.Suggestions {
		fmt.Fprintf(out, "%3d. %3.0f%%  %s  %s\n       %s\n", i+1, s.Confidence*100, s.Source, s.ArticleID, tui.Sanitize(s.Text))
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a usage error that says what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d arguments: %s", what, len(args), strings.Join(args, " "))
		}
		return nil
	}
}
