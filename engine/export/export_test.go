package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
)

// hostileText is a customer line that tries to retitle the terminal of
// whoever prints the export.
const hostileText = "\x1b]0;pwned\x07refund the fee now, or I close my account"

// testCalls are two chat calls in billing (one live) and one in cards.
var testCalls = []servicetest.Call{
	{
		ID:    "c1",
		Start: event.CallStarted{Queue: "cards", Agent: "a1", Customer: "cust-1", Channel: event.ChannelChat},
		Lines: []event.Utterance{
			servicetest.CustomerSays("I lost my debit card, can you block it?"),
			servicetest.AgentSays("I have blocked the card and ordered a new one."),
			servicetest.CustomerSays("Thank you, that was quick, great service"),
		},
		Feedback: []servicetest.Feedback{{UtteranceID: "u1", Verdict: event.VerdictUsed, Named: true}},
		Ended:    true,
	},
	{
		ID:    "c2",
		Start: event.CallStarted{Queue: "billing", Agent: "a2", Customer: "cust-2", Channel: event.ChannelChat},
		Lines: []event.Utterance{
			servicetest.CustomerSays("why was I charged an overdraft fee, this is ridiculous"),
			servicetest.AgentSays("Let me look at that fee for you."),
			servicetest.CustomerSays(hostileText),
		},
		Feedback: []servicetest.Feedback{
			{UtteranceID: "u3", Verdict: event.VerdictNotHelpful},
			{SuggestionID: "kb:never-shown", Verdict: event.VerdictNotHelpful},
		},
	},
	{
		ID:    "c3",
		Start: event.CallStarted{Queue: "billing", Agent: "a1", Customer: "cust-3", Channel: event.ChannelChat},
		Lines: []event.Utterance{
			servicetest.CustomerSays("I want to dispute a charge on my credit card"),
			servicetest.AgentSays("I can open a dispute for that charge."),
		},
		Feedback: []servicetest.Feedback{{UtteranceID: "u1", Verdict: event.VerdictHelpful, Named: true}},
		Ended:    true,
	},
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
		if err := json.NewDecoder(strings.NewReader(line)).Decode(&c); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		calls = append(calls, c)
	}
	return calls
}

// export reads the calls of the window and queue and writes them in
// format.
func export(t *testing.T, s *servicetest.Service, since time.Time, queue, format string, r *redact.Redactor) string {
	t.Helper()
	calls, err := ReadCalls(context.Background(), s.Store, since, queue)
	if err != nil {
		t.Fatal(err)
	}
	Redact(calls, r)
	var out bytes.Buffer
	if err := Write(&out, format, calls); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestExportJSONLAndCSV(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, testCalls...)
	events := s.AllEvents(t)

	stdout := export(t, s, time.Time{}, "", FormatJSONL, nil)
	if strings.ContainsAny(stdout, "\x1b\x07") {
		t.Error("JSONL holds raw control characters")
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

	// The queue filter, as CSV.
	data := []byte(export(t, s, time.Now().Add(-time.Hour), "billing", FormatCSV, nil))
	if bytes.ContainsAny(data, "\x1b\x07\r") {
		t.Errorf("CSV holds control characters:\n%q", data)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], CSVHeader) {
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
	col := func(row []string, name string) string { return row[slices.Index(CSVHeader, name)] }
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
	s := servicetest.Start(t)
	s.Drive(t, testCalls[0])
	between := time.Now()
	s.Drive(t, testCalls[1:]...)

	// A clock one hour after the first call makes a window of 1h start at
	// it.
	since := Since(func() time.Time { return between.Add(time.Hour) }, time.Hour)
	var ids []string
	for _, c := range decodeExport(t, export(t, s, since, "", FormatJSONL, nil)) {
		ids = append(ids, c.CallID)
	}
	if !slices.Equal(ids, []string{"c2", "c3"}) {
		t.Errorf("exported %v, want the calls after the first", ids)
	}

	// Nothing has started in the last nanosecond.
	if out := export(t, s, Since(nil, time.Nanosecond), "", FormatCSV, nil); out != strings.Join(CSVHeader, ",")+"\n" {
		t.Errorf("empty window: %q", out)
	}
	if got := Since(nil, 0); !got.IsZero() {
		t.Errorf("a window of 0 starts at %v, want every stored call", got)
	}
	if line := NoCallsLine(time.Time{}, "billing"); line != `no calls in queue "billing" in the store` {
		t.Errorf("no calls line %q", line)
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
	s := servicetest.Start(t)
	s.Drive(t, servicetest.Call{
		ID:    "pii",
		Start: event.CallStarted{Queue: "cards", Agent: "a1", Channel: event.ChannelChat},
		Lines: []event.Utterance{
			servicetest.CustomerSays("I lost my card 4111 1111 1111 1111, mail me at jo@example.com"),
			servicetest.AgentSays("Blocked. Your account number 0123456789 is safe."),
			servicetest.AgentSays("Can you confirm your date of birth?"),
			servicetest.CustomerSays("march fourth eighty eight"),
			servicetest.CustomerSays("my other card is five five double oh double oh double oh double oh double oh double oh oh four"),
		},
		Ended: true,
	})
	r, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out := export(t, s, time.Time{}, "", FormatJSONL, r)
	for _, pii := range []string{"4111 1111 1111 1111", "jo@example.com", "0123456789", "march fourth", "five five double oh"} {
		if strings.Contains(out, pii) {
			t.Errorf("%q exported", pii)
		}
	}
	if !strings.Contains(out, "I lost my card [CARD], mail me at [EMAIL]") || !strings.Contains(out, `"text":"[DOB]"`) ||
		!strings.Contains(out, "my other card is [CARD]") {
		t.Errorf("export %s", out)
	}
	if raw := export(t, s, time.Time{}, "", FormatJSONL, nil); !strings.Contains(raw, "4111 1111 1111 1111") {
		t.Errorf("no redaction: %s", raw)
	}
}
