package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
	"github.com/larkspur-labs/assist/internal/stats"
)

// expectedQueue is what the report must say of a queue, counted straight
// from the stored events.
type expectedQueue struct {
	calls, ended, suggested int
	verdicts                map[string]int
	alerts                  map[string]int
}

func expectedReport(events []event.Event) map[string]*expectedQueue {
	queueOf := map[string]string{}
	out := map[string]*expectedQueue{}
	for _, e := range events {
		if s, ok := e.Payload.(event.CallStarted); ok {
			queueOf[e.CallID] = s.Queue
			if out[s.Queue] == nil {
				out[s.Queue] = &expectedQueue{verdicts: map[string]int{}, alerts: map[string]int{}}
			}
			out[s.Queue].calls++
			continue
		}
		q := out[queueOf[e.CallID]]
		switch p := e.Payload.(type) {
		case event.CallEnded:
			q.ended++
		case event.Suggestions:
			if !p.Abstain {
				q.suggested++
			}
		case event.Feedback:
			q.verdicts[p.Verdict]++
		case event.Alert:
			q.alerts[p.Type]++
		}
	}
	return out
}

// report reads the calls of the window and queue and reports on them.
func report(t *testing.T, s *servicetest.Service, since time.Time, queue string) []QueueReport {
	t.Helper()
	calls, err := ReadCalls(context.Background(), s.Store, since, queue)
	if err != nil {
		t.Fatal(err)
	}
	return Report(calls)
}

func TestReport(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, testCalls...)
	want := expectedReport(s.AllEvents(t))
	if len(want) != 2 || want["billing"].calls != 2 || want["cards"].calls != 1 {
		t.Fatalf("driven calls: %+v", want)
	}

	var buf bytes.Buffer
	if err := WriteReportJSON(&buf, report(t, s, time.Time{}, "")); err != nil {
		t.Fatal(err)
	}
	var got []QueueReport
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(got) != 2 || got[0].Queue != "billing" || got[1].Queue != "cards" {
		t.Fatalf("queues %+v", got)
	}
	for _, q := range got {
		w := want[q.Queue]
		accepted := w.verdicts[event.VerdictUsed] + w.verdicts[event.VerdictHelpful]
		if q.Calls != w.calls || q.Ended != w.ended || q.Suggestions != w.suggested {
			t.Errorf("%s: calls %d ended %d suggestions %d, want %d %d %d", q.Queue, q.Calls, q.Ended, q.Suggestions, w.calls, w.ended, w.suggested)
		}
		if w.suggested == 0 || q.AcceptanceRate == nil || *q.AcceptanceRate != stats.Round(float64(accepted)/float64(w.suggested), 3) {
			t.Errorf("%s: acceptance %v, want %d/%d", q.Queue, q.AcceptanceRate, accepted, w.suggested)
		}
		for _, v := range []string{event.VerdictUsed, event.VerdictHelpful, event.VerdictNotHelpful} {
			if q.Feedback[v] != w.verdicts[v] {
				t.Errorf("%s: %d %s, want %d", q.Queue, q.Feedback[v], v, w.verdicts[v])
			}
		}
		if fmt.Sprint(q.Alerts) != fmt.Sprint(w.alerts) {
			t.Errorf("%s: alerts %v, want %v", q.Queue, q.Alerts, w.alerts)
		}
		if q.AHTSeconds == nil || q.AHT != FormatMMSS(*q.AHTSeconds) {
			t.Errorf("%s: AHT %v %q", q.Queue, q.AHTSeconds, q.AHT)
		}
		s := q.Sentiment
		if s.Scored != q.Calls || s.Negative+s.Neutral+s.Positive < 0.99 {
			t.Errorf("%s: sentiment %+v", q.Queue, s)
		}
		if len(q.TopIntents) == 0 || q.TopIntents[0].Title == "" || q.TopIntents[0].Count < 1 {
			t.Errorf("%s: top intents %+v", q.Queue, q.TopIntents)
		}
	}
	// The scripted billing calls are an angry one and a worried one; the
	// cards call ends on thanks.
	if got[0].Sentiment.Negative == 0 || got[1].Sentiment.Negative != 0 {
		t.Errorf("sentiment billing %+v cards %+v", got[0].Sentiment, got[1].Sentiment)
	}
	if got[1].TopIntents[0].Title != "Lost or stolen card" {
		t.Errorf("cards intents %+v", got[1].TopIntents)
	}
	billingRate := Percent(*got[0].AcceptanceRate)

	// The text table says the same.
	buf.Reset()
	if err := WriteReportText(&buf, report(t, s, Since(nil, 24*time.Hour), ""), Since(nil, 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	lines := strings.Split(text, "\n")
	if !strings.HasPrefix(lines[0], "Calls started since ") || !strings.HasPrefix(lines[2], "QUEUE") {
		t.Fatalf("report:\n%s", text)
	}
	billing := strings.Fields(lines[3])
	if len(billing) != 10 || billing[0] != "billing" || billing[1] != "2" || billing[2] != "1" || billing[8] != billingRate {
		t.Errorf("billing row %q, want 2 calls, 1 ended, %s accepted\n%s", billing, billingRate, text)
	}
	for _, line := range []string{"  top intents   Lost or stolen card (1)", "  feedback      used 1, helpful 0, not helpful 0",
		"  dispositions  Lost or stolen card 1", "  wrap-ups      agent 0, timer 0, engine 1"} {
		if !strings.Contains(text, line) {
			t.Errorf("report lacks %q:\n%s", line, text)
		}
	}

	// One queue.
	if got := report(t, s, time.Time{}, "cards"); len(got) != 1 || got[0].Queue != "cards" {
		t.Errorf("queue cards: %+v", got)
	}
}

func TestReportSinceWindow(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, testCalls[0])
	between := time.Now()
	s.Drive(t, testCalls[2])
	since := Since(func() time.Time { return between.Add(30 * time.Minute) }, 30*time.Minute)
	if got := report(t, s, since, ""); len(got) != 1 || got[0].Queue != "billing" || got[0].Calls != 1 {
		t.Errorf("window after the cards call: %+v", got)
	}
}

