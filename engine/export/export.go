// Package export turns the calls kept in the service's event store into
// what an operator takes away: one record per call (the event.CallRecord
// fold) written as JSONL or CSV, with personal data redacted, and a
// per-queue report of volume, handling time, sentiment, intents and
// acceptance.
package export

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
)

// Source is an event store to read calls from; *service.Store is one.
type Source interface {
	// ReadSince hands fn every stored event of the calls that started at
	// or after since (every stored call when since is zero).
	ReadSince(ctx context.Context, since time.Time, fn func(event.Event) error) error
}

// ReadCalls folds the stored events of the calls that started at or after
// since (every stored call when since is zero), in queue when not empty,
// ordered by start time.
func ReadCalls(ctx context.Context, src Source, since time.Time, queue string) ([]*event.CallRecord, error) {
	calls := map[string]*event.CallRecord{}
	err := src.ReadSince(ctx, since, func(e event.Event) error {
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

// Redact removes personal data from what customers and agents said (a
// customer's turn read as the answer to the agent's question before it),
// from generated drafts and from the summaries; nil redacts nothing.
// Knowledge-base answers are the center's own text and stay as they are.
func Redact(calls []*event.CallRecord, r *redact.Redactor) {
	if r == nil {
		return
	}
	for _, c := range calls {
		d := r.Dialogue()
		c.Summary = r.Redact(c.Summary)
		if w := c.AgentWrapup; w != nil {
			w.Summary, w.Note = r.Redact(w.Summary), r.Redact(w.Note)
		}
		if w := c.Wrapup; w != nil {
			for _, f := range []*string{&w.Situation, &w.Action, &w.Resolution, &w.Reason} {
				*f = r.Redact(*f)
			}
			for i := range w.Entities {
				w.Entities[i] = r.Redact(w.Entities[i])
			}
		}
		for _, t := range c.Turns {
			t.Text = d.Redact(string(t.Speaker), t.Text)
			for i, s := range t.Suggestions {
				if s.Source == "llm" {
					t.Suggestions[i].Text = r.Redact(s.Text)
				}
			}
		}
	}
}

// Since is the start of the window that reaches back d from now (time.Now
// when nil); the zero time (everything) when d is 0.
func Since(now func() time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	if now == nil {
		now = time.Now
	}
	return now().Add(-d)
}

// NoCallsLine says that the window holds no call.
func NoCallsLine(since time.Time, queue string) string {
	what := "no calls"
	if queue != "" {
		what += " in queue " + strconv.Quote(queue)
	}
	if since.IsZero() {
		return what + " in the store"
	}
	return what + " since " + since.Local().Format("2006-01-02 15:04:05 MST")
}

// Turns counts the final utterances of the calls.
func Turns(calls []*event.CallRecord) int {
	n := 0
	for _, c := range calls {
		n += len(c.Turns)
	}
	return n
}
