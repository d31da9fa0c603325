package evalsuite

import (
	"context"
	"io"

	"github.com/larkspur-labs/assist/internal/atomicfile"
)

// AllOptions configure 'assist eval all': the suite's Options, with its
// progress on Options.Progress.
type AllOptions struct {
	Options
	// JSON is a file the rows are also written to, with the figures
	// behind them; none when empty.
	JSON string
	// Out receives the table.
	Out io.Writer
}

// All runs the suite (see Run) and prints the rows it computed as a
// Markdown table, and to o.JSON, even when a group failed; the error is
// Run's.
func All(ctx context.Context, o *AllOptions) error {
	rows, err := Run(ctx, o.Options)
	if len(rows) > 0 {
		if werr := WriteMarkdown(o.Out, rows); werr != nil {
			return werr
		}
	}
	if o.JSON != "" {
		if werr := atomicfile.Write(o.JSON, 0o644, func(w io.Writer) error { return WriteJSON(w, rows) }); werr != nil {
			return werr
		}
	}
	return err
}
