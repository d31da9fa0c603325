package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/kb"
	"github.com/spf13/cobra"
)

// newKBCmd groups the knowledge-base commands.
func newKBCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kb",
		Short: "Check, import, index and search a knowledge base",
	}
	cmd.AddCommand(newKBLintCmd(io, nil), newKBSearchCmd(io, nil), newKBIndexCmd(io, nil),
		newKBImportCmd(io, nil), newKBMineCmd(io, nil))
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
			fmt.Fprintln(opts.io.out, termtext.Sanitize(p.Error()))
		}
		return fmt.Errorf("%s: %d problem(s)", opts.dir, len(problems))
	}
	fmt.Fprintf(opts.io.out, "%s: %d articles, no problems\n", opts.dir, len(articles))
	return nil
}

type kbSearchOptions struct {
	io    streams
	query string
	kb    kbFlags
	k     int
}

func newKBSearchCmd(io streams, runF func(context.Context, *kbSearchOptions) error) *cobra.Command {
	opts := &kbSearchOptions{io: io}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Show the ranked articles and suggestions for a customer utterance",
		Long: `Rank the knowledge base (--kb DIR, or the bundled sample) the way the engine
does for a customer utterance. It prints every candidate article with its
fused confidence and what each source gave it (intent model, full text,
dense embeddings when configured), then the suggestions the agent would see,
or why it would abstain.`,
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
	opts.kb.register(cmd.Flags())
	cmd.Flags().IntVarP(&opts.k, "k", "k", 5, "how many candidate articles to show")
	return cmd
}

func runKBSearch(ctx context.Context, opts *kbSearchOptions) error {
	k, err := opts.kb.open(ctx, newLogger(opts.io.err, false))
	if err != nil {
		return err
	}
	defer k.Close()
	turns := []string{opts.query}
	cands, err := k.retriever.Retrieve(ctx, turns, opts.k)
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
	r, err := k.ranker().Rank(ctx, []assist.Turn{{Speaker: "customer", Text: opts.query}})
	if err != nil {
		return err
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

type kbIndexOptions struct {
	io streams
	kb kbFlags
}

func newKBIndexCmd(io streams, runF func(context.Context, *kbIndexOptions) error) *cobra.Command {
	opts := &kbIndexOptions{io: io}
	cmd := &cobra.Command{
		Use:   "index DIR",
		Short: "Build the knowledge base's search index and models",
		Long: `Validate the articles in DIR, then build their full-text index and train
their intent model, and the sentence encoder's classifier when the encoder is
installed, into the data folder's cache, keyed by a fingerprint of the
articles. Commands that use the knowledge base load the cache when the
articles have not changed and rebuild it when they have; running this first
moves that work out of the first call.`,
		Args: exactArgs(1, "a knowledge-base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.kb.dir = args[0]
			if opts.kb.data == "" {
				return usagef("--data is required (no home folder to default to)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKBIndex(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.kb.data, "data", defaultDataDir(), "data folder ($ASSIST_DATA)")
	cmd.Flags().StringVar(&opts.kb.encoder, "encoder", defaultEncoderDir(), encoderUsage)
	return cmd
}

func runKBIndex(ctx context.Context, opts *kbIndexOptions) error {
	start := time.Now()
	k, err := opts.kb.open(ctx, newLogger(opts.io.err, false))
	if err != nil {
		return err
	}
	defer k.Close()
	state := "up to date"
	if k.base.Built {
		state = "built"
	}
	fmt.Fprintf(opts.io.out, "%s: %s in %.1fs (fingerprint %s, cache %s)\n",
		opts.kb.dir, k.status(), time.Since(start).Seconds(), k.base.Fingerprint, state)
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
