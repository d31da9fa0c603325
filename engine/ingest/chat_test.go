package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

func TestParseChatMessage(t *testing.T) {
	valid := []struct {
		in   string
		want ChatMessage
	}{
		{`{"call_id":"c1","text":"I lost my card"}`,
			ChatMessage{Type: ChatText, CallID: "c1", Speaker: event.SpeakerCustomer, Text: "I lost my card"}},
		{`{"type":"message","id":"m1","call_id":"c1","speaker":"agent","text":"Let me check.","queue":"cards"}`,
			ChatMessage{Type: ChatText, ID: "m1", CallID: "c1", Speaker: event.SpeakerAgent, Text: "Let me check.", Queue: "cards"}},
		{`{"type":"start","call_id":"c1","queue":"billing","agent":"a1","customer":"cust-9","title":"Card lost"}`,
			ChatMessage{Type: ChatStart, CallID: "c1", Queue: "billing", Agent: "a1", Customer: "cust-9", Title: "Card lost"}},
		{` {"type":"end","call_id":"c1"} ` + "\n", ChatMessage{Type: ChatEnd, CallID: "c1"}},
		{`{"call_id":"c1","text":"\u001b[31mred\u001b[0m"}`,
			ChatMessage{Type: ChatText, CallID: "c1", Speaker: event.SpeakerCustomer, Text: "\x1b[31mred\x1b[0m"}},
	}
	for _, tc := range valid {
		got, err := ParseChatMessage([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("ParseChatMessage(%s) = %+v, %v\nwant %+v", tc.in, got, err, tc.want)
		}
	}

	invalid := []struct{ in, reason, echoID string }{
		{`{not json`, "malformed", ""},
		{``, "malformed", ""},
		{`[]`, "malformed", ""},
		{`{"call_id":"c1","text":"hi"} {"call_id":"c2"}`, "malformed", ""},
		{`{"call_id":"c1","txt":"hi"}`, "malformed", ""},
		{`{"call_id":1,"text":"hi"}`, "malformed", ""},
		{"{\"call_id\":\"c1\",\"text\":\"caf\xe9\"}", "malformed", ""},
		{`{"id":"m1","type":"hangup","call_id":"c1"}`, "unknown_type", "m1"},
		{`{"id":"m1","text":"hi"}`, "bad_message", "m1"},
		{`{"call_id":"` + strings.Repeat("c", MaxChatID+1) + `","text":"hi"}`, "bad_message", ""},
		{`{"call_id":"c\n1","text":"hi"}`, "bad_message", ""},
		{`{"id":"m1","call_id":"c1","text":"  \t "}`, "bad_message", "m1"},
		{`{"id":"m1","call_id":"c1"}`, "bad_message", "m1"},
		{`{"call_id":"c1","text":"a\u0000b"}`, "bad_message", ""},
		{`{"call_id":"c1","text":"` + strings.Repeat("a", MaxChatText+1) + `"}`, "bad_message", ""},
		{`{"call_id":"c1","speaker":"bot","text":"hi"}`, "bad_message", ""},
		{`{"type":"start","call_id":"c1","text":"hi"}`, "bad_message", ""},
		{`{"type":"end","call_id":"c1","queue":"q"}`, "bad_message", ""},
		{`{"type":"start","call_id":"c1","title":"` + strings.Repeat("t", MaxChatTitle+1) + `"}`, "bad_message", ""},
	}
	for _, tc := range invalid {
		got, err := ParseChatMessage([]byte(tc.in))
		var ie *ingestError
		if !errors.As(err, &ie) || ie.reason != tc.reason || ie.status != http.StatusBadRequest {
			t.Errorf("ParseChatMessage(%.80s) error = %v, want reason %s", tc.in, err, tc.reason)
			continue
		}
		if got.ID != tc.echoID {
			t.Errorf("ParseChatMessage(%.80s) id = %q, want %q to echo", tc.in, got.ID, tc.echoID)
		}
	}
}

func TestChatOverHTTP(t *testing.T) {
	s := newChatService(t, 0, nil)

	out := s.mustPost(t, "/v1/chat/messages", `{"type":"start","id":"s1","call_id":"c1","queue":"billing","agent":"a1","customer":"cust-9","title":"Lost card"}`)
	if out["call_id"] != "c1" || out["id"] != "s1" {
		t.Errorf("start answer = %v", out)
	}
	started := s.next(t, "c1", event.KindCallStarted).Payload.(event.CallStarted)
	if started != (event.CallStarted{Queue: "billing", Agent: "a1", Customer: "cust-9", Channel: event.ChannelChat, Title: "Lost card"}) {
		t.Errorf("call.started = %+v", started)
	}
	if status, _ := s.post(t, "/v1/chat/messages", `{"type":"start","call_id":"c1"}`); status != http.StatusConflict {
		t.Errorf("second start = %d, want 409", status)
	}

	// The answer comes after the engine has published the utterance and
	// its suggestions, so they are on the bus already.
	out = s.mustPost(t, "/v1/chat/messages", `{"id":"m1","call_id":"c1","text":"I lost my card"}`)
	if out["id"] != "m1" {
		t.Errorf("message answer = %v", out)
	}
	u := s.next(t, "c1", event.KindFinal).Payload.(event.Utterance)
	if u.Speaker != event.SpeakerCustomer || u.Text != "I lost my card" || u.Source != event.SourceChat || u.Start < 0 || u.End < u.Start {
		t.Errorf("utterance = %+v", u)
	}
	sug := s.next(t, "c1", event.KindSuggestions).Payload.(event.Suggestions)
	if sug.Abstain || len(sug.Suggestions) == 0 {
		t.Errorf("no suggestions for a lost card: %+v", sug)
	}

	s.mustPost(t, "/v1/chat/messages", `{"type":"end","call_id":"c1"}`)
	if ended := s.next(t, "c1", event.KindCallEnded).Payload.(event.CallEnded); ended.Reason != "completed" || ended.Utterances != 1 {
		t.Errorf("call.ended = %+v", ended)
	}
	for _, body := range []string{`{"call_id":"c1","text":"still there?"}`, `{"type":"end","call_id":"c1"}`, `{"type":"end","call_id":"never-started"}`} {
		if status, out := s.post(t, "/v1/chat/messages", body); status != http.StatusNotFound || out["error"] == nil {
			t.Errorf("POST %s = %d %v, want 404", body, status, out)
		}
	}
	if status, _ := s.post(t, "/v1/chat/messages", `{"type":"start","call_id":"c1"}`); status != http.StatusConflict {
		t.Errorf("restart of an ended call = %d, want 409: call ids are not reused", status)
	}

	// A message for a call not started starts it, with what it says.
	s.mustPost(t, "/v1/chat/messages", `{"call_id":"c2","queue":"cards","agent":"a2","text":"Hello?"}`)
	if started := s.next(t, "c2", event.KindCallStarted).Payload.(event.CallStarted); started.Queue != "cards" || started.Agent != "a2" || started.Channel != event.ChannelChat {
		t.Errorf("implicit call.started = %+v", started)
	}
	s.next(t, "c2", event.KindFinal)

	for _, body := range []string{`{"call_id":"c2","text":`, `{"type":"transfer","call_id":"c2"}`, `{"call_id":"c2","text":"a\u0000b"}`} {
		if status, out := s.post(t, "/v1/chat/messages", body); status != http.StatusBadRequest || out["error"] == nil {
			t.Errorf("POST %s = %d %v, want 400 and an error", body, status, out)
		}
	}
	if status, _ := s.post(t, "/v1/chat/replies", `{"call_id":"c1","text":"Anything else?"}`); status != http.StatusNotFound {
		t.Errorf("reply to an ended call = %d, want 404", status)
	}
}

func TestChatOverWebSocketWithAgentReply(t *testing.T) {
	s := newChatService(t, 0, nil)
	c := s.dial(t)

	sendText(t, c, `{"type":"start","id":"s1","call_id":"w1","queue":"cards","agent":"a7"}`)
	if f := expectChatFrame(t, c, "ack", "w1"); f.ID != "s1" {
		t.Errorf("ack %+v does not echo the id", f)
	}
	if started := s.next(t, "w1", event.KindCallStarted).Payload.(event.CallStarted); started.Queue != "cards" || started.Agent != "a7" {
		t.Errorf("call.started = %+v", started)
	}

	// Messages sent without waiting are handled, answered and published in
	// the order sent.
	texts := []string{"Hi there", "I lost my card", "What do I do now?"}
	for i, text := range texts {
		sendText(t, c, fmt.Sprintf(`{"id":"m%d","call_id":"w1","text":"%s"}`, i, text))
	}
	for i := range texts {
		if f := expectChatFrame(t, c, "ack", "w1"); f.ID != fmt.Sprintf("m%d", i) {
			t.Errorf("ack %d = %+v", i, f)
		}
	}
	for _, text := range texts {
		if u := s.next(t, "w1", event.KindFinal).Payload.(event.Utterance); u.Text != text || u.Source != event.SourceChat {
			t.Errorf("utterance = %+v, want %q", u, text)
		}
	}

	s.mustPost(t, "/v1/chat/replies", `{"call_id":"w1","text":"I have frozen your card."}`)
	if f := expectChatFrame(t, c, "reply", "w1"); f.Text != "I have frozen your card." {
		t.Errorf("reply frame = %+v", f)
	}
	if u := s.next(t, "w1", event.KindFinal).Payload.(event.Utterance); u.Speaker != event.SpeakerAgent || u.Text != "I have frozen your card." {
		t.Errorf("agent reply utterance = %+v", u)
	}

	sendText(t, c, `{"type":"end","call_id":"w1"}`)
	expectChatFrame(t, c, "ack", "w1")
	if ended := s.next(t, "w1", event.KindCallEnded).Payload.(event.CallEnded); ended.Reason != "completed" {
		t.Errorf("call.ended = %+v", ended)
	}
	if status, _ := s.post(t, "/v1/chat/replies", `{"call_id":"w1","text":"Bye"}`); status != http.StatusNotFound {
		t.Errorf("reply after the end = %d, want 404", status)
	}
}

func TestChatWebSocketSurvivesBadMessages(t *testing.T) {
	s := newChatService(t, 0, nil)
	c := s.dial(t)

	bad := []struct{ msg, callID, id, says string }{
		{`{not json`, "", "", "malformed"},
		{`{"id":"x1","type":"transfer","call_id":"b1"}`, "b1", "x1", "unknown message type"},
		{`{"id":"x2","call_id":"b1","text":"nul\u0000"}`, "b1", "x2", "NUL"},
		{`{"id":"x3","type":"end","call_id":"b1"}`, "b1", "x3", "no open chat call"},
	}
	for _, b := range bad {
		sendText(t, c, b.msg)
		f := expectChatFrame(t, c, "error", b.callID)
		if f.ID != b.id || !strings.Contains(f.Error, b.says) {
			t.Errorf("answer to %s = %+v, want an error saying %q", b.msg, f, b.says)
		}
	}
	if err := c.Write(t.Context(), websocket.MessageBinary, []byte(`{"call_id":"b1","text":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	expectChatFrame(t, c, "error", "")

	sendText(t, c, `{"call_id":"b1","text":"still here"}`)
	expectChatFrame(t, c, "ack", "b1")
	if u := s.next(t, "b1", event.KindFinal).Payload.(event.Utterance); u.Text != "still here" {
		t.Errorf("utterance = %+v", u)
	}
}

func TestChatWebSocketClosesAfterTooManyBadMessages(t *testing.T) {
	s := newChatService(t, 0, nil)
	c := s.dial(t)
	for range maxBadMessages - 1 {
		sendText(t, c, `{"type":"bogus","call_id":"b1"}`)
		expectChatFrame(t, c, "error", "b1")
	}
	sendText(t, c, `{"call_id":"b1","text":"fine"}`) // a good one resets the count
	expectChatFrame(t, c, "ack", "b1")
	for range maxBadMessages {
		sendText(t, c, `nonsense`)
		expectChatFrame(t, c, "error", "")
	}
	if _, _, err := c.Read(t.Context()); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("after %d bad messages: %v, want a policy violation close", maxBadMessages, err)
	}
}

func TestChatWebSocketClosesOnOversizeMessage(t *testing.T) {
	s := newChatService(t, 1024, nil)
	c := s.dial(t)
	sendText(t, c, `{"call_id":"big","text":"`+strings.Repeat("a", 2000)+`"}`)
	if _, _, err := c.Read(t.Context()); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("after an oversize message: %v, want close 1009", err)
	}
}

func TestChatWebSocketDisconnectEndsItsCalls(t *testing.T) {
	s := newChatService(t, 0, nil)
	a, b := s.dial(t), s.dial(t)
	sendText(t, a, `{"type":"start","call_id":"d1"}`)
	expectChatFrame(t, a, "ack", "d1")
	sendText(t, b, `{"call_id":"d1","text":"hello from b"}`)
	expectChatFrame(t, b, "ack", "d1")
	sendText(t, b, `{"call_id":"d2","text":"b starts d2 with a message"}`)
	expectChatFrame(t, b, "ack", "d2")

	// b only messaged d1: its going ends d2, the call it started, alone.
	b.Close(websocket.StatusNormalClosure, "")
	if ended := s.next(t, "d2", event.KindCallEnded).Payload.(event.CallEnded); ended.Reason != "disconnected" {
		t.Errorf("d2 ended: %+v", ended)
	}
	sendText(t, a, `{"call_id":"d1","text":"still open"}`)
	expectChatFrame(t, a, "ack", "d1")

	a.CloseNow() // no close handshake: the client vanished
	if ended := s.next(t, "d1", event.KindCallEnded).Payload.(event.CallEnded); ended.Reason != "disconnected" || ended.Utterances != 2 {
		t.Errorf("d1 ended: %+v", ended)
	}
}

func TestChatWebSocketIdleTimeout(t *testing.T) {
	s := newChatService(t, 0, func(h *Handler) { h.idle = 200 * time.Millisecond })
	c := s.dial(t)
	sendText(t, c, `{"type":"start","call_id":"i1"}`)
	expectChatFrame(t, c, "ack", "i1")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("idle connection: %v, want a policy violation close", err)
	}
	if ended := s.next(t, "i1", event.KindCallEnded).Payload.(event.CallEnded); ended.Reason != "disconnected" {
		t.Errorf("i1 ended: %+v", ended)
	}
}

func TestChatHostileTextIsStoredAsGiven(t *testing.T) {
	s := newChatService(t, 0, nil)
	// Escape sequences that would retitle, clear or hyperlink a terminal,
	// and a right-to-left override: the TUI sanitises text when it shows
	// it; the engine keeps what the customer sent.
	hostile := "\x1b]0;pwned\x07\x1b[2J\x1b[31mhi\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \u202egnp.exe"
	msg, err := json.Marshal(ChatMessage{CallID: "h1", Text: hostile})
	if err != nil {
		t.Fatal(err)
	}
	c := s.dial(t)
	sendText(t, c, string(msg))
	expectChatFrame(t, c, "ack", "h1")
	if u := s.next(t, "h1", event.KindFinal).Payload.(event.Utterance); u.Text != hostile {
		t.Errorf("text = %q\nwant   %q", u.Text, hostile)
	}
}

// downCalls is a Calls whose engine cannot be reached.
type downCalls struct{}

func (downCalls) Start(context.Context, string, event.CallStarted) (engine.CallSink, error) {
	return nil, errors.New("nats: no responders available for request")
}

func (downCalls) Reply(context.Context, string, string) error {
	return errors.New("nats: no responders available for request")
}

func (downCalls) Replies(string) (<-chan string, func(), error) {
	return nil, nil, errors.New("nats: no responders available for request")
}

func TestChatWithTheEngineDownIs503(t *testing.T) {
	h, err := NewHandler(Options{Calls: downCalls{}, APIKey: chatTestKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, body string }{
		{"/v1/chat/messages", `{"type":"start","call_id":"c1"}`},
		{"/v1/chat/messages", `{"call_id":"c1","text":"hello"}`},
		{"/v1/chat/replies", `{"call_id":"c1","text":"hello"}`},
	} {
		req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body))
		req.Header.Set("X-API-KEY", chatTestKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "nats") {
			t.Errorf("POST %s %s = %d %s, want 503 that does not name the service's insides", tc.path, tc.body, rec.Code, rec.Body)
		}
	}
}
