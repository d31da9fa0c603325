package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/kb"
	"github.com/spf13/cobra"
)

// importFormats are the values of kb import --format.
var importFormats = []string{"faq-csv", "faq-jsonl", "abcd"}

type kbImportOptions struct {
	io     streams
	file   string
	format string // "" to detect
	outDir string
}

func newKBImportCmd(io streams, runF func(*kbImportOptions) error) *cobra.Command {
	opts := &kbImportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Turn an FAQ table or the ABCD guidelines into Markdown articles",
		Long: `Import FILE into a folder of Markdown articles that kb lint, kb search and the
engine read. Formats:

  faq-csv    CSV with a header: question (or instruction, utterance, text),
             answer (or response), optional intent (or label), category, lang.
             Rows with the same intent become one article.
  faq-jsonl  the same as one JSON object per line.
  abcd       ASAPP ABCD guidelines.json: one article per subflow, its buttons
             as actions.

Without --format the format comes from the extension (.csv, .jsonl) or, for
JSON, from the content. Existing files in DIR are never overwritten; importing
the same file twice is harmless.`,
		Example: `  assist kb import faqs.csv --out ./articles
  assist kb import guidelines.json --format abcd --out ./articles`,
		Args: exactArgs(1, "a file to import"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			if opts.format != "" && !slices.Contains(importFormats, opts.format) {
				return usagef("--format must be one of %s, got %q", strings.Join(importFormats, ", "), opts.format)
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
	cmd.Flags().StringVar(&opts.format, "format", "", "input format: "+strings.Join(importFormats, ", ")+" (default: detect)")
	cmd.Flags().StringVar(&opts.outDir, "out", "", "folder to write the articles to (created if missing)")
	return cmd
}

func runKBImport(opts *kbImportOptions) error {
	f, err := os.Open(opts.file)
	if err != nil {
		return err
	}
	defer f.Close()
	format := opts.format
	if format == "" {
		if format, err = detectImportFormat(f); err != nil {
			return err
		}
	}
	articles, err := importArticles(f, opts.file, format)
	if err != nil {
		return reportProblems(opts.io.out, opts.file, err)
	}
	if err := kb.WriteDir(opts.outDir, articles); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.out, "imported %d articles into %s\n", len(articles), opts.outDir)
	return nil
}

// importArticles reads f with the importer of format.
func importArticles(f io.Reader, name, format string) ([]kb.Article, error) {
	switch format {
	case "faq-csv":
		return kb.ImportFAQ(name, f, "csv")
	case "faq-jsonl":
		return kb.ImportFAQ(name, f, "jsonl")
	default:
		return kb.ImportABCD(name, f)
	}
}

// reportProblems prints every problem of an import on its own line, as kb
// lint does, and returns the error that sets the exit code.
func reportProblems(w io.Writer, file string, err error) error {
	problems := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		problems = joined.Unwrap()
	}
	if len(problems) == 1 {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(w, termtext.Sanitize(p.Error()))
	}
	return fmt.Errorf("%s: %d problem(s), nothing imported", file, len(problems))
}

// detectImportFormat tells the format of f from its extension or, for
// anything else, from whether it starts like the ABCD guidelines. It leaves
// f at its start.
func detectImportFormat(f *os.File) (string, error) {
	switch strings.ToLower(filepath.Ext(f.Name())) {
	case ".csv":
		return "faq-csv", nil
	case ".jsonl", ".ndjson":
		return "faq-jsonl", nil
	}
	abcd := datasets.IsABCDGuidelines(f)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if !abcd {
		return "", usagef("cannot tell the format of %s: pass --format %s", f.Name(), strings.Join(importFormats, "|"))
	}
	return "abcd", nil
}
