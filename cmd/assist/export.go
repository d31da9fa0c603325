package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
)

// The export formats.
const (
	formatJSONL = "jsonl"
	formatCSV   = "csv"
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
				opts.format = formatJSONL
				if strings.EqualFold(filepath.Ext(opts.out), ".csv") {
					opts.format = formatCSV
				}
			}
			if opts.format != formatJSONL && opts.format != formatCSV {
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
	since := sinceTime(opts.now, opts.since)
	calls, err := readCalls(ctx, opts.service, "export", since, opts.queue)
	if err != nil {
		return err
	}
	redactCalls(calls, r)
	write := func(w io.Writer) error { return writeCallsJSONL(w, calls) }
	if opts.format == formatCSV {
		write = func(w io.Writer) error { return writeCallsCSV(w, calls) }
	}
	if err := writeOutput(opts.out, opts.io.out, write); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(calls) == 0 {
		fmt.Fprintln(opts.io.err, noCallsLine(since, opts.queue))
		return nil
	}
	turns := 0
	for _, c := range calls {
		turns += len(c.Turns)
	}
	dest := "stdout"
	if opts.out != "" && opts.out != "-" {
		dest = opts.out
	}
	fmt.Fprintf(opts.io.err, "exported %d calls, %d utterances, to %s\n", len(calls), turns, dest)
	return nil
}

// redactCalls removes personal data from what customers and agents said,
// from generated drafts and from the summaries. Knowledge-base answers are
// the center's own text and stay as they are.
func redactCalls(calls []*event.CallRecord, r *redact.Redactor) {
	if r == nil {
		return
	}
	for _, c := range calls {
		c.Summary = r.Redact(c.Summary)
		if w := c.Wrapup; w != nil {
			for _, f := range []*string{&w.Situation, &w.Action, &w.Resolution, &w.Reason} {
				*f = r.Redact(*f)
			}
			for i := range w.Entities {
				w.Entities[i] = r.Redact(w.Entities[i])
			}
		}
		for _, t := range c.Turns {
			t.Text = r.Redact(t.Text)
			for i, s := range t.Suggestions {
				if s.Source == "llm" {
					t.Suggestions[i].Text = r.Redact(s.Text)
				}
			}
		}
	}
}

// noArgs is cobra.NoArgs with a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q: this command takes flags only", args[0])
	}
	return nil
}

// sinceTime is the start of the window that reaches back d from now
// (time.Now when nil); the zero time (everything) when d is 0.
func sinceTime(now func() time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	if now == nil {
		now = time.Now
	}
	return now().Add(-d)
}

// noCallsLine says that the window holds no call.
func noCallsLine(since time.Time, queue string) string {
	what := "no calls"
	if queue != "" {
		what += " in queue " + strconv.Quote(queue)
	}
	if since.IsZero() {
		return what + " in the store"
	}
	return what + " since " + since.Local().Format("2006-01-02 15:04:05 MST")
}

// openCallStore connects to the service's NATS server as the service user
// and binds its event store. Without --nats, the URL is the one the
// running 'assist serve' wrote into --data; without --creds, the service
// user's seed file there is used. The caller closes the connection.
func openCallStore(ctx context.Context, f serviceFlags, name string) (*nats.Conn, *service.Store, error) {
	dir := serveDir(f.data)
	url, err := f.natsURL()
	if err != nil {
		return nil, nil, err
	}
	creds := f.creds
	hint := "pass the service user's seed file with --creds"
	if creds == "" {
		creds = service.Auth{Dir: dir}.CredsPath(service.RoleService, "service")
		hint = "run this on the service's machine with its --data, or pass --creds"
	}
	if _, err := os.Stat(creds); err != nil {
		return nil, nil, fmt.Errorf("service credentials: %w: %s", err, hint)
	}
	// A user without JetStream rights is refused asynchronously: stop
	// waiting for the store's answer as soon as the refusal arrives.
	bindCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	refused := nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			cancel(err)
		}
	})
	// A one-shot read fails rather than waits for a server that went away.
	opts := []nats.Option{nats.NoReconnect(), refused}
	if f.ca != "" {
		opts = append(opts, nats.RootCAs(f.ca))
	}
	nc, err := service.Dial(url, creds, "assist-"+name, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("open the call store with credentials %s: %w", creds, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("open the call store: %w", err)
	}
	store, err := service.BindStore(bindCtx, js)
	if err != nil {
		nc.Close()
		if cause := context.Cause(bindCtx); errors.Is(cause, nats.ErrPermissionViolation) {
			return nil, nil, fmt.Errorf("open the call store at %s with credentials %s: %w: pass the service user's --creds", url, creds, cause)
		}
		return nil, nil, fmt.Errorf("open the call store at %s: %w", url, err)
	}
	return nc, store, nil
}

