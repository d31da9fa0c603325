package main

import (
	"errors"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/kb"
	"github.com/spf13/cobra"
)

func newKBImportCmd(io streams, runF func(*app.ImportOptions) error) *cobra.Command {
	opts := &app.ImportOptions{Out: io.out}
	cmd := &cobra.Command{
		Use:     "import FILE",
		Short:   "Turn an FAQ table or the ABCD guidelines into Markdown articles",
		Long:    help("kb-import"),
		Example: example("kb-import"),
		Args:    exactArgs(1, "a file to import"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Format != "" && !slices.Contains(kb.ImportFormats, opts.Format) {
				return usagef("--format must be one of %s, got %q", strings.Join(kb.ImportFormats, ", "), opts.Format)
			}
			if opts.OutDir == "" {
				return usagef("--out DIR is required: the folder to write the articles to")
			}
			if runF != nil {
				return runF(opts)
			}
			err := app.ImportArticles(opts)
			if errors.Is(err, kb.ErrUnknownFormat) {
				return usagef("cannot tell the format of %s: pass --format %s", opts.File, strings.Join(kb.ImportFormats, "|"))
			}
			return err
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "", "input format: "+strings.Join(kb.ImportFormats, ", ")+" (default: detect)")
	cmd.Flags().StringVar(&opts.OutDir, "out", "", "folder to write the articles to (created if missing)")
	return cmd
}
