package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/assist/llm/llmtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/tui/agent"
)

func execute(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	// Keep the knowledge-base cache and feedback out of the home folder.
	if os.Getenv("ASSIST_DATA") == "" {
		t.Setenv("ASSIST_DATA", t.TempDir())
	}
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestReplayFlags(t *testing.T) {
	var got *replayOptions
	cmd := newReplayCmd(streams{}, func(_ context.Context, o *replayOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--speed", "4", "--headless", "--format", "sgd", "--kb", "dir", "a.jsonl", "b.jsonl"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Speed != 4 || !got.headless || got.format != "sgd" || got.kb.Dir != "dir" || len(got.Files) != 2 {
		t.Errorf("options = %+v", got)
	}

	for _, args := range [][]string{
		{"--speed", "-1"},
		{"--speed", "100"},
		{"--format", "xml"},
		{"--parallel", "-2"},
	} {
		cmd := newReplayCmd(streams{}, func(context.Context, *replayOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		var ue usageError
		if err := cmd.Execute(); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestExitCodes(t *testing.T) {
	if code := run([]string{"replay", "--no-such-flag"}); code != exitUsage {
		t.Errorf("bad flag: exit %d, want %d", code, exitUsage)
	}
	if code := run([]string{"replay", "--headless", filepath.Join(t.TempDir(), "missing.jsonl")}); code != exitError {
		t.Errorf("missing file: exit %d, want %d", code, exitError)
	}
	t.Setenv("ASSIST_DATA", t.TempDir())
	if code := run([]string{"replay", "--headless", "--agent-lang", "de"}); code != exitUsage {
		t.Errorf("--agent-lang without a chat server: exit %d, want %d", code, exitUsage)
	}
}

func TestHeadlessReplayOfBundledSamples(t *testing.T) {
	stdout, stderr, err := execute(t, "replay", "--headless", "--speed", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	ended := 0
	for i, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e event.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not an event: %v\n%s", i+1, err, line)
		}
		if e.Kind == event.KindCallEnded {
			ended++
		}
	}
	if ended != 4 {
		t.Errorf("%d calls ended, want the 4 samples", ended)
	}
	if !strings.Contains(stderr, "utterances/s") || strings.Contains(stdout, "level=") {
		t.Errorf("logs must go to stderr only; stderr:\n%s", stderr)
	}
}

func TestHeadlessReplaySkipsBadLinesAndWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	data := "{\"type\":\"call\",\"call_id\":\"x\"}\n{\"speaker\":\"customer\",\"text\":\"I lost my card\"}\n{oops\n{\"speaker\":\"alien\",\"text\":\"hi\"}\n{\"speaker\":\"agent\",\"text\":\"\\u001b]52;c;ZXZpbA==\\u0007I can help\"}\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := execute(t, "replay", "--headless", "--speed", "0", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "bad.jsonl:3: malformed JSON") || !strings.Contains(stderr, "bad.jsonl:4: unknown speaker") {
		t.Errorf("warnings missing from stderr:\n%s", stderr)
	}
	if n := strings.Count(stdout, `"kind":"utterance.final"`); n != 2 {
		t.Errorf("%d finals replayed, want 2", n)
	}
}

func TestAgentViewNeedsATerminal(t *testing.T) {
	_, _, err := execute(t, "replay", "--speed", "0")
	if err == nil || !strings.Contains(err.Error(), "--headless") {
		t.Errorf("err = %v, want advice to use --headless", err)
	}
}

// screen is what the agent view draws on a pipe; changed is signalled at
// every write.
type screen struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// runViewUntil replays the bundled calls in the agent view on a pipe, with
// the chat server of model, until the screen shows want.
func runViewUntil(t *testing.T, model app.ModelConfig, want string) {
	t.Helper()
	calls, _, err := app.LoadCalls(nil, transcript.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := app.Start(context.Background(), app.Config{KB: app.KBConfig{Data: t.TempDir()}, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	player := engine.NewPlayer(stack.Engine, engine.PlayerOptions{Speed: 8})
	in, keys := io.Pipe()
	defer keys.Close()
	out := &screen{changed: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runAgentView(ctx, stack, player, calls, agent.Options{NoColor: true, Input: in, Output: out, Width: 160, Height: 48})
	}()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(ansi.Strip(out.String()), want) {
		select {
		case <-out.changed:
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("the agent view never showed %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAgentViewStreamsDrafts(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithTiming(llmtest.Timing{BetweenTokens: 20 * time.Millisecond}))
	runViewUntil(t, app.ModelConfig{URL: srv.URL, Model: llmtest.DefaultModel, Timeout: 5 * time.Second}, "✎ draft")
}

func TestAgentViewShowsDegraded(t *testing.T) {
	runViewUntil(t, app.ModelConfig{URL: "http://127.0.0.1:1/v1", Model: "m", Timeout: time.Second}, "degraded")
}

// headlessTurns reads a headless replay's NDJSON: per call, its events in
// sequence order, with timestamps and latencies, which vary run to run,
// left out.
func headlessTurns(t *testing.T, stdout string) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for i, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not an event: %v\n%s", i+1, err, line)
		}
		delete(e, "ts")
		delete(e, "latency_ms")
		id := e["call_id"].(string)
		out[id] = append(out[id], e)
	}
	return out
}

func TestHeadlessReplayAtSpeedZeroWaitsForTheModelServer(t *testing.T) {
	// Slower than the replay: without waiting, the next turn cancels every
	// draft before its first token.
	srv := llmtest.NewServer(t, llmtest.WithTiming(llmtest.Timing{FirstToken: 20 * time.Millisecond, BetweenTokens: 2 * time.Millisecond}))
	args := []string{"replay", "--headless", "--speed", "0", "--llm-url", srv.URL, "--llm-model", llmtest.DefaultModel, "--llm-emotion", "--agent-lang", "de"}
	var runs []map[string][]map[string]any
	for range 2 {
		stdout, stderr, err := execute(t, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		runs = append(runs, headlessTurns(t, stdout))
	}
	answerable, drafted := 0, 0
	for id, events := range runs[0] {
		var turn string // the customer turn whose results come now
		customer, blended, translated := 0, 0, 0
		for _, e := range events {
			switch e["kind"] {
			case string(event.KindFinal):
				turn = ""
				if e["speaker"] == string(event.SpeakerCustomer) {
					turn = e["utterance_id"].(string)
					customer++
				}
			case string(event.KindSentiment):
				if e["source"] == string(event.SentimentBlend) && e["utterance_id"] == turn {
					blended++
				}
			case string(event.KindTranslation):
				if e["utterance_id"] == turn {
					translated++
				}
			case string(event.KindSuggestions):
				if e["utterance_id"] != turn {
					t.Errorf("%s: suggestions for %v after the next turn began", id, e["utterance_id"])
				}
				sugs, _ := e["suggestions"].([]any)
				kb, llm := false, false
				for _, s := range sugs {
					s := s.(map[string]any)
					kb = kb || s["source"] == "kb"
					if s["source"] == "llm" {
						llm = true
						if s["partial"] == true || s["text"] != llmtest.DefaultDraft {
							t.Errorf("%s %s: draft %v, want it whole", id, turn, s)
						}
					}
				}
				switch {
				case llm:
					drafted++
				case kb && e["abstain"] != true:
					answerable++
				}
			}
		}
		if blended != customer || translated != customer {
			t.Errorf("%s: %d customer turns, %d blended sentiments, %d translations", id, customer, blended, translated)
		}
	}
	if answerable == 0 || drafted != answerable {
		t.Errorf("%d completed drafts for %d answerable customer turns", drafted, answerable)
	}
	for id, events := range runs[0] {
		a, _ := json.Marshal(events)
		b, _ := json.Marshal(runs[1][id])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between runs:\n%s\n%s", id, a, b)
		}
	}
}
