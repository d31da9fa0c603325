package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/spf13/cobra"
)

type exportOptions struct {
	io streams
	storeFlags
	format string
	out    string
	redact string
}

func newExportCmd(io streams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{io: io}
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export stored calls with their transcripts and suggestions, as JSONL or CSV",
		Long:    help("export"),
		Example: example("export"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if opts.format == "" {
				opts.format = export.FormatJSONL
				if strings.EqualFold(filepath.Ext(opts.out), ".csv") {
					opts.format = export.FormatCSV
				}
			}
			if opts.format != export.FormatJSONL && opts.format != export.FormatCSV {
				return usagef("unknown --format %q: want jsonl or csv", opts.format)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.storeFlags.register(f, "export", "export only the calls of this queue")
	f.StringVar(&opts.format, "format", "", "jsonl or csv (default: csv when --out ends in .csv, else jsonl)")
	f.StringVarP(&opts.out, "out", "o", "", "write to this file instead of stdout")
	f.StringVar(&opts.redact, "redact", "all", "personal data removed from the exported text: all, none, or a list of card,iban,ssn,phone,email,dob,account")
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	var r *redact.Redactor // nil redacts nothing
	if opts.redact != "none" {
		kinds, err := redact.ParseKinds(opts.redact)
		if err != nil {
			return usagef("--redact: %v", err)
		}
		if r, err = redact.New(redact.Config{Kinds: kinds}); err != nil {
			return err
		}
	}
	calls, since, err := opts.read(ctx, "export")
	if err != nil {
		return err
	}
	export.Redact(calls, r)
	// Call transcripts are personal data: the file is its owner's only.
	if err := atomicfile.WriteOutput(opts.out, 0o600, opts.io.out, func(w io.Writer) error { return export.Write(w, opts.format, calls) }); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(calls) == 0 {
		fmt.Fprintln(opts.io.err, export.NoCallsLine(since, opts.queue))
		return nil
	}
	dest := "stdout"
	if opts.out != "" && opts.out != "-" {
		dest = opts.out
	}
	fmt.Fprintf(opts.io.err, "exported %d calls, %d utterances, to %s\n", len(calls), export.Turns(calls), dest)
	return nil
}
