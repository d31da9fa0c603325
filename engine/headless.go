package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/stats"
)

// HeadlessReport sums up a headless replay.
type HeadlessReport struct {
	ReplayStats
	Events int
	// CustomerUtterances counts final customer utterances.
	CustomerUtterances int
	// LatencyMS holds each customer turn's utterance-to-suggestions
	// latency: of its first suggestions event, the fast ranking.
	LatencyMS []float64
	// RefinedLatencyMS holds the utterance-to-refined-suggestions latency
	// of each turn whose ranking the second stage changed (see
	// event.Suggestions.Refined).
	RefinedLatencyMS []float64
}

// UtterancesPerSecond is the replay throughput.
func (r HeadlessReport) UtterancesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Utterances) / r.Elapsed.Seconds()
}

// String formats the report as one line for logs.
func (r HeadlessReport) String() string {
	line := fmt.Sprintf("replayed %d calls, %d utterances (%d customer), %d events in %s: %.0f utterances/s; suggestions latency p50 %.3f ms, p99 %.3f ms",
		r.Calls, r.Utterances, r.CustomerUtterances, r.Events, r.Elapsed.Round(time.Millisecond),
		r.UtterancesPerSecond(), stats.Percentile(r.LatencyMS, 50), stats.Percentile(r.LatencyMS, 99))
	if len(r.RefinedLatencyMS) > 0 {
		line += fmt.Sprintf("; refined %d, latency p50 %.3f ms, p99 %.3f ms",
			len(r.RefinedLatencyMS), stats.Percentile(r.RefinedLatencyMS, 50), stats.Percentile(r.RefinedLatencyMS, 99))
	}
	return line
}

// drainTimeout bounds the wait for the bus to deliver the last events after
// the player has finished; the in-process bus needs milliseconds.
const drainTimeout = 30 * time.Second

// ReplayHeadless plays calls and writes every event of them to w as NDJSON,
// one event per line, in each call's sequence order. It returns when every
// started call's call.ended has been written.
func ReplayHeadless(ctx context.Context, bus *Bus, p *Player, calls []transcript.Call, w io.Writer) (HeadlessReport, error) {
	out := event.NewWriter(w)
	var rep HeadlessReport
	// A turn's suggestions come again with a draft, and refined: each
	// latency counts once, from the first event of its kind.
	type turn struct{ call, utterance string }
	first, refined := map[turn]bool{}, map[turn]bool{}
	stats, err := ReplayEvents(ctx, bus, p, calls, func(e event.Event) error {
		if err := out.Write(e); err != nil {
			return err
		}
		rep.Events++
		switch pl := e.Payload.(type) {
		case event.Utterance:
			if pl.Final && pl.Speaker == event.SpeakerCustomer {
				rep.CustomerUtterances++
			}
		case event.Suggestions:
			t := turn{e.CallID, pl.UtteranceID}
			switch {
			case !first[t]:
				first[t] = true
				rep.LatencyMS = append(rep.LatencyMS, pl.LatencyMS)
			case pl.Refined && !refined[t]:
				refined[t] = true
				rep.RefinedLatencyMS = append(rep.RefinedLatencyMS, pl.LatencyMS)
			}
		}
		return nil
	})
	rep.ReplayStats = stats
	if ferr := out.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	return rep, err
}

// ReplayEvents plays calls and hands every event of them, as the bus
// delivers it, to fn, until each started call's call.ended has been handed
// over. An error from fn stops the wait and is returned; the replay itself
// stops with ctx.
func ReplayEvents(ctx context.Context, bus *Bus, p *Player, calls []transcript.Call, fn func(event.Event) error) (ReplayStats, error) {
	var subErr atomic.Pointer[error]
	sub, err := bus.Subscribe(AllCallsSubject, func(err error) { subErr.Store(&err) })
	if err != nil {
		return ReplayStats{}, err
	}
	defer sub.Close()

	type playResult struct {
		stats ReplayStats
		err   error
	}
	done := make(chan playResult, 1)
	go func() {
		stats, err := p.Play(ctx, calls)
		if ferr := bus.Flush(); err == nil {
			err = ferr
		}
		done <- playResult{stats, err}
	}()

	var (
		stats   ReplayStats
		ended   int
		want    = -1
		playErr error
		drain   <-chan time.Time
	)
	for want < 0 || ended < want {
		select {
		case e := <-sub.C:
			if err := fn(e); err != nil {
				return stats, err
			}
			if e.Kind == event.KindCallEnded {
				ended++
			}
		case r := <-done:
			stats, playErr, want = r.stats, r.err, r.stats.Calls
			drain = time.After(drainTimeout)
		case <-drain:
			return stats, fmt.Errorf("replay: %d of %d calls still open after %s", want-ended, want, drainTimeout)
		}
	}
	if err := subErr.Load(); err != nil {
		playErr = errors.Join(playErr, *err)
	}
	return stats, playErr
}
