package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/tui/agent"
)

// TestTryAnswersTypedLines runs 'assist try' on the terminal's input and
// output: the composer has the keys at once; a customer line sent with
// ctrl+s comes back with suggestions, the mood gauges and the flow's
// checklist; a line after the prefix is the agent's turn, and the
// composer stays open for the next line.
func TestTryAnswersTypedLines(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	out := &screenBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := newTryCmd(streams{in: in, out: io.Discard, err: &stderr}, func(ctx context.Context, o *tryOptions) error {
		o.view = agent.Options{NoColor: true, Input: in, Output: out, Width: 160, Height: 48}
		return runTry(ctx, o)
	})
	cmd.SetArgs([]string{"--data", t.TempDir(), "--encoder", ""})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	waitScreen(t, out, "the composer, open", func(s string) bool {
		return strings.Contains(s, "Say") && strings.Contains(s, "a customer line, or > and an agent line")
	})
	typeKeys(t, keys, "I lost my card and I think someone is using it", "\x13") // ctrl+s
	waitScreen(t, out, "the customer's turn answered", func(s string) bool {
		return strings.Contains(s, "Customer  I lost my card") && strings.Contains(s, " 1  ") &&
			strings.Contains(s, "anger") && strings.Contains(s, "Flow: Lost or stolen card")
	})
	typeKeys(t, keys, ">Let me lock the card for you", "\x13")
	waitScreen(t, out, "the agent's turn", func(s string) bool {
		return strings.Contains(s, "Agent     Let me lock the card") && strings.Contains(s, "Agent tone")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("assist try: %v (stderr %q)", err, stderr.String())
	}
}
