package llm

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/llm/llmtest"
)

// Model servers as they are in the field, each played by the fake.

func TestErrorInsideAStreamKeepsItsCodeAndMessage(t *testing.T) {
	for _, tc := range []struct {
		form       llmtest.StreamErrorForm
		want       string
		status     int // what the breaker records
		keepAlives bool
	}{
		{llmtest.StreamErrorOpenAI, "error in the stream (code 503, server_error): out of KV cache", 503, false},
		// go-openai alone misreads the error when a keep-alive came before.
		{llmtest.StreamErrorOpenAI, "error in the stream (code 503, server_error): out of KV cache", 503, true},
		{llmtest.StreamErrorTGI, "error in the stream (generation): out of KV cache", 500, true},
		{llmtest.StreamErrorLlamaCpp, "error in the stream (code 503, server_error): out of KV cache", 503, true},
	} {
		timing := llmtest.Timing{}
		if tc.keepAlives {
			timing = llmtest.Timing{BetweenTokens: 30 * time.Millisecond, KeepAlive: 5 * time.Millisecond}
		}
		srv := llmtest.NewServer(t, llmtest.WithTokens("One ", "two ", "three."), llmtest.WithTiming(timing))
		srv.FailNextInStream(1, 2, http.StatusServiceUnavailable, "out of KV cache", tc.form)
		c := newTestClient(t, srv, nil)
		var p pieces
		_, err := c.Draft(context.Background(), draftRequest(), p.add)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "HTTP 0") {
			t.Errorf("%s (keep-alives %v): err = %v, want %q", tc.form, tc.keepAlives, err, tc.want)
		}
		if got := strings.Join(p.list(), ""); got != "One two" {
			t.Errorf("%s: pieces before the error %q", tc.form, got)
		}
		if want := (&failure{status: tc.status}).short(); c.breaker.failures != 1 || c.breaker.last != want {
			t.Errorf("%s: breaker %d failures, last %q, want 1, %q", tc.form, c.breaker.failures, c.breaker.last, want)
		}
	}
}

