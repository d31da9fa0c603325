package main

import (
	"fmt"
	"io"

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
		problems := kb.Problems(err)
		printProblems(opts.io.out, problems)
		return fmt.Errorf("%s: %d problem(s)", opts.dir, len(problems))
	}
	fmt.Fprintf(opts.io.out, "%s: %d articles, no problems\n", opts.dir, len(articles))
	return nil
}

// printProblems prints each problem of a knowledge-base file on its own
// line, file:line: message, as kb lint and kb import report them.
func printProblems(w io.Writer, problems []error) {
	for _, p := range problems {
		fmt.Fprintln(w, termtext.Sanitize(p.Error()))
	}
}
