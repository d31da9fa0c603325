package ingest

// This file tests streams that come back: a Twilio stream or AudioHook
// session that reconnects within the grace continues its call, one that
// comes back later starts a new call under a suffixed id, and a call whose
// stream never comes back ends as disconnected.

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// parked reports whether the live call of client id waits for its stream.
func parked(o *Options, id string) bool {
	r := o.voiceCalls()
	r.mu.Lock()
	v := r.live[id]
	r.mu.Unlock()
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.owner == nil && !v.closed
}

// reconnectService is a voice service whose calls wait grace for their
// streams to come back, with at most slots calls recognised at once.
func reconnectService(t *testing.T, grace time.Duration, slots int) (*voiceService, *Options) {
	t.Helper()
	var o *Options
	s := newVoiceService(t, &scriptedRecognizer{text: "hello there"}, testLimits, func(opts *Options) {
		opts.ReconnectGrace, opts.MaxVoiceCalls, o = grace, slots, opts
	})
	return s, o
}

// speak streams a second and a half of speech on a one-track stream.
func speak(tc *twilioClient, seed uint64) {
	tc.stream(speechLike(1.5, 0.3, 1, seed), nil, [2]int{})
}

// checkSequence checks that a call's events are numbered 1, 2, 3, … and
// that it started once.
func checkSequence(t *testing.T, evs []event.Event) {
	t.Helper()
	starts := 0
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d (%s) has seq %d: %v", i, e.Kind, e.Seq, kindsOf(evs))
		}
		if e.Kind == event.KindCallStarted {
			starts++
		}
	}
	if starts != 1 {
		t.Errorf("%d call.started events: %v", starts, kindsOf(evs))
	}
}

func TestTwilioStreamComesBackWithinTheGrace(t *testing.T) {
	s, o := reconnectService(t, time.Minute, 1)
	const sid = "CA0000000000000000000000000000re01"
	a := twilioCall(t, s, sid)
	before := s.waitFor(t, sid, event.KindFinal)
	a.c.CloseNow() // the network drops: no stop
	if !eventually.True(10*time.Second, func() bool { return parked(o, sid) }) {
		t.Fatal("the call is not waiting for its stream")
	}
	// The slot stays with the call across the gap: another call finds
	// none, the returning stream needs none.
	other := dialTwilio(t, s)
	other.connected()
	other.start("CA0000000000000000000000000000re02", map[string]string{"key": voiceTestKey}, "inbound")
	if code, _ := closeStatus(t, other.c); code != websocket.StatusTryAgainLater {
		t.Errorf("another call during the gap: close %d, want 1013", code)
	}

	b := dialTwilio(t, s)
	b.sid = "MZ0000000000000000000000000000000b"
	b.connected()
	b.start(sid, map[string]string{"key": voiceTestKey}, "inbound")
	speak(b, 9)
	b.stop(sid)
	after := s.waitFor(t, sid, event.KindCallEnded)
	evs := append(before, after...)
	checkSequence(t, evs)
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("ended %q, want hangup", e.Reason)
	}
	var resumed *event.CallResumed
	var lastBefore, firstAfter float64 = -1, -1
	for _, e := range evs {
		switch p := e.Payload.(type) {
		case event.CallResumed:
			resumed = &p
		case event.Utterance:
			if !p.Final {
				continue
			}
			if resumed == nil {
				lastBefore = p.End
			} else if firstAfter < 0 {
				firstAfter = p.Start
				if p.UtteranceID != "customer-2" {
					t.Errorf("first utterance after the gap is %s, want customer-2", p.UtteranceID)
				}
			}
		}
	}
	if resumed == nil || resumed.Resumes != 1 || resumed.Endpoint != twilioEndpoint || resumed.Gap <= 0 {
		t.Fatalf("call.resumed %+v in %v", resumed, kindsOf(evs))
	}
	if lastBefore < 0 || firstAfter < 0 || !(lastBefore <= resumed.At && resumed.At <= firstAfter) {
		t.Errorf("resumed at %.2f s, want between the utterances around the gap (%.2f, %.2f)", resumed.At, lastBefore, firstAfter)
	}
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 && v.Refused == 1 })
}

func TestTwilioStreamTakesOverItsCallsOpenConnection(t *testing.T) {
	// The platform reconnects before the service sees the old connection
	// die: the new stream takes the call, the old socket is closed.
	s, _ := reconnectService(t, time.Minute, 0)
	const sid = "CA0000000000000000000000000000re03"
	a := twilioCall(t, s, sid)
	before := s.waitFor(t, sid, event.KindFinal)
	b := dialTwilio(t, s)
	b.connected()
	b.start(sid, map[string]string{"key": voiceTestKey}, "inbound")
	if code, reason := closeStatus(t, a.c); code != websocket.StatusNormalClosure || reason != "replaced by a new stream for the call" {
		t.Errorf("old stream closed %d %q", code, reason)
	}
	speak(b, 10)
	b.stop(sid)
	evs := append(before, s.waitFor(t, sid, event.KindCallEnded)...)
	checkSequence(t, evs)
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("ended %q", e.Reason)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == event.KindCallResumed {
			n++
		}
	}
	if n != 1 || len(finals(evs, event.SpeakerCustomer)) != 2 {
		t.Errorf("%d call.resumed, finals %v", n, finals(evs, event.SpeakerCustomer))
	}
}

