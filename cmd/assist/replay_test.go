package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
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
	if got.speed != 4 || !got.headless || got.format != "sgd" || got.kb.dir != "dir" || len(got.files) != 2 {
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
