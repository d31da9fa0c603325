package main

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/spf13/cobra"
)

type exportOptions struct {
	app.ExportOptions
	redact string
}

func newExportCmd(io streams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{ExportOptions: app.ExportOptions{Out: io.out, ErrOut: io.err}}
	store := (*storeFlags)(&opts.StoredCalls)
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export stored calls with their transcripts and suggestions, as JSONL or CSV",
		Long:    help("export"),
		Example: example("export"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := store.check(); err != nil {
				return err
			}
			if opts.Format == "" {
				opts.Format = export.FormatJSONL
				if strings.EqualFold(filepath.Ext(opts.Output), ".csv") {
					opts.Format = export.FormatCSV
				}
			}
			if opts.Format != export.FormatJSONL && opts.Format != export.FormatCSV {
				return usagef("unknown --format %q: want jsonl or csv", opts.Format)
			}
			if opts.redact != "none" {
				kinds, err := redact.ParseKinds(opts.redact)
				if err != nil {
					return usagef("--redact: %v", err)
				}
				opts.Redact = kinds
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return app.Export(cmd.Context(), &opts.ExportOptions)
		},
	}
	f := cmd.Flags()
	store.register(f, "export", "export only the calls of this queue")
	f.StringVar(&opts.Format, "format", "", "jsonl or csv (default: csv when --out ends in .csv, else jsonl)")
	f.StringVarP(&opts.Output, "out", "o", "", "write to this file instead of stdout")
	f.StringVar(&opts.redact, "redact", "all", "personal data removed from the exported text: all, none, or a list of card,iban,ssn,phone,email,dob,account")
	return cmd
}
