package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/ingest/ingesttest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/transcript"
)

const simTestKey = "sim-test-key"

func TestSimulateChatCallsOverWebSocket(t *testing.T) {
	s := ingesttest.Start(t, simTestKey, nil)
	stdout, stderr, err := execute(t, "simulate", "--url", s.URL, "--key", simTestKey,
		"--calls", "5", "--rate", "50", "--queues", "billing, cards", "--agents", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := lastJSON(t, stdout)
	s.WaitEvents(t, func(m map[string][]event.Event) bool { return ingesttest.EndedCalls(m) == 5 })
	ingesttest.CheckChatCalls(t, s.ByCall, rep, []string{"billing", "cards"}, []string{"agent-1", "agent-2"})

	// Each call played one bundled chat script, in turn.
	scripts, _, err := app.LoadChatScripts(nil, transcript.FormatAuto)
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
	if !strings.Contains(stderr, "simulate: 5 chat calls over WebSocket to "+s.URL) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestSimulateFindsTheServiceInTheDataFolder(t *testing.T) {
	s := ingesttest.Start(t, simTestKey, nil)
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
	if err := service.WriteInfo(dir, service.Info{NATSURL: "nats://127.0.0.1:1", HTTPURL: s.URL}); err != nil {
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
	s := ingesttest.Start(t, simTestKey, nil)
	_, _, err := execute(t, "simulate", "--url", s.URL, "--key", "wrong-key", "--calls", "2")
	var ue usageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "refused the API key") || !strings.Contains(err.Error(), "--key") {
		t.Errorf("wrong key: err = %v", err)
	}
	if code := run([]string{"simulate", "--url", s.URL, "--key", "wrong-key"}); code != exitError {
		t.Errorf("wrong key: exit %d, want %d", code, exitError)
	}
	if len(s.ByCall) > 0 || len(s.Events.C) > 0 {
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
	if got.Calls != 500 || got.Rate != 0.2 || got.Duration != 2*time.Minute || !got.HTTP || !got.Insecure ||
		got.queues != "billing,cards,support" || got.Agents != 0 || len(got.Files) != 1 {
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
	s := ingesttest.Start(t, simTestKey, rec)

	stdout, stderr, err := execute(t, "simulate", "--url", s.URL, "--key", simTestKey,
		"--audio", "--wav", sphinxtest.LibriVoxClip("0880"), "--calls", "2", "--rate", "10")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := lastJSON(t, stdout)
	if rep["calls"] != float64(2) || rep["utterances"] != float64(2) || rep["errors"] != float64(0) {
		t.Errorf("summary %v", rep)
	}
	s.WaitEvents(t, func(m map[string][]event.Event) bool { return ingesttest.EndedCalls(m) == 2 })
	heard := 0
	for id, evs := range s.ByCall {
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
