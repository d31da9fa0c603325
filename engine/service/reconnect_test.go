package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// silentRecognizer hears nothing: these tests are about the calls' ids
// and sequences, not their words.
type silentRecognizer struct{}

func (silentRecognizer) Name() string                     { return "silent" }
func (silentRecognizer) NewStream() (audio.Stream, error) { return silentStream{}, nil }

type silentStream struct{}

func (silentStream) Accept([]int16) (string, error) { return "", nil }
func (silentStream) Final() (string, error)         { return "", nil }
func (silentStream) Close() error                   { return nil }

// ingestServer is the ingest endpoints of one service process, handing
// calls to the workers over the bus.
func ingestServer(t *testing.T, ts *testService, grace time.Duration) string {
	t.Helper()
	h, err := ingest.NewHandler(ingest.Options{
		Calls: ts.client(t), Recognizer: silentRecognizer{}, APIKey: "k", ReconnectGrace: grace,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/twilio/media"
}

// twilioStream opens a Media Streams connection for callSid and sends its
// start and a second of silence.
func twilioStream(t *testing.T, url, callSid string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	msgs := []map[string]any{{"event": "start", "start": map[string]any{
		"streamSid": "MZ1", "callSid": callSid, "tracks": []string{"inbound"},
		"customParameters": map[string]string{"key": "k", "agent": "a1", "queue": "cards"},
		"mediaFormat":      map[string]any{"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
	}}}
	for i := range 50 {
		msgs = append(msgs, map[string]any{"event": "media", "media": map[string]any{
			"track": "inbound", "timestamp": fmt.Sprint(i * 20), "payload": base64.StdEncoding.EncodeToString(make([]byte, 160)),
		}})
	}
	for i, m := range msgs {
		m["sequenceNumber"], m["streamSid"] = fmt.Sprint(i+1), "MZ1"
		data, _ := json.Marshal(m)
		if err := c.Write(context.Background(), websocket.MessageText, data); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func stopStream(t *testing.T, c *websocket.Conn) {
	t.Helper()
	data, _ := json.Marshal(map[string]any{"event": "stop", "sequenceNumber": "52", "streamSid": "MZ1"})
	if err := c.Write(context.Background(), websocket.MessageText, data); err != nil {
		t.Fatal(err)
	}
}

// TestVoiceCallResumesAndItsIDComesBackAfterARestart runs a Twilio call
// through ingest and a worker on the bus: its stream drops and comes
// back, and the call carries on in the store with one sequence; once it
// has ended, the same callSid on a new ingest process (which remembers no
// ids) starts a new call under a suffixed id, since the store has the
// first.
func TestVoiceCallResumesAndItsIDComesBackAfterARestart(t *testing.T) {
	ts := startService(t)
	ts.worker(t, "w1")
	ctx := context.Background()
	const sid = "CA00000000000000000000000000svc001"
	stored := func(id string) []event.Event {
		evs, _, err := ts.store.History(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	endedIn := func(id string) bool {
		evs := stored(id)
		return len(evs) > 0 && evs[len(evs)-1].Kind == event.KindCallEnded
	}

	first := ingestServer(t, ts, time.Minute)
	a := twilioStream(t, first, sid)
	if !eventually.True(10*time.Second, func() bool { return len(stored(sid)) > 0 }) {
		t.Fatal("the call never started")
	}
	a.CloseNow()
	b := twilioStream(t, first, sid)
	stopStream(t, b)
	if !eventually.True(20*time.Second, func() bool { return endedIn(sid) }) {
		t.Fatalf("the call never ended: %v", kinds(stored(sid)))
	}
	evs := stored(sid)
	checkSequence(t, evs)
	if n := kinds(evs); n[event.KindCallStarted] != 1 || n[event.KindCallResumed] != 1 {
		t.Errorf("stored %v, want one call.started and one call.resumed", n)
	}
	if e := evs[len(evs)-1].Payload.(event.CallEnded); e.Reason != "hangup" {
		t.Errorf("ended %q", e.Reason)
	}

	second := ingestServer(t, ts, time.Minute)
	c := twilioStream(t, second, sid)
	stopStream(t, c)
	if !eventually.True(20*time.Second, func() bool { return endedIn(sid + "-2") }) {
		t.Fatalf("no call %s-2 in the store", sid)
	}
	if n := len(stored(sid)); n != len(evs) {
		t.Errorf("the first call has %d events after the second, had %d", n, len(evs))
	}
}
