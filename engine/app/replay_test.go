package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist/llm/llmtest"
	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// replay plays calls (the bundled samples when none) headless at speed
// through a stack built from cfg, and returns the events.
func replay(t *testing.T, cfg Config, speed float64, calls ...transcript.Call) []event.Event {
	t.Helper()
	if cfg.KB.Data == "" {
		cfg.KB.Data = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = discard
	}
	if len(calls) == 0 {
		var err error
		if calls, _, err = LoadCalls(nil, transcript.FormatAuto); err != nil {
			t.Fatal(err)
		}
	}
	stack, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	var out bytes.Buffer
	player := engine.NewPlayer(stack.Engine, engine.PlayerOptions{Speed: speed})
	if _, err := engine.ReplayHeadless(context.Background(), stack.Bus, player, calls, &out); err != nil {
		t.Fatal(err)
	}
	return decodeEvents(t, out.String())
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

func TestReplayWithGuidance(t *testing.T) {
	events := replay(t, Config{Guidance: DefaultGuidance}, 0)
	offers, kinds := 0, map[string]bool{}
	for _, e := range events {
		switch p := e.Payload.(type) {
		case event.Recommendations:
			for _, r := range p.Recommendations {
				if r.Kind == "offer" && r.Reason != "" {
					offers++
				}
			}
		case event.Alert:
			if p.UtteranceID == "" || p.Rule == "" {
				t.Errorf("alert %+v cites no utterance or names no rule", p)
			}
			kinds[p.Type] = true
		}
	}
	if offers == 0 {
		t.Error("no personalised offer for the sample customers")
	}
	checkGuidanceRows(t, events)
	for _, k := range []string{"supervisor", "fraud", "vulnerable", "disclosure"} {
		if !kinds[k] {
			t.Errorf("no %s warning in the sample calls (got %v)", k, kinds)
		}
	}
}

// checkGuidanceRows checks the recommendations of replayed calls: no row
// twice in one list, and no offer while the call's checklist, now or
// earlier, is a complaint, fraud or loss flow, or after a complaint or
// fraud warning.
func checkGuidanceRows(t *testing.T, events []event.Event) {
	t.Helper()
	sensitive := []string{"complaint-escalation", "fraud-report", "unauthorised-transactions", "card-lost-stolen", "dispute-charge"}
	held := map[string]string{} // call → why offers hold back
	for _, e := range events {
		switch p := e.Payload.(type) {
		case event.Alert:
			if p.Type == "complaint" || p.Type == "fraud" {
				held[e.CallID] = "a " + p.Type + " warning"
			}
		case event.Recommendations:
			if f := p.Flow; f != nil {
				for _, fs := range append([]event.FlowState{*f}, f.Earlier...) {
					if slices.Contains(sensitive, fs.ID) {
						held[e.CallID] = "the " + fs.ID + " flow"
					}
				}
			}
			seen := map[string]bool{}
			for _, r := range p.Recommendations {
				key := r.Kind + "|" + r.Title
				if seen[key] {
					t.Errorf("%s: row %q twice in one list", e.CallID, key)
				}
				seen[key] = true
				if r.Kind == "offer" && held[e.CallID] != "" {
					t.Errorf("%s: offer %q during %s", e.CallID, r.Title, held[e.CallID])
				}
			}
		}
	}
}

func TestGuidanceErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(bad, []byte("warnings:\n  - id: x\n    kind: nonsense\n    when: {phrases: [a]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A rules file whose every rule is bad still lets the engine run, and
	// the log names the file and line.
	var logs bytes.Buffer
	m, err := LoadModels(context.Background(), Config{Guidance: GuidanceConfig{Rules: bad}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil || !strings.Contains(logs.String(), "rules.yaml:3") {
		t.Errorf("bad rules: err %v, logs %q", err, logs.String())
	}
	if m != nil {
		m.Close()
	}
	if _, err := LoadModels(context.Background(), Config{Guidance: GuidanceConfig{Profiles: filepath.Join(t.TempDir(), "absent.json")}}); err == nil {
		t.Error("a missing profiles file was accepted")
	}
	var ce *ConfigError
	if _, err := LoadModels(context.Background(), Config{Guidance: GuidanceConfig{Flows: "../../kb/testdata/broken"}}); err == nil {
		t.Error("flows from a broken knowledge base were accepted")
	} else if errors.As(err, &ce) {
		t.Errorf("a broken knowledge base is no configuration error: %v", err)
	}
}

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

// piiCall is a call whose customer turns carry the table's data, each
// turn 2 s after the last.
func piiCall(t *testing.T) transcript.Call {
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
	calls, _, err := transcript.Parse("pii.jsonl", []byte(strings.Join(lines, "\n")+"\n"), transcript.FormatCalls)
	if err != nil || len(calls) != 1 {
		t.Fatalf("pii call: %v", err)
	}
	return calls[0]
}

// withModelServer is a configuration with the chat server at url.
func withModelServer(url, model string) Config {
	return Config{Model: ModelConfig{URL: url, Model: model, Timeout: 20 * time.Second}}
}

func TestReplayWithAModelServer(t *testing.T) {
	srv := llmtest.NewServer(t)
	drafts, partial := 0, 0
	var wrapup *event.Summary
	for _, e := range replay(t, withModelServer(srv.URL, llmtest.DefaultModel), 8, piiCall(t)) {
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

// spokenCall is a voice call as a recogniser writes it: the customer says
// a card number aloud, and gives a date of birth, the last four of an SSN
// and an account number only as answers to the agent's questions.
func spokenCall(t *testing.T) transcript.Call {
	t.Helper()
	lines := []string{`{"type":"call","call_id":"spoken-call","title":"spoken","queue":"cards","agent":"a1","channel":"voice"}`}
	for i, turn := range [][2]string{
		{"agent", "thanks for calling how can I help"},
		{"customer", "I lost my debit card the number is four one one one one one one one one one one one one one one one please block it"},
		{"agent", "I'm sorry to hear that can you confirm your date of birth"},
		{"customer", "march fourth nineteen eighty eight"},
		{"agent", "thank you and what are the last four digits of your social"},
		{"customer", "six two oh one"},
		{"agent", "what's the account number"},
		{"customer", "double oh one two three four five six seven eight"},
		{"customer", "and can you send me a new card"},
	} {
		b, _ := json.Marshal(map[string]any{"offset": float64(i * 2), "duration": 1.5, "speaker": turn[0], "text": turn[1]})
		lines = append(lines, string(b))
	}
	calls, _, err := transcript.Parse("spoken.jsonl", []byte(strings.Join(lines, "\n")+"\n"), transcript.FormatCalls)
	if err != nil || len(calls) != 1 {
		t.Fatalf("spoken call: %v", err)
	}
	return calls[0]
}

func TestReplaySpokenNumbersNeverReachTheModelServers(t *testing.T) {
	chat := llmtest.NewServer(t)
	var mu sync.Mutex
	var embedded []string
	emb, _ := embeddingsServer(t, func(text string) {
		mu.Lock()
		embedded = append(embedded, text)
		mu.Unlock()
	})
	cfg := withModelServer(chat.URL, llmtest.DefaultModel)
	cfg.Model.Emotion, cfg.Model.AgentLang = true, "de"
	cfg.KB.EmbedURL, cfg.KB.EmbedModel = emb.URL+"/v1", "bow"
	replay(t, cfg, 8, spokenCall(t))

	kinds := map[llmtest.Kind]int{}
	var sent strings.Builder
	for _, r := range chat.Requests() {
		kinds[r.Kind]++
		sent.Write(r.Body)
	}
	// Every path a text leaves by was taken: drafts and the summary (the
	// transcript), emotion and translation (one utterance alone), and the
	// knowledge-base query embedded by the embeddings server.
	if kinds[llmtest.KindSummary] == 0 || kinds[llmtest.KindEmotion] == 0 || kinds[llmtest.KindTranslate] == 0 {
		t.Errorf("requests by kind %v: want summaries, emotions and translations", kinds)
	}
	mu.Lock()
	for _, text := range embedded {
		sent.WriteString(text)
	}
	queries := len(embedded)
	mu.Unlock()
	if queries == 0 {
		t.Error("nothing reached the embeddings server")
	}
	out := strings.ToLower(sent.String())
	for _, pii := range []string{"four one one one", "4111", "march fourth", "1988", "six two oh one", "6201", "double oh one two", "0012345678"} {
		if strings.Contains(out, pii) {
			t.Errorf("%q reached a model server", pii)
		}
	}
	for _, ph := range []string{"[card]", "[dob]", "[ssn]", "[account]"} {
		if !strings.Contains(out, ph) {
			t.Errorf("no %s placeholder in what was sent", ph)
		}
	}
}

func TestReplayWithADeadModelServer(t *testing.T) {
	degraded := ""
	var wrapup *event.Summary
	for _, e := range replay(t, withModelServer("http://127.0.0.1:1/v1", "m"), 8, piiCall(t)) {
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

func TestReplayBlendsEmotionAndTranslates(t *testing.T) {
	srv := llmtest.NewServer(t)
	cfg := withModelServer(srv.URL, llmtest.DefaultModel)
	cfg.Model.Emotion, cfg.Model.AgentLang = true, "de"
	blends, translations := 0, 0
	for _, e := range replay(t, cfg, 8, piiCall(t)) {
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
	var ce *ConfigError
	if _, err := Start(context.Background(), Config{Model: ModelConfig{AgentLang: "de"}}); !errors.As(err, &ce) {
		t.Errorf("an agent language without a chat server: %v, want a configuration error", err)
	}
	if _, err := Start(context.Background(), Config{Model: ModelConfig{URL: srv.URL}}); !errors.As(err, &ce) {
		t.Errorf("a chat server without a model: %v, want a configuration error", err)
	}
}

func TestReplayStereoCallRecording(t *testing.T) {
	sphinxtest.Recognizer(t)
	customer, err := audio.LoadWAV(sphinxtest.LibriVoxClip("0880"))
	if err != nil {
		t.Fatal(err)
	}
	agent, err := audio.LoadWAV(sphinxtest.LibriVoxClip("0930"))
	if err != nil {
		t.Fatal(err)
	}
	// The customer speaks, then the agent answers on the other channel.
	n := len(customer.Channels[0]) + len(agent.Channels[0])
	left, right := make([]int16, n), make([]int16, n)
	copy(left, customer.Channels[0])
	copy(right[len(customer.Channels[0]):], agent.Channels[0])
	path := filepath.Join(t.TempDir(), "call.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteWAV(f, audio.SampleRate, left, right); err != nil {
		t.Fatal(err)
	}
	f.Close()
	calls, _, err := LoadReplay(Replay{Files: []string{path}}, Config{Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].ID != "call" {
		t.Fatalf("calls %+v, want the recording alone", calls)
	}
	out, err := json.Marshal(replay(t, Config{}, 0, calls...))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"speaker":"customer"`, `"speaker":"agent"`, `"kind":"sentiment"`, `"kind":"suggestions"`, "young man", `"kind":"call.ended"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("replay of a stereo recording lacks %s", want)
		}
	}
}
