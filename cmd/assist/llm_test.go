package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/agent"
)

// piiTable is real-looking personal data a customer might say; none of it
// may reach a model server.
var piiTable = []string{
	"4111 1111 1111 1111",
	"5500-0000-0000-0004",
	"GB82 WEST 1234 5698 7654 32",
	"DE89370400440532013000",
	"078-05-1120",
	"(415) 555-0132",
	"+44 20 7946 0958",
	"daniel.okafor+bank@example.com",
	"12 March 1985",
	"0123456789",
}

// piiCall writes a call whose customer turns carry the table's data, each
// turn 2 s after the last.
func piiCall(t *testing.T) string {
	t.Helper()
	lines := []string{`{"type":"call","call_id":"pii-call","title":"PII","queue":"cards","agent":"a1","channel":"chat"}`}
	turns := []string{
		"I lost my debit card, the number is 4111 1111 1111 1111, please block it.",
		"My other card 5500-0000-0000-0004 is fine.",
		"Refund it to GB82 WEST 1234 5698 7654 32 or DE89370400440532013000.",
		"My SSN is 078-05-1120 and my phone is (415) 555-0132, or +44 20 7946 0958.",
		"Email daniel.okafor+bank@example.com; I was born on 12 March 1985.",
		"My account number is 0123456789. Can you send a new card?",
	}
	for i, text := range turns {
		b, _ := json.Marshal(map[string]any{"offset": float64(i * 2), "duration": 1.5, "speaker": "customer", "text": text})
		lines = append(lines, string(b))
	}
	path := filepath.Join(t.TempDir(), "pii.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func decodeEvents(t *testing.T, ndjson string) []event.Event {
	t.Helper()
	var out []event.Event
	sc := bufio.NewScanner(strings.NewReader(ndjson))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad event %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestHeadlessReplayWithAModelServer(t *testing.T) {
	srv := llmtest.NewServer(t)
	out, _, err := execute(t, "replay", "--headless", "--speed", "8", "--llm-url", srv.URL, "--llm-model", llmtest.DefaultModel, piiCall(t))
	if err != nil {
		t.Fatal(err)
	}
	drafts, partial := 0, 0
	var wrapup *event.Summary
	for _, e := range decodeEvents(t, out) {
		switch p := e.Payload.(type) {
		case event.Suggestions:
			for _, s := range p.Suggestions {
				if s.Source == "llm" {
					if s.Partial {
						partial++
					} else if s.Text == llmtest.DefaultDraft && len(s.ArticleIDs) > 0 {
						drafts++
					}
				}
			}
		case event.CallEnded:
			wrapup = p.Wrapup
		}
	}
	if drafts == 0 {
		t.Errorf("no finished llm draft in the suggestions events (%d partial)", partial)
	}
	if wrapup == nil || wrapup.Source != "llm" || wrapup.Situation == "" {
		t.Errorf("call.ended wrap-up %+v, want the model server's", wrapup)
	}
	// Zero personal data from the table reached the server; its
	// placeholders did.
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request reached the model server")
	}
	sent := ""
	for _, r := range reqs {
		sent += string(r.Body)
	}
	for _, pii := range piiTable {
		if strings.Contains(sent, pii) || strings.Contains(sent, strings.ReplaceAll(pii, " ", "")) {
			t.Errorf("%q reached the model server", pii)
		}
	}
	for _, ph := range []string{"[CARD]", "[IBAN]", "[SSN]", "[PHONE]", "[EMAIL]", "[DOB]", "[ACCOUNT]"} {
		if !strings.Contains(sent, ph) {
			t.Errorf("no %s placeholder in what was sent", ph)
		}
	}
}

func TestHeadlessReplayWithADeadModelServer(t *testing.T) {
	out, _, err := execute(t, "replay", "--headless", "--speed", "8", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", piiCall(t))
	if err != nil {
		t.Fatal(err)
	}
	degraded := ""
	var wrapup *event.Summary
	for _, e := range decodeEvents(t, out) {
		switch p := e.Payload.(type) {
		case event.Suggestions:
			if p.Degraded != "" {
				degraded = p.Degraded
			}
			for _, s := range p.Suggestions {
				if s.Source == "llm" && !s.Partial {
					t.Errorf("a draft from a dead server: %+v", s)
				}
			}
		case event.CallEnded:
			wrapup = p.Wrapup
		}
	}
	if !strings.HasPrefix(degraded, "llm:") {
		t.Errorf("degraded = %q, want the breaker's reason", degraded)
	}
	if wrapup == nil || wrapup.Source != "extractive" {
		t.Errorf("wrap-up %+v, want the extractive one", wrapup)
	}
}

func TestHeadlessReplayBlendsEmotionAndTranslates(t *testing.T) {
	srv := llmtest.NewServer(t)
	out, _, err := execute(t, "replay", "--headless", "--speed", "8", "--llm-url", srv.URL, "--llm-model", llmtest.DefaultModel,
		"--llm-emotion", "--agent-lang", "de", piiCall(t))
	if err != nil {
		t.Fatal(err)
	}
	blends, translations := 0, 0
	for _, e := range decodeEvents(t, out) {
		switch p := e.Payload.(type) {
		case event.Sentiment:
			if p.Source == "blend" && p.LLMScore != nil && *p.LLMScore == -0.5 {
				blends++
			}
		case event.Translation:
			if p.Lang == "de" && p.Text == llmtest.DefaultTranslate && p.Speaker == event.SpeakerCustomer {
				translations++
			}
		}
	}
	// One each per customer turn; the last turn's may be cut off by the
	// call's end, which cancels what is still asked.
	if blends < 5 || translations < 5 {
		t.Errorf("blended sentiment events %d, translations %d; want one each per customer turn (6, or 5)", blends, translations)
	}
	if _, _, err := execute(t, "replay", "--headless", "--agent-lang", "de", piiCall(t)); err == nil {
		t.Error("--agent-lang without a chat server was accepted")
	}
}

// syncBuffer is a bytes.Buffer the agent view writes while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runViewUntil replays the PII call in the agent view on a pipe, with the
// model flags, until the screen shows want.
func runViewUntil(t *testing.T, mf modelFlags, want string) {
	t.Helper()
	t.Setenv("ASSIST_DATA", t.TempDir())
	calls, _, err := loadCalls([]string{piiCall(t)}, "")
	if err != nil {
		t.Fatal(err)
	}
	kf := kbFlags{data: t.TempDir()}
	stack, err := startEngine(context.Background(), &kf, &mf, &guidanceFlags{}, newLogger(nil, false))
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	player := engine.NewPlayer(stack.engine, engine.PlayerOptions{Speed: 8})
	in, keys := io.Pipe()
	defer keys.Close()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runAgentView(ctx, stack, player, calls, agent.Options{NoColor: true, Input: in, Output: out, Width: 160, Height: 48})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(ansi.Strip(out.String()), want) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the agent view never showed %q", want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAgentViewStreamsDrafts(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithTiming(llmtest.Timing{BetweenTokens: 20 * time.Millisecond}))
	runViewUntil(t, modelFlags{llmURL: srv.URL, llmModel: llmtest.DefaultModel, llmTimeout: 5 * time.Second, redactKinds: "all"}, "✎ draft")
}

func TestAgentViewShowsDegraded(t *testing.T) {
	runViewUntil(t, modelFlags{llmURL: "http://127.0.0.1:1/v1", llmModel: "m", llmTimeout: time.Second, redactKinds: "all"}, "degraded")
}
