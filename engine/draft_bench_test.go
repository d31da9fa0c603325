package engine_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist/llm"
	"github.com/larkspur-labs/assist/assist/llm/llmtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
)

// BenchmarkDraftOverhead measures what the engine adds to a model server's
// time to first token: from a final customer utterance entering the engine
// to the first draft token reaching a subscriber (what the agent view
// draws), minus the fake server's own time from the request's arrival to
// its first token. p50-ms and p99-ms are that overhead; the server takes
// 30 ms to the first token.
func BenchmarkDraftOverhead(b *testing.B) {
	srv := llmtest.NewServer(b, llmtest.WithTiming(llmtest.Timing{FirstToken: 30 * time.Millisecond, BetweenTokens: 5 * time.Millisecond}))
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: llmtest.DefaultModel})
	if err != nil {
		b.Fatal(err)
	}
	base, err := enginetest.SampleAssistant()
	if err != nil {
		b.Fatal(err)
	}
	a := *base
	a.Drafter = client
	bus, err := engine.StartBus()
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	eng, err := engine.New(bus, &a, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	sub, err := bus.Subscribe(engine.AllCallsSubject, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()

	var starts, shownAt []time.Time
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("c%d", i)
		s, err := eng.StartCall(id, event.CallStarted{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card, can you block it?", Source: event.SourceChat}); err != nil {
			b.Fatal(err)
		}
		starts, shownAt = append(starts, start), append(shownAt, firstDraft(b, sub, id))
		if err := s.End("completed"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// One request per utterance, in order; read them once the server has
	// recorded when each first token went out.
	time.Sleep(100 * time.Millisecond)
	reqs := srv.Requests()
	if len(reqs) != len(starts) {
		b.Fatalf("%d requests for %d utterances", len(reqs), len(starts))
	}
	var overhead, before, after []float64
	for i, req := range reqs {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		overhead = append(overhead, ms(shownAt[i].Sub(starts[i])-req.ServerTimeToFirstToken()))
		before = append(before, ms(req.Arrived.Sub(starts[i])))
		after = append(after, ms(shownAt[i].Sub(req.FirstToken)))
	}
	slices.Sort(overhead)
	b.ReportMetric(stats.Percentile(overhead, 50), "p50-ms")
	b.ReportMetric(stats.Percentile(overhead, 99), "p99-ms")
	slices.Sort(before)
	slices.Sort(after)
	b.Logf("utterance in → request at the server: p50 %.2f ms; first token out → on the bus: p50 %.2f ms", stats.Percentile(before, 50), stats.Percentile(after, 50))
}

// firstDraft waits for the call's first suggestions event with a draft
// and returns when it arrived.
func firstDraft(b *testing.B, sub *engine.Subscription, callID string) time.Time {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if s, ok := e.Payload.(event.Suggestions); ok && e.CallID == callID {
				for _, sg := range s.Suggestions {
					if sg.Source == "llm" {
						return time.Now()
					}
				}
			}
		case <-timeout:
			b.Fatal("no draft within 10 s")
		}
	}
}
