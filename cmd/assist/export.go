package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/spf13/cobra"
)

// defaultSince is how far back export and report look unless told.
const defaultSince = 24 * time.Hour

type exportOptions struct {
	io      streams
	service serviceFlags
	since   time.Duration
	format  string
	queue   string
	out     string
	redact  string
	// now is the clock the --since window is measured from; time.Now
	// when nil.
	now func() time.Time
}

func newExportCmd(io streams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export stored calls with their transcripts and suggestions, as JSONL or CSV",
		Long:  help("export"),
		Example: `  assist export > calls.jsonl
  assist export --since 168h --queue billing --out billing.csv
  assist export --since 0 --format csv --nats nats://10.0.0.5:4222 --creds service.nk`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.since < 0 {
				return usagef("--since must be a duration such as 24h, or 0 for every stored call, got %s", opts.since)
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
	opts.service.register(f)
	f.DurationVar(&opts.since, "since", defaultSince, "export calls that started within this long ago, such as 24h or 90m; 0 for every stored call")
	f.StringVar(&opts.format, "format", "", "jsonl or csv (default: csv when --out ends in .csv, else jsonl)")
	f.StringVar(&opts.queue, "queue", "", "export only the calls of this queue")
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
	since := export.Since(opts.now, opts.since)
	calls, err := app.ReadCalls(ctx, opts.service.address(), "export", since, opts.queue)
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
