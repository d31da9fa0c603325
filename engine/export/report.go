package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// Sentiment bands: a call's final customer rolling score below
// negativeBelow is negative, above positiveAbove positive.
const (
	negativeBelow = -0.2
	positiveAbove = 0.2
)

// topIntents is how many intents a queue's report lists.
const topIntents = 5

// QueueReport is one queue's figures.
type QueueReport struct {
	Queue string `json:"queue"`
	Calls int    `json:"calls"`
	Ended int    `json:"ended_calls"`
	// AHTSeconds is the mean duration of the ended calls; AHT the same
	// as mm:ss.
	AHTSeconds *float64       `json:"aht_s"`
	AHT        string         `json:"aht"`
	Sentiment  SentimentShare `json:"sentiment"`
	TopIntents []IntentCount  `json:"top_intents"`
	// Suggestions counts the suggestions events that did not abstain.
	Suggestions int            `json:"suggestions"`
	Feedback    map[string]int `json:"feedback"`
	// AcceptanceRate is used + helpful feedback over Suggestions.
	AcceptanceRate *float64       `json:"acceptance_rate"`
	Alerts         map[string]int `json:"alerts"`
	// Dispositions counts the ended calls by disposition: the agent's
	// wrap-up's when there is one, else the engine's; Wrapups counts them
	// by who gave it (event.WrapupByAgent, WrapupByTimer, WrapupByEngine).
	Dispositions map[string]int `json:"dispositions"`
	Wrapups      map[string]int `json:"wrapups"`
}

// SentimentShare splits the calls with a customer sentiment into bands,
// as shares of Scored.
type SentimentShare struct {
	Scored   int     `json:"scored_calls"`
	Negative float64 `json:"negative"`
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
}

// IntentCount is how often an article topped the suggestions.
type IntentCount struct {
	Title string `json:"title"`
	Count int    `json:"count"`
}

// Report counts the calls per queue, ordered by queue name.
func Report(calls []*event.CallRecord) []QueueReport {
	byQueue := map[string][]*event.CallRecord{}
	for _, c := range calls {
		byQueue[c.Queue] = append(byQueue[c.Queue], c)
	}
	out := make([]QueueReport, 0, len(byQueue))
	for q, cs := range byQueue {
		out = append(out, QueueFigures(q, cs))
	}
	slices.SortFunc(out, func(a, b QueueReport) int { return cmp.Compare(a.Queue, b.Queue) })
	return out
}

// QueueFigures counts one queue's calls.
func QueueFigures(queue string, calls []*event.CallRecord) QueueReport {
	r := QueueReport{
		Queue: queue, Calls: len(calls),
		Feedback:     map[string]int{event.VerdictUsed: 0, event.VerdictHelpful: 0, event.VerdictNotHelpful: 0},
		Alerts:       map[string]int{},
		Dispositions: map[string]int{}, Wrapups: map[string]int{},
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
		if c.WrapupBy != "" {
			r.Wrapups[c.WrapupBy]++
			if c.Disposition != "" {
				r.Dispositions[c.Disposition]++
			}
		}
	}
	if r.Ended > 0 {
		aht := stats.Round(handled/float64(r.Ended), 3)
		r.AHTSeconds, r.AHT = &aht, FormatMMSS(aht)
	}
	if scored := neg + neu + pos; scored > 0 {
		share := func(n int) float64 { return stats.Round(float64(n)/float64(scored), 3) }
		r.Sentiment = SentimentShare{Scored: scored, Negative: share(neg), Neutral: share(neu), Positive: share(pos)}
	}
	r.TopIntents = make([]IntentCount, 0, len(intents))
	for title, n := range intents {
		r.TopIntents = append(r.TopIntents, IntentCount{title, n})
	}
	slices.SortFunc(r.TopIntents, func(a, b IntentCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Title, b.Title))
	})
	r.TopIntents = r.TopIntents[:min(len(r.TopIntents), topIntents)]
	if r.Suggestions > 0 {
		rate := stats.Round(float64(r.Feedback[event.VerdictUsed]+r.Feedback[event.VerdictHelpful])/float64(r.Suggestions), 3)
		r.AcceptanceRate = &rate
	}
	return r
}

// FormatMMSS writes seconds as minutes:seconds, rounded to the second;
// minutes go past 59 rather than into hours.
func FormatMMSS(seconds float64) string {
	s := int(math.Round(max(0, seconds)))
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// WriteReportJSON writes the queues as an indented JSON list.
func WriteReportJSON(w io.Writer, queues []QueueReport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(queues)
}

// WriteReportText writes the per-queue table, then each queue's intents,
// feedback and alerts.
func WriteReportText(w io.Writer, queues []QueueReport, since time.Time) error {
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
			neg, neu, pos = Percent(q.Sentiment.Negative), Percent(q.Sentiment.Neutral), Percent(q.Sentiment.Positive)
		}
		aht, accepted := "-", "-"
		if q.AHT != "" {
			aht = q.AHT
		}
		if q.AcceptanceRate != nil {
			accepted = Percent(*q.AcceptanceRate)
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
		fmt.Fprintf(tw, "  dispositions\t%s\n", orNone(countList(q.Dispositions)))
		fmt.Fprintf(tw, "  wrap-ups\tagent %d, timer %d, engine %d\n",
			q.Wrapups[event.WrapupByAgent], q.Wrapups[event.WrapupByTimer], q.Wrapups[event.WrapupByEngine])
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// Percent writes a share in 0..1 as a whole percentage.
func Percent(share float64) string { return fmt.Sprintf("%.0f%%", share*100) }

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
