package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/internal/termtext"
)

type reportOptions struct {
	io      streams
	service serviceFlags
	since   time.Duration
	queue   string
	json    bool
	// now is the clock the --since window is measured from; time.Now
	// when nil.
	now func() time.Time
}

func newReportCmd(io streams, runF func(context.Context, *reportOptions) error) *cobra.Command {
	opts := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Summarise the stored calls per queue: volume, handling time, sentiment, intents, acceptance",
		Long: `Read the calls that started in the last --since from a running service's event
store and summarise them per queue. Like 'assist export' it runs on the service
machine as the service user (or with --nats and --creds).

For each queue:

  calls            calls that started in the window
  ended            those that have ended
  AHT              average handling time: the mean wall-clock duration of the
                   ended calls, mm:ss
  neg/neu/pos      the share of calls whose customer's final rolling
                   sentiment is negative (< -0.2), neutral or positive (> 0.2),
                   among the calls with a customer sentiment
  suggested        suggestions events that did not abstain
  accepted         feedback with verdict used or helpful, over suggested
  top intents      the article title of the top suggestion of each customer
                   turn that did not abstain: the 5 most frequent, with counts
  feedback         feedback events by verdict
  alerts           alerts by type

The default output is an aligned text table with a detail block per queue. With
--json it is a JSON list with one object per queue, ordered by queue name:

  {"queue", "calls", "ended_calls",
   "aht_s" (seconds, null when no call ended), "aht" ("mm:ss", "" when none),
   "sentiment": {"scored_calls", "negative", "neutral", "positive"} (shares 0..1),
   "top_intents": [{"title", "count"}],
   "suggestions", "feedback": {"used", "helpful", "not_helpful"},
   "acceptance_rate" (0..1, null without suggestions),
   "alerts": {type: count}}

With no call in the window it says so ("no calls since ..."; with --json, []
on stdout and that line on stderr) and exits 0.`,
		Example: `  assist report
  assist report --since 168h --queue billing
  assist report --since 0 --json | jq '.[] | {queue, acceptance_rate}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.since < 0 {
				return usagef("--since must be a duration such as 24h, or 0 for every stored call, got %s", opts.since)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.service.register(f)
	f.DurationVar(&opts.since, "since", defaultSince, "count calls that started within this long ago, such as 24h or 90m; 0 for every stored call")
	f.StringVar(&opts.queue, "queue", "", "report on this queue only")
	f.BoolVar(&opts.json, "json", false, "print a JSON list, one object per queue")
	return cmd
}

func runReport(ctx context.Context, opts *reportOptions) error {
	since := sinceTime(opts.now, opts.since)
	calls, err := readCalls(ctx, opts.service, "report", since, opts.queue)
	if err != nil {
		return err
	}
	queues := buildReport(calls)
	if opts.json {
		if len(queues) == 0 {
			fmt.Fprintln(opts.io.err, noCallsLine(since, opts.queue))
		}
		enc := json.NewEncoder(opts.io.out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(queues); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	if len(queues) == 0 {
		fmt.Fprintln(opts.io.out, noCallsLine(since, opts.queue))
		return nil
	}
	if err := writeReportText(opts.io.out, queues, since); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Sentiment bands: a call's final customer rolling score below
// negativeBelow is negative, above positiveAbove positive.
const (
	negativeBelow = -0.2
	positiveAbove = 0.2
)

// topIntents is how many intents a queue's report lists.
const topIntents = 5

// queueReport is one queue's figures.
type queueReport struct {
	Queue string `json:"queue"`
	Calls int    `json:"calls"`
	Ended int    `json:"ended_calls"`
	// AHTSeconds is the mean duration of the ended calls; AHT the same
	// as mm:ss.
	AHTSeconds *float64       `json:"aht_s"`
	AHT        string         `json:"aht"`
	Sentiment  sentimentShare `json:"sentiment"`
	TopIntents []intentCount  `json:"top_intents"`
	// Suggestions counts the suggestions events that did not abstain.
	Suggestions int            `json:"suggestions"`
	Feedback    map[string]int `json:"feedback"`
	// AcceptanceRate is used + helpful feedback over Suggestions.
	AcceptanceRate *float64       `json:"acceptance_rate"`
	Alerts         map[string]int `json:"alerts"`
}

// sentimentShare splits the calls with a customer sentiment into bands,
// as shares of Scored.
type sentimentShare struct {
	Scored   int     `json:"scored_calls"`
	Negative float64 `json:"negative"`
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
}

// intentCount is how often an article topped the suggestions.
type intentCount struct {
	Title string `json:"title"`
	Count int    `json:"count"`
}

// buildReport counts the calls per queue, ordered by queue name.
func buildReport(calls []*event.CallRecord) []queueReport {
	byQueue := map[string][]*event.CallRecord{}
	for _, c := range calls {
		byQueue[c.Queue] = append(byQueue[c.Queue], c)
	}
	out := make([]queueReport, 0, len(byQueue))
	for q, cs := range byQueue {
		out = append(out, queueFigures(q, cs))
	}
	slices.SortFunc(out, func(a, b queueReport) int { return cmp.Compare(a.Queue, b.Queue) })
	return out
}

// queueFigures counts one queue's calls.
func queueFigures(queue string, calls []*event.CallRecord) queueReport {
	r := queueReport{
		Queue: queue, Calls: len(calls),
		Feedback: map[string]int{event.VerdictUsed: 0, event.VerdictHelpful: 0, event.VerdictNotHelpful: 0},
		Alerts:   map[string]int{},
	}
	var handled float64
	var neg, neu, pos int
	intents := map[string]int{}
	for _, c := range calls {
		if c.DurationS != nil {
			r.Ended++
			handled += *c.DurationS
		}
		switch {
		case c.Sentiment == nil:
		case *c.Sentiment < negativeBelow:
			neg++
		case *c.Sentiment > positiveAbove:
			pos++
		default:
			neu++
		}
		for _, title := range c.TopIntents {
			intents[title]++
		}
		r.Suggestions += c.Suggested
		for v, n := range c.Verdicts {
			r.Feedback[v] += n
		}
		for _, a := range c.Alerts {
			r.Alerts[a.Type]++
		}
	}
	if r.Ended > 0 {
		aht := stats.Round(handled/float64(r.Ended), 3)
		r.AHTSeconds, r.AHT = &aht, formatMMSS(aht)
	}
	if scored := neg + neu + pos; scored > 0 {
		share := func(n int) float64 { return stats.Round(float64(n)/float64(scored), 3) }
		r.Sentiment = sentimentShare{Scored: scored, Negative: share(neg), Neutral: share(neu), Positive: share(pos)}
	}
	r.TopIntents = make([]intentCount, 0, len(intents))
	for title, n := range intents {
		r.TopIntents = append(r.TopIntents, intentCount{title, n})
	}
	slices.SortFunc(r.TopIntents, func(a, b intentCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Title, b.Title))
	})
	r.TopIntents = r.TopIntents[:min(len(r.TopIntents), topIntents)]
	if r.Suggestions > 0 {
		rate := stats.Round(float64(r.Feedback[event.VerdictUsed]+r.Feedback[event.VerdictHelpful])/float64(r.Suggestions), 3)
		r.AcceptanceRate = &rate
	}
	return r
}

// formatMMSS writes seconds as minutes:seconds, rounded to the second;
// minutes go past 59 rather than into hours.
func formatMMSS(seconds float64) string {
	s := int(math.Round(max(0, seconds)))
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// writeReportText writes the per-queue table, then each queue's intents,
// feedback and alerts.
func writeReportText(w io.Writer, queues []queueReport, since time.Time) error {
	if since.IsZero() {
		fmt.Fprintln(w, "All stored calls")
	} else {
		fmt.Fprintf(w, "Calls started since %s\n", since.Local().Format("2006-01-02 15:04:05 MST"))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tCALLS\tENDED\tAHT\tNEG\tNEU\tPOS\tSUGGESTED\tACCEPTED\tALERTS")
	for _, q := range queues {
		neg, neu, pos := "-", "-", "-"
		if q.Sentiment.Scored > 0 {
			neg, neu, pos = percent(q.Sentiment.Negative), percent(q.Sentiment.Neutral), percent(q.Sentiment.Positive)
		}
		aht, accepted := "-", "-"
		if q.AHT != "" {
			aht = q.AHT
		}
		if q.AcceptanceRate != nil {
			accepted = percent(*q.AcceptanceRate)
		}
		alerts := 0
		for _, n := range q.Alerts {
			alerts += n
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\n",
			queueLabel(q.Queue), q.Calls, q.Ended, aht, neg, neu, pos, q.Suggestions, accepted, alerts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range queues {
		fmt.Fprintln(w)
		fmt.Fprintln(w, queueLabel(q.Queue))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		intents := make([]string, 0, len(q.TopIntents))
		for _, in := range q.TopIntents {
			intents = append(intents, fmt.Sprintf("%s (%d)", termtext.Sanitize(in.Title), in.Count))
		}
		fmt.Fprintf(tw, "  top intents\t%s\n", orNone(strings.Join(intents, ", ")))
		fmt.Fprintf(tw, "  feedback\tused %d, helpful %d, not helpful %d\n",
			q.Feedback[event.VerdictUsed], q.Feedback[event.VerdictHelpful], q.Feedback[event.VerdictNotHelpful])
		fmt.Fprintf(tw, "  alerts\t%s\n", orNone(countList(q.Alerts)))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// percent writes a share in 0..1 as a whole percentage.
func percent(share float64) string { return fmt.Sprintf("%.0f%%", share*100) }

// queueLabel is a queue's name made safe for the terminal; calls without
// a queue are "(none)".
func queueLabel(q string) string {
	if q == "" {
		return "(none)"
	}
	return termtext.Sanitize(q)
}

func orNone(s string) string { return cmp.Or(s, "none") }

// countList writes counts as "name n", most frequent first.
func countList(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %d", termtext.Sanitize(name), counts[name]))
	}
	return strings.Join(parts, ", ")
}
