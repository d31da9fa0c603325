package app

import (
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/kb"
)

// LintOptions configure 'assist kb lint'.
type LintOptions struct {
	// Dir is the folder of Markdown articles to check.
	Dir string
	// Out receives the problems, or the line saying there are none.
	Out io.Writer
}

// LintArticles checks every article in o.Dir and prints each problem as
// file:line: message; it fails when there is any.
func LintArticles(o *LintOptions) error {
	articles, err := kb.LoadDir(o.Dir)
	if err != nil {
		problems := kb.Problems(err)
		printProblems(o.Out, problems)
		return fmt.Errorf("%s: %d problem(s)", o.Dir, len(problems))
	}
	fmt.Fprintf(o.Out, "%s: %d articles, no problems\n", o.Dir, len(articles))
	return nil
}

// ImportOptions configure 'assist kb import'.
type ImportOptions struct {
	// File is the FAQ table or the ABCD guidelines to import.
	File string
	// Format is one of kb.ImportFormats; detected from the file when
	// empty.
	Format string
	// OutDir is the folder the articles are written to.
	OutDir string
	// Out receives the problems, or the line saying what was imported.
	Out io.Writer
}

// ImportArticles turns o.File into Markdown articles in o.OutDir. When the
// file has several problems it prints them all and writes nothing. A file
// whose format cannot be told returns an error wrapping
// kb.ErrUnknownFormat.
func ImportArticles(o *ImportOptions) error {
	articles, err := kb.ImportFile(o.File, o.Format)
	if problems := kb.Problems(err); len(problems) > 1 {
		printProblems(o.Out, problems)
		return fmt.Errorf("%s: %d problem(s), nothing imported", o.File, len(problems))
	}
	if err != nil {
		return err
	}
	if err := kb.WriteDir(o.OutDir, articles); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "imported %d articles into %s\n", len(articles), o.OutDir)
	return nil
}

// printProblems prints each problem of a knowledge-base file on its own
// line, file:line: message, as kb lint and kb import report them.
func printProblems(w io.Writer, problems []error) {
	for _, p := range problems {
		fmt.Fprintln(w, termtext.Sanitize(p.Error()))
	}
}