// readCalls folds the stored events of the calls that started at or after
// since (every stored call when since is zero), in queue when not empty,
// ordered by start time.
func readCalls(ctx context.Context, f serviceFlags, name string, since time.Time, queue string) ([]*event.CallRecord, error) {
	nc, store, err := openCallStore(ctx, f, name)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	calls := map[string]*event.CallRecord{}
	err = store.ReadSince(ctx, since, func(e event.Event) error {
		c := calls[e.CallID]
		if c == nil {
			start, ok := e.Payload.(event.CallStarted)
			if !ok || (queue != "" && start.Queue != queue) {
				// Started before the window, or not asked for.
				return nil
			}
			c = event.NewCallRecord(e.CallID)
			calls[e.CallID] = c
		}
		c.Apply(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the call store: %w", err)
	}
	out := make([]*event.CallRecord, 0, len(calls))
	for _, c := range calls {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *event.CallRecord) int {
		return cmp.Or(a.Started.Compare(b.Started), cmp.Compare(a.CallID, b.CallID))
	})
	return out, nil
}

// writeCallsJSONL writes one JSON object per call.
func writeCallsJSONL(w io.Writer, calls []*event.CallRecord) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range calls {
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("call %s: %w", c.CallID, err)
		}
	}
	return nil
}

// csvHeader names the columns of the CSV export.
var csvHeader = []string{
	"call_id", "queue", "agent", "utterance_id", "speaker", "start", "end", "text", "sentiment",
	"top_suggestion", "top_confidence", "top_source", "top_article", "feedback",
}

// writeCallsCSV writes a header and one row per final utterance, every
// text cell made safe by csvCell.
func writeCallsCSV(w io.Writer, calls []*event.CallRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, c := range calls {
		for _, t := range c.Turns {
			var sentiment, topText, topConf, topSource, topArticle string
			if t.Sentiment != nil {
				sentiment = formatFloat(*t.Sentiment)
			}
			if len(t.Suggestions) > 0 {
				top := t.Suggestions[0]
				topText, topConf, topSource, topArticle = csvCell(top.Text), formatFloat(top.Confidence), csvCell(top.Source), csvCell(top.ArticleID)
			}
			verdicts := make([]string, 0, len(t.Feedback))
			for _, fb := range t.Feedback {
				verdicts = append(verdicts, fb.SuggestionID+"="+fb.Verdict)
			}
			row := []string{
				csvCell(c.CallID), csvCell(c.Queue), csvCell(c.Agent), csvCell(t.UtteranceID), csvCell(string(t.Speaker)),
				formatFloat(t.Start), formatFloat(t.End), csvCell(t.Text), sentiment,
				topText, topConf, topSource, topArticle, csvCell(strings.Join(verdicts, "; ")),
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// csvCell makes a text safe for a CSV cell: invalid UTF-8 becomes U+FFFD,
// control characters other than tab and newline (C0, DEL, C1: ESC, BEL,
// CR, the 8-bit CSI...) are removed, so that printing the file cannot
// drive a terminal; and a cell starting with =, +, -, @ or a tab gets a
// leading ' so that a spreadsheet shows it as text rather than evaluating
// a formula (the OWASP advice on CSV injection).
func csvCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return -1
		}
		return r
	}, s)
	if s != "" && strings.ContainsRune("=+-@\t", rune(s[0])) {
		s = "'" + s
	}
	return s
}

// writeOutput writes with write to stdout when path is empty or "-",
// else to path through a temporary file renamed into place, so a failed
// run never leaves half a file.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	// Call transcripts are personal data: readable by the owner only.
	if err := atomicfile.Write(path, 0o600, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