func TestQueueFigures(t *testing.T) {
	sentiment := func(v float64) *float64 { return &v }
	ended := func(seconds float64) *event.CallRecord {
		c := event.NewCallRecord("x")
		c.DurationS = &seconds
		return c
	}
	calls := []*event.CallRecord{ended(65), ended(125.4), event.NewCallRecord("live")}
	for i, s := range []*float64{sentiment(-0.2), sentiment(-0.21), nil} {
		calls[i].Sentiment = s
	}
	more := []*event.CallRecord{event.NewCallRecord("p"), event.NewCallRecord("q")}
	more[0].Sentiment, more[1].Sentiment = sentiment(0.2), sentiment(0.21)
	calls = append(calls, more...)
	calls[0].TopIntents = []string{"b", "a", "c", "d", "e", "f", "a"}
	calls[1].TopIntents = []string{"b", "g"}
	calls[0].Suggested, calls[1].Suggested = 6, 2
	calls[0].Verdicts = map[string]int{event.VerdictUsed: 1, event.VerdictNotHelpful: 3}
	calls[1].Verdicts = map[string]int{event.VerdictHelpful: 2}
	calls[2].Alerts = []event.RecordAlert{{Type: "churn_risk"}, {Type: "abuse"}, {Type: "churn_risk"}}

	r := QueueFigures("billing", calls)
	if r.Calls != 5 || r.Ended != 2 || r.AHTSeconds == nil || *r.AHTSeconds != 95.2 || r.AHT != "01:35" {
		t.Errorf("calls %d ended %d AHT %v %q", r.Calls, r.Ended, r.AHTSeconds, r.AHT)
	}
	// -0.2 and 0.2 are neutral; the call without a customer turn is not
	// counted.
	if want := (SentimentShare{Scored: 4, Negative: 0.25, Neutral: 0.5, Positive: 0.25}); r.Sentiment != want {
		t.Errorf("sentiment %+v, want %+v", r.Sentiment, want)
	}
	var intents []string
	for _, in := range r.TopIntents {
		intents = append(intents, fmt.Sprintf("%s%d", in.Title, in.Count))
	}
	if !slices.Equal(intents, []string{"a2", "b2", "c1", "d1", "e1"}) {
		t.Errorf("top intents %v", intents)
	}
	if r.Suggestions != 8 || r.AcceptanceRate == nil || *r.AcceptanceRate != 0.375 {
		t.Errorf("acceptance %v of %d suggestions, want 3/8", r.AcceptanceRate, r.Suggestions)
	}
	if r.Feedback[event.VerdictNotHelpful] != 3 || r.Alerts["churn_risk"] != 2 || r.Alerts["abuse"] != 1 {
		t.Errorf("feedback %v alerts %v", r.Feedback, r.Alerts)
	}

	empty := QueueFigures("", []*event.CallRecord{event.NewCallRecord("z")})
	if empty.AcceptanceRate != nil || empty.AHTSeconds != nil || empty.AHT != "" || empty.Sentiment.Scored != 0 || empty.TopIntents == nil {
		t.Errorf("a queue without figures: %+v", empty)
	}
	data, err := json.Marshal(empty)
	if err != nil || !strings.Contains(string(data), `"acceptance_rate":null`) || !strings.Contains(string(data), `"top_intents":[]`) {
		t.Errorf("JSON %s %v", data, err)
	}
}

func TestFormatMMSS(t *testing.T) {
	for in, want := range map[float64]string{0: "00:00", 0.4: "00:00", 59.5: "01:00", 95.2: "01:35", 3725: "62:05", -3: "00:00"} {
		if got := FormatMMSS(in); got != want {
			t.Errorf("FormatMMSS(%g) = %q, want %q", in, got, want)
		}
	}
}