func TestTwilioStreamAfterTheGraceStartsANewCall(t *testing.T) {
	s, o := reconnectService(t, 300*time.Millisecond, 1)
	const sid = "CA0000000000000000000000000000re04"
	a := twilioCall(t, s, sid)
	s.waitFor(t, sid, event.KindCallStarted)
	a.c.CloseNow()
	if e := ended(t, s.waitFor(t, sid, event.KindCallEnded)); e.Reason != "disconnected" {
		t.Errorf("call not taken back ended %q, want disconnected", e.Reason)
	}
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })

	// The same callSid, later: a new call with a suffix, twice over,
	// instead of a refusal.
	for _, id := range []string{sid + "-2", sid + "-3"} {
		b := twilioCall(t, s, sid)
		b.stop(sid)
		evs := s.waitFor(t, id, event.KindCallEnded)
		checkSequence(t, evs)
		if e := ended(t, evs); e.Reason != "hangup" {
			t.Errorf("%s ended %q", id, e.Reason)
		}
	}
}

func TestTwilioStreamWithOtherPartiesStartsANewCall(t *testing.T) {
	s, _ := reconnectService(t, time.Minute, 0)
	const sid = "CA0000000000000000000000000000re05"
	a := twilioCall(t, s, sid) // the inbound track only: the customer
	s.waitFor(t, sid, event.KindCallStarted)
	b := dialTwilio(t, s)
	b.connected()
	b.start(sid, map[string]string{"key": voiceTestKey}, "inbound", "outbound")
	if code, _ := closeStatus(t, a.c); code != websocket.StatusNormalClosure {
		t.Errorf("old stream closed %d", code)
	}
	if e := ended(t, s.waitFor(t, sid, event.KindCallEnded)); e.Reason != "disconnected" {
		t.Errorf("first call ended %q", e.Reason)
	}
	b.stop(sid)
	if e := ended(t, s.waitFor(t, sid+"-2", event.KindCallEnded)); e.Reason != "hangup" {
		t.Errorf("second call ended %q", e.Reason)
	}
}

// dialAudioHookSession connects a new session with the API key.
func dialAudioHookSession(t *testing.T, s *voiceService, session string) *audiohookClient {
	t.Helper()
	h := http.Header{"Audiohook-Session-Id": {session}, "Audiohook-Organization-Id": {testOrgID}, "X-API-KEY": {voiceTestKey}}
	c, resp, err := websocket.Dial(context.Background(), s.url("/v1/audiohook"), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { c.CloseNow() })
	return &audiohookClient{t: t, c: c, id: session}
}

func TestAudioHookSessionReopenedForItsConversation(t *testing.T) {
	s, o := reconnectService(t, time.Minute, 1)
	const conv = "8b8b8b8b-0000-4000-8000-0000000000e1"
	external, internal := speechLike(3, 0.3, 1.2, 5), speechLike(3, 1.8, 2.6, 6)
	a := dialAudioHookSession(t, s, "aaaaaaaa-0000-4000-8000-000000000001")
	a.send("open", openParams(conv, nil, stereoMedia("PCMU")))
	a.expect("opened")
	a.stream(external, internal, 0, len(external), stereoPCMU)
	before := s.waitFor(t, conv, event.KindFinal)
	a.c.CloseNow()
	if !eventually.True(10*time.Second, func() bool { return parked(o, conv) }) {
		t.Fatal("the call is not waiting for its session")
	}

	b := dialAudioHookSession(t, s, "bbbbbbbb-0000-4000-8000-000000000002")
	b.send("open", openParams(conv, nil, stereoMedia("PCMU")))
	b.expect("opened")
	b.stream(external, internal, 0, len(external), stereoPCMU)
	b.send("close", map[string]any{"reason": "end"})
	b.expect("closed")
	evs := append(before, s.waitFor(t, conv, event.KindCallEnded)...)
	checkSequence(t, evs)
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("ended %q", e.Reason)
	}
	resumes := 0
	for _, e := range evs {
		if r, ok := e.Payload.(event.CallResumed); ok {
			resumes++
			if r.Endpoint != audiohookEndpoint {
				t.Errorf("resumed on %q", r.Endpoint)
			}
		}
	}
	if resumes != 1 || len(finals(evs, event.SpeakerAgent)) < 2 {
		t.Errorf("%d call.resumed; events %v", resumes, kindsOf(evs))
	}
}

func TestParkedCallEndsOnShutdown(t *testing.T) {
	s, o := reconnectService(t, time.Hour, 0)
	const sid = "CA0000000000000000000000000000re06"
	a := twilioCall(t, s, sid)
	s.waitFor(t, sid, event.KindCallStarted)
	a.c.CloseNow()
	if !eventually.True(10*time.Second, func() bool { return parked(o, sid) }) {
		t.Fatal("the call is not waiting for its stream")
	}
	if err := o.voiceCalls().shutdown(context.Background(), "shutdown"); err != nil {
		t.Fatal(err)
	}
	if e := ended(t, s.waitFor(t, sid, event.KindCallEnded)); e.Reason != "shutdown" {
		t.Errorf("ended %q, want shutdown", e.Reason)
	}
}
