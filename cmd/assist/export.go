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
	"github.com/larkspur-labs/assist/engine/event"
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
		Long: `Read the calls that started in the last --since from a running service's event
store and write them to stdout or --out. It is an operator's tool for the service
machine: it connects as the service user, with the URL and credentials 'assist
serve' left in --data, or with --nats and --creds.

--format jsonl (the default, unless --out ends in .csv) writes one JSON object
per call, ordered by start time:

  call_id, queue, agent, customer, channel, title (when set),
  started, ended (RFC 3339, UTC; ended is null while the call is live),
  duration_s (wall-clock seconds from start to end; null while live),
  end_reason, disposition, summary,
  sentiment (the customer's final rolling score, -1..1; null without one),
  alerts: [{type, severity, reason, utterance_id}],
  turns: [{utterance_id, speaker, text, start, end, source,
           and on customer turns: sentiment, emotions {name: weight},
           suggestions [{id, text, confidence, source, article_id, title}],
           abstain and abstain_reason when nothing was suggested,
           feedback [{suggestion_id, article_id, verdict}]}],
  unmatched_feedback: feedback naming no suggestion the call showed (when any).

Only final utterances are turns; start and end are offsets in seconds from the
start of the call. Feedback goes to the turn it names by utterance id, else to
the latest turn that showed its suggestion.

--format csv writes a header and one row per final utterance:

  call_id, queue, agent, utterance_id, speaker, start, end, text, sentiment,
  top_suggestion, top_confidence, top_source, top_article, feedback

where sentiment is the customer turn's score, top_* describe the first
suggestion shown for the turn (top_article is its article id) and feedback lists
the verdicts on the turn's suggestions as "suggestion_id=verdict" joined by "; ".

Personal data (card numbers, IBANs, SSNs, phone numbers, e-mail addresses,
dates of birth, account numbers) is replaced by placeholders such as [CARD] in
what was said, in drafts and in summaries; --redact chooses the kinds, or none.
Otherwise text is exported as stored, except that CSV cells never hold control
characters other than tab and newline: escape sequences such as ESC and other
C0/C1 controls are removed (and invalid UTF-8 replaced by U+FFFD), so neither a
spreadsheet nor 'cat' of the file can be hijacked by what a customer typed, and
a cell that would start with =, +, -, @ or a tab is prefixed with ' so a
spreadsheet shows it as text instead of running it as a formula. JSONL escapes
control characters itself.

A call is exported when its call.started event is in the window; a call that
started earlier is left out even when it went on inside the window.`,
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
	calls, err := readCalls(ctx, opts.service, "export", since, opts.queue)
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

// readCalls reads the calls that started at or after since (every stored
// call when since is zero), in queue when not empty, from the store of the
// service the flags point at, connecting as name.
func readCalls(ctx context.Context, f serviceFlags, name string, since time.Time, queue string) ([]*event.CallRecord, error) {
	store, err := app.OpenCallStore(ctx, f.address(), name)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return export.ReadCalls(ctx, store, since, queue)
}