func TestSSENormalizer(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"data: {\"choices\":[]}\n\n", "data: {\"choices\":[]}\n\n"},
		{": keep-alive\n\ndata: [DONE]\n\n", "\ndata: [DONE]\n\n"},
		{"id: 7\nretry: 100\ndata: {\"x\":\"an error\"}\n\n", "data: {\"x\":\"an error\"}\n\n"},
		{"event: error\ndata: {\"message\":\"boom\",\"code\":502}\n\n", "data: {\"error\":{\"code\":502,\"message\":\"boom\"}}\n\n"},
		{"error: not json\n\n", "data: {\"error\":{\"message\":\"not json\"}}\n\n"},
		{"data: {\"error\":\"busy\",\"error_type\":\"overloaded\"}\r\n\r\n", "data: {\"error\":{\"message\":\"busy\",\"type\":\"overloaded\"}}\n\r\n"},
		{"data: {\"error\":{\"code\":null}}\n\n", "data: {\"error\":{\"code\":null,\"message\":\"error in the stream\"}}\n\n"},
	} {
		n := &sseNormalizer{r: bufio.NewReader(strings.NewReader(tc.in)), body: io.NopCloser(nil)}
		got, err := io.ReadAll(n)
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: got %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestStrictSchemaAnsweredInProseIsAskedAgainForAJSONObject(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithoutJSONSchema())
	c := newTestClient(t, srv, nil)
	s, err := c.Summarize(context.Background(), summaryRequest())
	if err != nil || s.Situation != "The customer asked about a charge." || s.Source != "llm" {
		t.Fatalf("summary %+v, %v", s, err)
	}
	rs := srv.Requests()
	if len(rs) != 2 {
		t.Fatalf("%d requests, want the schema's and one retry", len(rs))
	}
	first, retry := decodeBody(t, rs[0]), decodeBody(t, rs[1])
	if first.ResponseFormat == nil || first.ResponseFormat.Type != "json_schema" ||
		retry.ResponseFormat == nil || retry.ResponseFormat.Type != "json_object" {
		t.Errorf("response formats %+v then %+v, want json_schema then json_object", first.ResponseFormat, retry.ResponseFormat)
	}
	if sys := retry.Messages[0].Content; !strings.HasPrefix(sys, first.Messages[0].Content) ||
		!strings.Contains(sys, "must follow this JSON schema") || !strings.Contains(sys, `"disposition"`) {
		t.Errorf("the retry's system message does not carry the schema:\n%s", sys)
	}
	if first.Messages[1].Content != retry.Messages[1].Content {
		t.Error("the retry changed the data")
	}
	// The server is known now: the next structured request asks for a
	// JSON object at once.
	if e, err := c.Emotion(context.Background(), "This is the third time I call!"); err != nil || e.Polarity != -0.5 {
		t.Fatalf("emotion %+v, %v", e, err)
	}
	if rs := srv.Requests(); len(rs) != 3 || decodeBody(t, rs[2]).ResponseFormat.Type != "json_object" {
		t.Errorf("%d requests; the emotion's should be one, for json_object", len(rs))
	}
	if c.breaker.failures != 0 {
		t.Errorf("breaker counted %d failures", c.breaker.failures)
	}

	// Prose again for json_object: the summary falls back, after one retry.
	srv = llmtest.NewServer(t, llmtest.WithoutJSONSchema(), llmtest.WithReply(llmtest.KindEmotion, "Frustrated, I would say."))
	c = newTestClient(t, srv, nil)
	if _, err := c.Emotion(context.Background(), "This is the third time I call!"); err == nil || !strings.Contains(err.Error(), "no JSON object") {
		t.Errorf("err = %v, want no JSON object", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestSummaryCutByMaxTokensKeepsItsWholeFields(t *testing.T) {
	// The model runs on in "action" until max_tokens stops it.
	reply := `{"situation":"The customer asked about a charge.","entities":["monthly fee","overdraft"],` +
		`"action":"The agent explained the fee. Then the agent ` + strings.Repeat("went on ", summaryMaxTokens)
	srv := llmtest.NewServer(t, llmtest.WithReply(llmtest.KindSummary, reply))
	c := newTestClient(t, srv, nil)
	s, err := c.Summarize(context.Background(), summaryRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := assist.Summary{
		Situation: "The customer asked about a charge.", Action: "The agent explained the fee.",
		Satisfaction: assist.NotSure, Entities: []string{"monthly fee", "overdraft"}, Disposition: "Account fees", Source: "llm",
	}
	if !summaryEqual(s, want) {
		t.Errorf("summary %+v\nwant    %+v", s, want)
	}
	if rs := srv.Requests(); len(rs) != 1 || decodeBody(t, rs[0]).MaxTokens != summaryMaxTokens {
		t.Errorf("%d requests", len(rs))
	}
}

func TestCloseCutJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":"x","b":"Two. Sentences and a`, `{"a":"x","b":"Two."}`},
		{`{"a":"x","b":"no sentence end`, `{"a":"x"}`},
		{`{"a":"x","b":["p","q","r`, `{"a":"x","b":["p","q"]}`},
		{`{"a":"x","b":{"c":1,"d":2`, `{"a":"x","b":{"c":1}}`},
		{`{"a":"x","bee`, `{"a":"x"}`},
		{`{"a":"He said \"stop.\" Then`, `{"a":"He said \"stop.\""}`},
		{`{"a":"Line one.\nLine`, `{"a":"Line one."}`},
		{`{"a":"x", "b": 12`, `{"a":"x"}`},
		{`{"situ`, `{}`},
		{`prose {"a":1} after`, `prose {"a":1} after`},
		{`no object`, `no object`},
	} {
		if got := closeCutJSON(tc.in); got != tc.want {
			t.Errorf("closeCutJSON(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDraftCutByMaxTokensEndsAtASentence(t *testing.T) {
	for _, tc := range []struct {
		reply, want string
		marked      bool // no sentence end: the cut is marked
	}{
		{reply: "I'm sorry about the fee. I have refunded it. " + strings.Repeat("and more ", DefaultMaxTokens), want: "I'm sorry about the fee. I have refunded it."},
		{reply: strings.Repeat("on and on ", DefaultMaxTokens), marked: true},
		// Whole answers are left as they are.
		{reply: "Sure. Let me check that", want: "Sure. Let me check that"},
	} {
		srv := llmtest.NewServer(t, llmtest.WithReply(llmtest.KindDraft, tc.reply))
		d, err := newTestClient(t, srv, nil).Draft(context.Background(), draftRequest(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.marked {
			if !strings.HasSuffix(d.Text, " and…") {
				t.Errorf("draft with no sentence end %q, want it marked cut", d.Text)
			}
			continue
		}
		if d.Text != tc.want {
			t.Errorf("draft %q, want %q", d.Text, tc.want)
		}
	}
}
