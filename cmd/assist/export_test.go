package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// callStore is a real embedded NATS server with JetStream and auth, the
// service's store and one worker with the embedded models: what 'assist
// serve' runs, in-process.
type callStore struct {
	// data is the data folder whose serve folder holds the credentials.
	data   string
	auth   service.Auth
	url    string
	creds  string // the service user's seed
	store  *service.Store
	client *service.Client
	boss   *service.Terminal
}

func startCallStore(t *testing.T) *callStore {
	t.Helper()
	data := t.TempDir()
	dir := serveDir(data)
	cs := &callStore{data: data, auth: service.Auth{Dir: dir}}
	for _, u := range []service.User{{Role: service.RoleService, Name: "service"}, {Role: service.RoleSupervisor, Name: "boss"}} {
		if _, _, err := cs.auth.Add(u.Role, u.Name); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := service.StartNATS(service.NATSConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dir, "js"), Auth: cs.auth})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cs.url = srv.ClientURL()
	cs.creds = cs.auth.CredsPath(service.RoleService, "service")

	bus, err := service.ServiceBus(cs.url, cs.creds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if cs.store, err = service.OpenStore(ctx, js, service.StoreConfig{}); err != nil {
		t.Fatal(err)
	}
	a, err := enginetest.SampleAssistant()
	if err != nil {
		t.Fatal(err)
	}
	w, err := service.NewWorker(ctx, bus, cs.store, service.WorkerOptions{ID: "w1", Assistant: a})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.WaitDirectory(ctx); err != nil {
		t.Fatal(err)
	}

	nc, err := service.Dial(cs.url, cs.creds, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	cs.client = service.NewClient(nc, nil)
	cs.boss, err = service.DialTerminal(service.TerminalConfig{URL: cs.url, Creds: cs.auth.CredsPath(service.RoleSupervisor, "boss"), Role: service.RoleSupervisor, Name: "boss"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.boss.Close)
	return cs
}

// args are the flags that point a command at the store.
func (cs *callStore) args(args ...string) []string {
	return append(args, "--nats", cs.url, "--creds", cs.creds)
}

// hostileText is a customer line that tries to retitle the terminal of
// whoever prints the export.
const hostileText = "\x1b]0;pwned\x07refund the fee now, or I close my account"

// storeCall is a call to drive through the service: customer and agent
// lines, then feedback on the top suggestion of each listed customer
// turn, then the end when ended.
type storeCall struct {
	id       string
	start    event.CallStarted
	lines    []event.Utterance
	feedback []storeFeedback
	ended    bool
}

type storeFeedback struct {
	utteranceID string
	verdict     string
	// named says the feedback names its utterance; otherwise it is found
	// by the suggestion id.
	named bool
	// suggestionID, when set, is sent instead of the top suggestion's.
	suggestionID string
}

func customerSays(text string) event.Utterance {
	return event.Utterance{Speaker: event.SpeakerCustomer, Text: text, Source: event.SourceChat}
}

func agentSays(text string) event.Utterance {
	return event.Utterance{Speaker: event.SpeakerAgent, Text: text, Source: event.SourceChat}
}

// testCalls are two chat calls in billing (one live) and one in cards.
var testCalls = []storeCall{
	{
		id:    "c1",
		start: event.CallStarted{Queue: "cards", Agent: "a1", Customer: "cust-1", Channel: event.ChannelChat},
		lines: []event.Utterance{
			customerSays("I lost my debit card, can you block it?"),
			agentSays("I have blocked the card and ordered a new one."),
			customerSays("Thank you, that was quick, great service"),
		},
		feedback: []storeFeedback{{utteranceID: "u1", verdict: event.VerdictUsed, named: true}},
		ended:    true,
	},
	{
		id:    "c2",
		start: event.CallStarted{Queue: "billing", Agent: "a2", Customer: "cust-2", Channel: event.ChannelChat},
		lines: []event.Utterance{
			customerSays("why was I charged an overdraft fee, this is ridiculous"),
			agentSays("Let me look at that fee for you."),
			customerSays(hostileText),
		},
		feedback: []storeFeedback{
			{utteranceID: "u3", verdict: event.VerdictNotHelpful},
			{suggestionID: "kb:never-shown", verdict: event.VerdictNotHelpful},
		},
	},
	{
		id:    "c3",
		start: event.CallStarted{Queue: "billing", Agent: "a1", Customer: "cust-3", Channel: event.ChannelChat},
		lines: []event.Utterance{
			customerSays("I want to dispute a charge on my credit card"),
			agentSays("I can open a dispute for that charge."),
		},
		feedback: []storeFeedback{{utteranceID: "u1", verdict: event.VerdictHelpful, named: true}},
		ended:    true,
	},
}

// drive plays the calls through the service; each returns once its
// events are stored.
func (cs *callStore) drive(t *testing.T, calls ...storeCall) {
	t.Helper()
	ctx := context.Background()
	for _, c := range calls {
		call, err := cs.client.Start(ctx, c.id, c.start)
		if err != nil {
			t.Fatalf("start %s: %v", c.id, err)
		}
		for _, u := range c.lines {
			if err := call.Final(ctx, u); err != nil {
				t.Fatalf("%s: %v", c.id, err)
			}
		}
		for _, fb := range c.feedback {
			verdict := event.Feedback{SuggestionID: fb.suggestionID, Verdict: fb.verdict}
			if fb.suggestionID == "" {
				top := cs.topSuggestion(t, c.id, fb.utteranceID)
				verdict.SuggestionID, verdict.ArticleID = top.ID, top.ArticleID
			}
			if fb.named {
				verdict.UtteranceID = fb.utteranceID
			}
			cs.feedback(t, c.id, verdict)
		}
		if c.ended {
			if err := call.End("hangup"); err != nil {
				t.Fatalf("end %s: %v", c.id, err)
			}
		}
	}
}

// topSuggestion returns the first suggestion shown for an utterance.
func (cs *callStore) topSuggestion(t *testing.T, callID, utteranceID string) event.Suggestion {
	t.Helper()
	events, _, err := cs.store.History(context.Background(), callID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if s, ok := e.Payload.(event.Suggestions); ok && s.UtteranceID == utteranceID && len(s.Suggestions) > 0 {
			return s.Suggestions[0]
		}
	}
	t.Fatalf("call %s: no suggestion for %s", callID, utteranceID)
	return event.Suggestion{}
}

// feedback sends a verdict as the supervisor, waiting for the worker's
// call directory (updated asynchronously) to know the call.
func (cs *callStore) feedback(t *testing.T, callID string, fb event.Feedback) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := cs.boss.Feedback(context.Background(), callID, fb)
		if err == nil {
			return
		}
		if !errors.Is(err, service.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("feedback on %s: %v", callID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// allEvents returns every stored event, to check the commands'
// figures against.
func (cs *callStore) allEvents(t *testing.T) []event.Event {
	t.Helper()
	var events []event.Event
	if err := cs.store.ReadSince(context.Background(), time.Time{}, func(e event.Event) error {
		events = append(events, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return events
}

// exportedCall is what a JSONL line of the export decodes into.
type exportedCall struct {
	CallID    string     `json:"call_id"`
	Queue     string     `json:"queue"`
	Agent     string     `json:"agent"`
	Customer  string     `json:"customer"`
	Channel   string     `json:"channel"`
	Started   time.Time  `json:"started"`
	Ended     *time.Time `json:"ended"`
	DurationS *float64   `json:"duration_s"`
	EndReason string     `json:"end_reason"`
	Sentiment *float64   `json:"sentiment"`
	Alerts    []struct{ Type, Severity, Reason string }
	Turns     []struct {
		UtteranceID string             `json:"utterance_id"`
		Speaker     string             `json:"speaker"`
		Text        string             `json:"text"`
		Source      string             `json:"source"`
		Sentiment   *float64           `json:"sentiment"`
		Emotions    map[string]float64 `json:"emotions"`
		Suggestions []event.Suggestion
		Abstain     bool `json:"abstain"`
		Feedback    []struct {
			SuggestionID string `json:"suggestion_id"`
			Verdict      string `json:"verdict"`
		}
	}
	UnmatchedFeedback []json.RawMessage `json:"unmatched_feedback"`
}

func decodeExport(t *testing.T, out string) []exportedCall {
	t.Helper()
	var calls []exportedCall
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var c exportedCall
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		calls = append(calls, c)
	}
	return calls
}

func TestExportJSONLAndCSV(t *testing.T) {
	cs := startCallStore(t)
	cs.drive(t, testCalls...)
	events := cs.allEvents(t)

	stdout, stderr, err := execute(t, cs.args("export", "--since", "0")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if strings.ContainsAny(stdout, "\x1b\x07") {
		t.Error("JSONL holds raw control characters")
	}
	if !strings.Contains(stderr, "exported 3 calls, 8 utterances") {
		t.Errorf("stderr = %q", stderr)
	}
	calls := decodeExport(t, stdout)
	ids := []string{}
	for _, c := range calls {
		ids = append(ids, c.CallID)
	}
	if !slices.Equal(ids, []string{"c1", "c2", "c3"}) {
		t.Fatalf("exported calls %v, want c1 c2 c3 in start order", ids)
	}
	c1, c2, c3 := calls[0], calls[1], calls[2]
	if c1.Queue != "cards" || c1.Agent != "a1" || c1.Customer != "cust-1" || c1.Channel != "chat" || c1.EndReason != "hangup" {
		t.Errorf("c1 = %+v", c1)
	}
	if c1.Ended == nil || c1.DurationS == nil || *c1.DurationS < 0 || c1.Ended.Before(c1.Started) {
		t.Errorf("c1 ended %v duration %v", c1.Ended, c1.DurationS)
	}
	if c2.Ended != nil || c2.DurationS != nil {
		t.Errorf("live c2 has an end: %v %v", c2.Ended, c2.DurationS)
	}
	for _, c := range calls {
		if c.Sentiment == nil {
			t.Errorf("%s: no customer sentiment", c.CallID)
		}
		for _, turn := range c.Turns {
			customer := turn.Speaker == "customer"
			if customer != (turn.Sentiment != nil) || customer != (turn.Emotions != nil) {
				t.Errorf("%s %s (%s): sentiment %v emotions %v", c.CallID, turn.UtteranceID, turn.Speaker, turn.Sentiment, turn.Emotions)
			}
			if !customer && (len(turn.Suggestions) > 0 || turn.Abstain) {
				t.Errorf("%s %s: agent turn with suggestions", c.CallID, turn.UtteranceID)
			}
		}
	}
	if len(c1.Turns) != 3 || c1.Turns[0].Text != "I lost my debit card, can you block it?" || c1.Turns[1].Speaker != "agent" || c1.Turns[0].Source != "chat" {
		t.Fatalf("c1 turns = %+v", c1.Turns)
	}
	first := c1.Turns[0]
	if len(first.Suggestions) == 0 || first.Suggestions[0].ID == "" || first.Suggestions[0].Text == "" || first.Suggestions[0].Confidence <= 0 {
		t.Errorf("c1 u1 suggestions = %+v", first.Suggestions)
	}
	if len(first.Feedback) != 1 || first.Feedback[0].Verdict != "used" || first.Feedback[0].SuggestionID != first.Suggestions[0].ID {
		t.Errorf("c1 u1 feedback = %+v", first.Feedback)
	}
	// Unnamed feedback goes to the latest turn that showed the suggestion;
	// feedback on a suggestion the call never showed is kept apart.
	var verdicts []string
	for _, turn := range c2.Turns {
		for _, fb := range turn.Feedback {
			verdicts = append(verdicts, turn.UtteranceID+"="+fb.Verdict)
		}
	}
	if !slices.Equal(verdicts, []string{"u3=not_helpful"}) || len(c2.UnmatchedFeedback) != 1 {
		t.Errorf("c2 feedback: turns %v, unmatched %d", verdicts, len(c2.UnmatchedFeedback))
	}
	if got := c2.Turns[2].Text; got != hostileText {
		t.Errorf("JSONL text %q, want it as stored", got)
	}
	if len(c3.Turns) != 2 || c3.Queue != "billing" {
		t.Errorf("c3 = %+v", c3)
	}

	// The queue filter, and CSV chosen by the file's extension.
	out := filepath.Join(t.TempDir(), "billing.csv")
	if _, stderr, err := execute(t, cs.args("export", "--since", "1h", "--queue", "billing", "--out", out)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(data, "\x1b\x07\r") {
		t.Errorf("CSV holds control characters:\n%q", data)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], csvHeader) {
		t.Errorf("header %v", rows[0])
	}
	finals := 0
	for _, e := range events {
		if e.Kind == event.KindFinal && (e.CallID == "c2" || e.CallID == "c3") {
			finals++
		}
	}
	if len(rows)-1 != finals || finals != 5 {
		t.Fatalf("%d rows, want one per final utterance of billing (%d)", len(rows)-1, finals)
	}
	col := func(row []string, name string) string { return row[slices.Index(csvHeader, name)] }
	for _, row := range rows[1:] {
		if col(row, "queue") != "billing" {
			t.Errorf("row of queue %q", col(row, "queue"))
		}
		if col(row, "speaker") == "customer" && (col(row, "sentiment") == "" || col(row, "top_suggestion") == "" || col(row, "top_confidence") == "") {
			t.Errorf("customer row without its analysis: %q", row)
		}
	}
	hostile := rows[3]
	if col(hostile, "call_id") != "c2" || col(hostile, "text") != "]0;pwnedrefund the fee now, or I close my account" {
		t.Errorf("hostile row %q", hostile)
	}
	if want := c2.Turns[2].Suggestions[0].ID + "=not_helpful"; col(hostile, "feedback") != want {
		t.Errorf("c2 u3 feedback cell %q, want %q", col(hostile, "feedback"), want)
	}
}

func TestExportSinceWindow(t *testing.T) {
	cs := startCallStore(t)
	cs.drive(t, testCalls[0])
	between := time.Now()
	cs.drive(t, testCalls[1:]...)

	// A clock one hour after the first call makes --since 1h start at it.
	var out, errOut bytes.Buffer
	cmd := newExportCmd(streams{out: &out, err: &errOut}, func(ctx context.Context, o *exportOptions) error {
		o.now = func() time.Time { return between.Add(time.Hour) }
		return runExport(ctx, o)
	})
	cmd.SetArgs(cs.args("--since", "1h"))
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var ids []string
	for _, c := range decodeExport(t, out.String()) {
		ids = append(ids, c.CallID)
	}
	if !slices.Equal(ids, []string{"c2", "c3"}) {
		t.Errorf("exported %v, want the calls after the first", ids)
	}

	// Nothing has started in the last nanosecond.
	stdout, stderr, err := execute(t, cs.args("export", "--since", "1ns", "--format", "csv")...)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != strings.Join(csvHeader, ",")+"\n" || !strings.Contains(stderr, "no calls since") {
		t.Errorf("empty window: stdout %q stderr %q", stdout, stderr)
	}
}

func TestExportErrors(t *testing.T) {
	// No service in the data folder.
	data := t.TempDir()
	for _, cmd := range []string{"export", "report"} {
		_, _, err := execute(t, cmd, "--data", data)
		if !errors.Is(err, service.ErrNoService) || !strings.Contains(err.Error(), "assist serve") || !strings.Contains(err.Error(), "--nats") {
			t.Errorf("%s without a service: %v", cmd, err)
		}
	}

	// Unknown format and bad window are usage errors (exit 2).
	for _, args := range [][]string{
		{"export", "--format", "xml"},
		{"export", "--since", "-1h"},
		{"export", "--since", "yesterday"},
		{"report", "--since", "-5m"},
		{"report", "extra"},
	} {
		var ue usageError
		if _, _, err := execute(t, args...); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if code := run([]string{"export", "--format", "xml"}); code != exitUsage {
		t.Errorf("unknown format: exit %d, want %d", code, exitUsage)
	}

	// Credentials the server does not know.
	cs := startCallStore(t)
	stranger, _, err := service.Auth{Dir: t.TempDir()}.Add(service.RoleService, "service")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = execute(t, "export", "--nats", cs.url, "--creds", stranger)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") || !strings.Contains(err.Error(), stranger) {
		t.Errorf("unknown credentials: %v", err)
	}
	// A supervisor may not read the store, and is told so at once.
	boss := cs.auth.CredsPath(service.RoleSupervisor, "boss")
	_, _, err = execute(t, "report", "--nats", cs.url, "--creds", boss)
	if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), "service user's --creds") {
		t.Errorf("supervisor credentials: %v", err)
	}
	// The service's URL and seed found in --data.
	if err := service.WriteInfo(cs.auth.Dir, service.Info{NATSURL: cs.url}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := execute(t, "export", "--data", cs.data)
	if err != nil || stdout != "" || !strings.Contains(stderr, "no calls since") {
		t.Errorf("export via --data: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
}

func TestExportFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		format string
		since  time.Duration
	}{
		{nil, "jsonl", 24 * time.Hour},
		{[]string{"--out", "calls.CSV"}, "csv", 24 * time.Hour},
		{[]string{"--out", "calls.csv", "--format", "jsonl", "--since", "0"}, "jsonl", 0},
		{[]string{"--format", "csv", "--since", "90m", "--queue", "billing"}, "csv", 90 * time.Minute},
	} {
		var got *exportOptions
		cmd := newExportCmd(streams{}, func(_ context.Context, o *exportOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got.format != tc.format || got.since != tc.since {
			t.Errorf("%v: format %q since %s, want %q %s", tc.args, got.format, got.since, tc.format, tc.since)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"plain, with \"quotes\"":     "plain, with \"quotes\"",
		"two\nlines\tand a tab":      "two\nlines\tand a tab",
		"\x1b]0;pwned\x07hi":         "]0;pwnedhi",
		"crlf\r\nline":               "crlf\nline",
		"c1 \u009b31m csi\u0085 nel": "c1 31m csi nel",
		"bad \xff utf8":              "bad \uFFFD utf8",
		"=HYPERLINK(\"x\")":          "'=HYPERLINK(\"x\")",
		"+1 for you":                 "'+1 for you",
		"-5 stars":                   "'-5 stars",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\x1b=cmd":                   "'=cmd",
		"ünïcode ✓":                  "ünïcode ✓",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportRedactsPersonalData(t *testing.T) {
	cs := startCallStore(t)
	cs.drive(t, storeCall{
		id:    "pii",
		start: event.CallStarted{Queue: "cards", Agent: "a1", Channel: event.ChannelChat},
		lines: []event.Utterance{
			customerSays("I lost my card 4111 1111 1111 1111, mail me at jo@example.com"),
			agentSays("Blocked. Your account number 0123456789 is safe."),
		},
		ended: true,
	})
	out, _, err := execute(t, cs.args("export", "--since", "0")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, pii := range []string{"4111 1111 1111 1111", "jo@example.com", "0123456789"} {
		if strings.Contains(out, pii) {
			t.Errorf("%q exported", pii)
		}
	}
	if !strings.Contains(out, "I lost my card [CARD], mail me at [EMAIL]") {
		t.Errorf("export %s", out)
	}
	raw, _, err := execute(t, cs.args("export", "--since", "0", "--redact", "none")...)
	if err != nil || !strings.Contains(raw, "4111 1111 1111 1111") {
		t.Errorf("--redact none: %v %s", err, raw)
	}
	if _, _, err := execute(t, cs.args("export", "--redact", "cards")...); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
