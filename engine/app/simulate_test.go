package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest/ingesttest"
)

// TestSimulateStopsCleanly cancels a run with no end in sight, as Ctrl-C
// does: every call started is ended, and the figures still come out.
func TestSimulateStopsCleanly(t *testing.T) {
	const key = "sim-test-key"
	s := ingesttest.Start(t, key, nil)
	var out, errOut bytes.Buffer
	opts := &SimulateOptions{
		URL: s.URL, Key: key, KeySource: "--key", HTTP: true, Calls: 3, Rate: 20, Duration: 10 * time.Minute,
		Queues: []string{"billing", "cards", "support"}, ProgressEvery: 50 * time.Millisecond, Out: &out, ErrOut: &errOut,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Simulate(ctx, opts) }()

	// Stop once every call has had suggestions.
	s.WaitEvents(t, func(m map[string][]event.Event) bool {
		n := 0
		for _, evs := range m {
			for _, e := range evs {
				if e.Kind == event.KindSuggestions {
					n++
					break
				}
			}
		}
		return n >= 3
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("simulate did not stop after cancel")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var rep map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	calls := int(rep["calls"].(float64))
	s.WaitEvents(t, func(m map[string][]event.Event) bool { return ingesttest.EndedCalls(m) >= calls })
	ingesttest.CheckChatCalls(t, s.ByCall, rep, []string{"billing", "cards", "support"}, []string{"agent-1", "agent-2", "agent-3"})
	if rep["duration_s"].(float64) > 60 {
		t.Errorf("ran for %v s after cancel", rep["duration_s"])
	}
	if !strings.Contains(errOut.String(), "  open ") || !strings.Contains(errOut.String(), "  acked ") {
		t.Errorf("no progress on stderr:\n%s", errOut.String())
	}
}
