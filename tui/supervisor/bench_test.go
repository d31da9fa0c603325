package supervisor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// benchCalls is the size of the benchmarked contact center.
const benchCalls = 500

// benchDirectory is a busy center at the fixed clock: benchCalls live calls over
// eight queues, each with a full sentiment history, a third with alerts,
// a few just ended. It is deterministic.
func benchDirectory() []event.CallRow {
	rng := rand.New(rand.NewPCG(1, 2))
	queues := []string{"Billing", "Tech Support", "Retention", "Sales", "Claims", "Onboarding", "Fraud", "VIP Care"}
	first := []string{"Sam", "Priya", "Lee", "Ana", "Omar", "Dana", "Jo", "Ari", "Ben", "Kim", "Maria", "Yusuf"}
	last := []string{"Kim", "Natarajan", "Wong", "Lima", "Haddad", "Ruiz", "Park", "Cohen", "Ode", "Lee", "Fernández", "Öztürk"}
	reasons := []string{
		"customer sentiment fell below −0.4",
		"customer threatens to cancel",
		"long silence on the line: 45 s",
		"customer asked for a manager",
		"possible fraud: card used in two countries within an hour",
		"agent talk ratio above 80% for two minutes",
	}
	sums := make([]event.CallRow, benchCalls)
	for i := range sums {
		hist := make([]float64, event.HistoryLen)
		v := rng.Float64()*2 - 1
		for j := range hist {
			v = math.Max(-1, math.Min(1, v+rng.NormFloat64()*0.15))
			hist[j] = v
		}
		s := event.CallRow{
			CallID:    fmt.Sprintf("call-%05d", i),
			Queue:     queues[rng.IntN(len(queues))],
			Agent:     first[rng.IntN(len(first))] + " " + last[rng.IntN(len(last))],
			Customer:  first[rng.IntN(len(first))] + " " + last[rng.IntN(len(last))],
			Channel:   event.ChannelVoice,
			Started:   tuitest.FixedNow.Add(-time.Duration(rng.IntN(40*60)) * time.Second),
			Updated:   tuitest.FixedNow.Add(-time.Duration(rng.IntN(20)) * time.Second),
			Status:    event.StatusLive,
			Sentiment: v,
			Trend:     hist[len(hist)-1] - hist[len(hist)-4],
			History:   hist,
			LastSeq:   uint64(100 + rng.IntN(100)),
		}
		if rng.IntN(3) == 0 {
			s.Alerts = 1 + rng.IntN(4)
			s.LastAlert = reasons[rng.IntN(len(reasons))]
		}
		if i%50 == 0 {
			s.Status = event.StatusEnded
		}
		sums[i] = s
	}
	return sums
}

// benchSupervisor is the busy center in a 160×50 window, in colour (the
// costlier theme), with a few alerts that have just arrived.
func benchSupervisor(b *testing.B) *Model {
	b.Helper()
	s := New(Options{
		Title: "Larkspur contact center", ModelStatus: "embedded", Rows: benchDirectory(),
		Now: func() time.Time { return tuitest.FixedNow },
	})
	s.setStyles(theme.New(true))
	s.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	for i := range 20 {
		id := fmt.Sprintf("call-%05d", i*7+1)
		s.Update(common.EventMsg{Event: event.Event{Kind: event.KindAlert, CallID: id, Seq: 1000, TS: tuitest.FixedNow,
			Payload: event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "customer threatens to cancel"}}})
	}
	s.Update(frameMsg{})
	if len(s.visible) != benchCalls {
		b.Fatalf("%d rows, want %d", len(s.visible), benchCalls)
	}
	return s
}

// BenchmarkSupervisorView measures a full frame of the 500-call table:
// the memoised frame is dropped before each View, so every iteration
// renders the screen. p50-ms is the median frame time.
func BenchmarkSupervisorView(b *testing.B) {
	s := benchSupervisor(b)
	s.moveCursor(3)
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.frameOK = false
		start := time.Now()
		v := s.View()
		times = append(times, time.Since(start))
		if len(v.Content) == 0 {
			b.Fatal("empty frame")
		}
	}
	b.StopTimer()
	reportMedian(b, times)
}

// BenchmarkSupervisorUpdate measures one event applied to the 500-call
// model. "event" is Update alone, what every event costs; "event+frame"
// adds the frame message's re-sort, filter and per-queue figures, which
// runs at most ten times a second; "event+frame+view" adds the render.
func BenchmarkSupervisorUpdate(b *testing.B) {
	steps := map[string]func(s *Model){
		"event":            func(*Model) {},
		"event+frame":      func(s *Model) { s.Update(frameMsg{}) },
		"event+frame+view": func(s *Model) { s.Update(frameMsg{}); s.View() },
	}
	for _, name := range []string{"event", "event+frame", "event+frame+view"} {
		b.Run(name, func(b *testing.B) {
			s := benchSupervisor(b)
			ids := make([]string, 0, benchCalls)
			for id := range s.rows {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			seq := uint64(10_000)
			times := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				seq++
				i++
				ev := event.Event{Kind: event.KindSentiment, CallID: ids[i%len(ids)], Seq: seq, TS: tuitest.FixedNow,
					Payload: custSentiment(math.Sin(float64(i))*0.9, math.Cos(float64(i))*0.2)}
				start := time.Now()
				s.Update(common.EventMsg{Event: ev})
				steps[name](s)
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			reportMedian(b, times)
		})
	}
}

// reportMedian reports the median of per-iteration timings in ms.
func reportMedian(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "p50-ms")
}
