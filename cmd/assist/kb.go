package main

import (
	"github.com/larkspur-labs/assist/engine/app"
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

func newKBLintCmd(io streams, runF func(*app.LintOptions) error) *cobra.Command {
	opts := &app.LintOptions{Out: io.out}
	return &cobra.Command{
		Use:   "lint DIR",
		Short: "Validate the Markdown articles in a folder",
		Long: `Validate every *.md article in DIR: front matter, required fields (id, title,
answer), id syntax and duplicate ids. Every problem is printed as file:line:
message; the exit code is 1 when there is any.`,
		Args: exactArgs(1, "a knowledge-base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return app.LintArticles(opts)
		},
	}
}
