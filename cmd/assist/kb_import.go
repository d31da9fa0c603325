package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/kb"
	"github.com/spf13/cobra"
)

type kbImportOptions struct {
	io     streams
	file   string
	format string // "" to detect
	outDir string
}

func newKBImportCmd(io streams, runF func(*kbImportOptions) error) *cobra.Command {
	opts := &kbImportOptions{io: io}
	cmd := &cobra.Command{
		Use:     "import FILE",
		Short:   "Turn an FAQ table or the ABCD guidelines into Markdown articles",
		Long:    help("kb-import"),
		Example: example("kb-import"),
		Args:    exactArgs(1, "a file to import"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			if opts.format != "" && !slices.Contains(kb.ImportFormats, opts.format) {
				return usagef("--format must be one of %s, got %q", strings.Join(kb.ImportFormats, ", "), opts.format)
			}
			if opts.outDir == "" {
				return usagef("--out DIR is required: the folder to write the articles to")
			}
			if runF != nil {
				return runF(opts)
			}
			return runKBImport(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "", "input format: "+strings.Join(kb.ImportFormats, ", ")+" (default: detect)")
	cmd.Flags().StringVar(&opts.outDir, "out", "", "folder to write the articles to (created if missing)")
	return cmd
}

func runKBImport(opts *kbImportOptions) error {
	articles, err := kb.ImportFile(opts.file, opts.format)
	if errors.Is(err, kb.ErrUnknownFormat) {
		return usagef("cannot tell the format of %s: pass --format %s", opts.file, strings.Join(kb.ImportFormats, "|"))
	}
	if problems := kb.Problems(err); len(problems) > 1 {
		printProblems(opts.io.out, problems)
		return fmt.Errorf("%s: %d problem(s), nothing imported", opts.file, len(problems))
	}
	if err != nil {
		return err
	}
	if err := kb.WriteDir(opts.outDir, articles); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.out, "imported %d articles into %s\n", len(articles), opts.outDir)
	return nil
}
