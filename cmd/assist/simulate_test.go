package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/transcript"
)

const simTestKey = "sim-test-key"

// simService is the ingest handler on a real engine and embedded bus,
// served over HTTP, with a subscriber to every call's events.
type simService struct {
	url    string
	events *engine.Subscription
	// byCall holds the events seen so far, per call.
	byCall map[string][]event.Event
}

// startSimService starts the service; with a recognizer it takes voice
// calls too.
func startSimService(t *testing.T, rec audio.Recognizer) *simService {
	t.Helper()
	te := enginetest.Start(t)
	eng, events := te.Engine, te.Events
	h, err := ingest.NewHandler(ingest.Options{Calls: &ingest.EngineCalls{Engine: eng}, APIKey: simTestKey, Recognizer: rec}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return &simService{url: srv.URL, events: events, byCall: map[string][]event.Event{}}
}

// waitEvents reads events until done says the calls seen are complete.
func (s *simService) waitEvents(t *testing.T, done func(byCall map[string][]event.Event) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !done(s.byCall) {
		select {
		case e := <-s.events.C:
			s.byCall[e.CallID] = append(s.byCall[e.CallID], e)
		case <-deadline:
			t.Fatalf("events not complete after 30s: %d calls seen", len(s.byCall))
		}
	}
}

// endedCalls counts the calls whose call.ended has been seen.
func endedCalls(byCall map[string][]event.Event) int {
	n := 0
	for _, evs := range byCall {
		if len(evs) > 0 && evs[len(evs)-1].Kind == event.KindCallEnded {
			n++
		}
	}
	return n
}

// checkChatCalls checks the events of finished chat calls against the
// summary: every call started and ended, every utterance acked was
// published, every customer utterance got suggestions.
func checkChatCalls(t *testing.T, byCall map[string][]event.Event, rep map[string]any, queues, agents []string) {
	t.Helper()
	if int(rep["calls"].(float64)) != len(byCall) {
		t.Errorf("summary has %v calls, the bus saw %d", rep["calls"], len(byCall))
	}
	finals := 0
	for id, evs := range byCall {
		start, ok := evs[0].Payload.(event.CallStarted)
		if !ok {
			t.Errorf("call %s begins with %s", id, evs[0].Kind)
			continue
		}
		if start.Channel != event.ChannelChat || !contains(queues, start.Queue) || !contains(agents, start.Agent) || start.Customer == "" {
			t.Errorf("call %s started as %+v", id, start)
		}
		end, ok := evs[len(evs)-1].Payload.(event.CallEnded)
		if !ok || end.Reason != "completed" {
			t.Errorf("call %s ends with %s %+v, want call.ended (completed)", id, evs[len(evs)-1].Kind, end)
		}
		suggested := map[string]bool{}
		for _, e := range evs {
			if sug, ok := e.Payload.(event.Suggestions); ok {
				suggested[sug.UtteranceID] = true
			}
		}
		for _, e := range evs {
			u, ok := e.Payload.(event.Utterance)
			if !ok || e.Kind != event.KindFinal {
				continue
			}
			finals++
			if u.Source != event.SourceChat {
				t.Errorf("call %s: utterance from %s", id, u.Source)
			}
			if u.Speaker == event.SpeakerCustomer && !suggested[u.UtteranceID] {
				t.Errorf("call %s: customer utterance %s got no suggestions", id, u.UtteranceID)
			}
		}
	}
	if int(rep["utterances"].(float64)) != finals || rep["acked"] != rep["utterances"] {
		t.Errorf("summary %v: the bus saw %d final utterances", rep, finals)
	}
	if rep["errors"] != float64(0) {
		t.Errorf("errors in %v", rep)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSimulateChatCallsOverWebSocket(t *testing.T) {
	s := startSimService(t, nil)
	stdout, stderr, err := execute(t, "simulate", "--url", s.url, "--key", simTestKey,
		"--calls", "5", "--rate", "50", "--queues", "billing, cards", "--agents", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := lastJSON(t, stdout)
	s.waitEvents(t, func(m map[string][]event.Event) bool { return endedCalls(m) == 5 })
	checkChatCalls(t, s.byCall, rep, []string{"billing", "cards"}, []string{"agent-1", "agent-2"})

	// Each call played one bundled sample, in turn.
	scripts, _, err := app.LoadCalls(nil, transcript.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := range 5 {
		want += len(scripts[i%len(scripts)].Utterances)
	}
	if rep["calls"] != float64(5) || rep["utterances"] != float64(want) {
		t.Errorf("summary %v, want 5 calls and %d utterances", rep, want)
	}
	if p50, p99 := rep["ack_ms_p50"].(float64), rep["ack_ms_p99"].(float64); p50 <= 0 || p99 < p50 {
		t.Errorf("ack latency p50 %v p99 %v", p50, p99)
	}
	if rep["duration_s"].(float64) <= 0 {
		t.Errorf("duration %v", rep["duration_s"])
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "5 chat calls over WebSocket (5 ended cleanly)") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "simulate: 5 chat calls over WebSocket to "+s.url) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestSimulateStopsCleanly cancels a run with no end in sight, as Ctrl-C
// does: every call started is ended, and the figures still come out.
func TestSimulateStopsCleanly(t *testing.T) {
	s := startSimService(t, nil)
	var out, errOut bytes.Buffer
	cmd := simulateCommand(streams{out: &out, err: &errOut}, func(ctx context.Context, o *simulateOptions) error {
		o.progressEvery = 50 * time.Millisecond
		return runSimulate(ctx, o)
	})
	cmd.SetArgs([]string{"--url", s.url, "--key", simTestKey, "--http", "--calls", "3", "--rate", "20", "--duration", "10m"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	// Stop once every call has had suggestions.
	s.waitEvents(t, func(m map[string][]event.Event) bool {
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
	rep := lastJSON(t, out.String())
	calls := int(rep["calls"].(float64))
	s.waitEvents(t, func(m map[string][]event.Event) bool { return endedCalls(m) >= calls })
	checkChatCalls(t, s.byCall, rep, []string{"billing", "cards", "support"}, []string{"agent-1", "agent-2", "agent-3"})
	if rep["duration_s"].(float64) > 60 {
		t.Errorf("ran for %v s after cancel", rep["duration_s"])
	}
	if !strings.Contains(errOut.String(), "  open ") || !strings.Contains(errOut.String(), "  acked ") {
		t.Errorf("no progress on stderr:\n%s", errOut.String())
	}
}

func TestSimulateFindsTheServiceInTheDataFolder(t *testing.T) {
	s := startSimService(t, nil)
	data := t.TempDir()
	dir := service.Dir(data)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASSIST_INGEST_KEY", "")
	args := []string{"simulate", "--data", data, "--calls", "1", "--rate", "100"}
	if _, _, err := execute(t, args...); err == nil || !strings.Contains(err.Error(), "no 'assist serve' found") {
		t.Errorf("no service info: err = %v", err)
	}
	if err := service.WriteInfo(dir, service.Info{NATSURL: "nats://127.0.0.1:1", HTTPURL: s.url}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := execute(t, args...); err == nil || !strings.Contains(err.Error(), "no ingest API key") {
		t.Errorf("no key: err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ingest.key"), []byte(simTestKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := execute(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if rep := lastJSON(t, stdout); rep["calls"] != float64(1) || rep["errors"] != float64(0) {
		t.Errorf("summary %v", rep)
	}
}

func TestSimulateRefusedOrUnreachable(t *testing.T) {
	s := startSimService(t, nil)
	_, _, err := execute(t, "simulate", "--url", s.url, "--key", "wrong-key", "--calls", "2")
	var ue usageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "refused the API key") || !strings.Contains(err.Error(), "--key") {
		t.Errorf("wrong key: err = %v", err)
	}
	if code := run([]string{"simulate", "--url", s.url, "--key", "wrong-key"}); code != exitError {
		t.Errorf("wrong key: exit %d, want %d", code, exitError)
	}
	if len(s.byCall) > 0 || len(s.events.C) > 0 {
		t.Errorf("a call started with the wrong key")
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	_, _, err = execute(t, "simulate", "--url", gone.URL, "--key", simTestKey)
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "--url") {
		t.Errorf("unreachable: err = %v", err)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	_, _, err = execute(t, "simulate", "--url", other.URL, "--key", simTestKey)
	if err == nil || !strings.Contains(err.Error(), "no ingest endpoint") {
		t.Errorf("not a service: err = %v", err)
	}
}

func TestSimulateFlags(t *testing.T) {
	var got *simulateOptions
	cmd := simulateCommand(streams{}, func(_ context.Context, o *simulateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--calls", "500", "--duration", "2m", "--http", "--insecure", "a.jsonl"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.calls != 500 || got.rate != 0.2 || got.duration != 2*time.Minute || !got.http || !got.insecure ||
		got.queues != "billing,cards,support" || got.agents != 0 || len(got.files) != 1 {
		t.Errorf("options = %+v", got)
	}

	for _, args := range [][]string{
		{"--calls", "0"},
		{"--rate", "0"},
		{"--rate", "-1"},
		{"--rate", "NaN"},
		{"--duration", "-1s"},
		{"--agents", "-1"},
		{"--queues", " , "},
		{"--wav", "x.wav"},
		{"--audio", "--http"},
		{"--audio", "calls.jsonl"},
		{"--format", "xml"},
		{"--url", "ftp://host"},
		{"--url", "http://"},
	} {
		cmd := simulateCommand(streams{}, func(context.Context, *simulateOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		var ue usageError
		if err := cmd.Execute(); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestSimulateAudioCalls(t *testing.T) {
	rec := sphinxtest.Recognizer(t)
	// Recognition under -race may run slower than real time: let the
	// calls queue their audio rather than drop it.
	defer func(q time.Duration) { ingest.VoiceQueuedAudio = q }(ingest.VoiceQueuedAudio)
	ingest.VoiceQueuedAudio = 2 * time.Minute
	s := startSimService(t, rec)

	stdout, stderr, err := execute(t, "simulate", "--url", s.url, "--key", simTestKey,
		"--audio", "--wav", sphinxtest.LibriVoxClip("0880"), "--calls", "2", "--rate", "10")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := lastJSON(t, stdout)
	if rep["calls"] != float64(2) || rep["utterances"] != float64(2) || rep["errors"] != float64(0) {
		t.Errorf("summary %v", rep)
	}
	s.waitEvents(t, func(m map[string][]event.Event) bool { return endedCalls(m) == 2 })
	heard := 0
	for id, evs := range s.byCall {
		if start, ok := evs[0].Payload.(event.CallStarted); !ok || start.Channel != event.ChannelVoice || start.Agent == "" || start.Queue == "" {
			t.Errorf("call %s begins with %s %+v", id, evs[0].Kind, evs[0].Payload)
		}
		if end, ok := evs[len(evs)-1].Payload.(event.CallEnded); !ok || end.Reason != "hangup" {
			t.Errorf("call %s ends with %+v, want hangup", id, evs[len(evs)-1].Payload)
		}
		for _, e := range evs {
			if u, ok := e.Payload.(event.Utterance); ok && e.Kind == event.KindFinal &&
				u.Speaker == event.SpeakerCustomer && u.Source == event.SourceASR && strings.TrimSpace(u.Text) != "" {
				heard++
				t.Logf("call %s: customer said %q", id, u.Text)
			}
		}
	}
	if heard == 0 {
		t.Error("no customer utterance was recognised")
	}
}
