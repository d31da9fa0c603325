package ingest

// This file tests the admission control of voice calls: the gate alone,
// then both voice endpoints at capacity over real WebSockets, with and
// without a speech server to hand calls over to.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// gauge reads a metric without labels from reg, or with labels.
func gauge(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	s := &voiceService{reg: reg}
	return s.metric(t, name, labels)
}

func TestVoiceGateAdmitsHandsOverAndRefuses(t *testing.T) {
	local, server := &scriptedRecognizer{text: "local"}, &scriptedRecognizer{text: "server"}
	type step struct {
		admit   bool // else release the oldest place held
		handed  bool // the admitted call goes to the overflow
		refused bool
	}
	for _, tt := range []struct {
		name     string
		max      int
		overflow audio.Recognizer
		steps    []step
		want     event.VoiceStatus
	}{
		{"no bound", 0, nil,
			[]step{{admit: true}, {admit: true}, {admit: true}},
			event.VoiceStatus{Active: 3}},
		{"full, refused", 2, nil,
			[]step{{admit: true}, {admit: true}, {admit: true, refused: true}, {admit: true, refused: true}},
			event.VoiceStatus{Active: 2, Capacity: 2, Refused: 2}},
		{"a slot comes back", 1, nil,
			[]step{{admit: true}, {admit: true, refused: true}, {}, {admit: true}},
			event.VoiceStatus{Active: 1, Capacity: 1, Refused: 1}},
		{"full, handed over", 1, server,
			[]step{{admit: true}, {admit: true, handed: true}, {admit: true, handed: true}},
			event.VoiceStatus{Active: 1, Capacity: 1, Overflow: 2, HandedOver: 2}},
		{"a handed-over call ends", 1, server,
			[]step{{admit: true}, {admit: true, handed: true}, {}, {}, {admit: true}},
			event.VoiceStatus{Active: 1, Capacity: 1, HandedOver: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			changes := 0
			g := newVoiceGate(&Options{Recognizer: local, MaxVoiceCalls: tt.max, Overflow: tt.overflow,
				Metrics: engine.NewMetrics(reg), OnVoiceChange: func() { changes++ }})
			var held []*voiceSlot
			for i, st := range tt.steps {
				if !st.admit {
					held[0].release()
					held[0].release() // twice: gives back one place only
					held = held[1:]
					continue
				}
				slot, err := g.admit(twilioEndpoint)
				var full *capacityError
				switch {
				case st.refused:
					if !errors.As(err, &full) || full.max != tt.max {
						t.Fatalf("step %d: admit = %v, %v; want refused at capacity %d", i, slot, err, tt.max)
					}
					continue
				case err != nil:
					t.Fatalf("step %d: %v", i, err)
				case slot.handedOver != st.handed:
					t.Fatalf("step %d: handed over %v, want %v", i, slot.handedOver, st.handed)
				case st.handed && slot.rec != server, !st.handed && slot.rec != local:
					t.Fatalf("step %d: recognizer %s", i, slot.rec.Name())
				}
				held = append(held, slot)
			}
			if got := g.status(); got != tt.want {
				t.Errorf("status %+v, want %+v", got, tt.want)
			}
			if changes != len(tt.steps) {
				t.Errorf("%d changes told, want one per step (%d)", changes, len(tt.steps))
			}
			for name, want := range map[string]int{
				"assist_voice_calls_active":   tt.want.Active,
				"assist_voice_calls_capacity": tt.want.Capacity,
				"assist_voice_calls_overflow": tt.want.Overflow,
			} {
				if got := gauge(t, reg, name, nil); got != float64(want) {
					t.Errorf("%s = %v, want %d", name, got, want)
				}
			}
			if got := gauge(t, reg, "assist_voice_calls_refused_total", map[string]string{"endpoint": twilioEndpoint}); got != float64(tt.want.Refused) {
				t.Errorf("refused counter %v, want %d", got, tt.want.Refused)
			}
			if got := gauge(t, reg, "assist_voice_calls_handed_over_total", map[string]string{"endpoint": twilioEndpoint}); got != float64(tt.want.HandedOver) {
				t.Errorf("handed-over counter %v, want %d", got, tt.want.HandedOver)
			}
		})
	}
}

// TestVoiceGateConcurrentArrivalsNeverExceedTheLimit lets calls arrive
// all at once and hold their slot until every one has tried: exactly as
// many are admitted as there are slots. Then calls come and go at once:
// at no change do more hold a slot than there are.
func TestVoiceGateConcurrentArrivalsNeverExceedTheLimit(t *testing.T) {
	const slots, arrivals = 4, 64
	var g *voiceGate
	var peak atomic.Int64
	g = newVoiceGate(&Options{Recognizer: &scriptedRecognizer{}, MaxVoiceCalls: slots, OnVoiceChange: func() {
		n := int64(g.status().Active)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				return
			}
		}
	}})

	var admitted atomic.Int64
	var tried, done sync.WaitGroup
	start := make(chan struct{})
	tried.Add(arrivals)
	for range arrivals {
		done.Go(func() {
			<-start
			slot, err := g.admit(audiohookEndpoint)
			tried.Done()
			if err != nil {
				return
			}
			admitted.Add(1)
			tried.Wait() // hold the slot until every arrival has tried
			slot.release()
		})
	}
	close(start)
	done.Wait()
	if st := g.status(); admitted.Load() != slots || st.Refused != arrivals-slots || st.Active != 0 {
		t.Fatalf("%d admitted, status %+v: want %d admitted, %d refused, every slot back", admitted.Load(), st, slots, arrivals-slots)
	}

	var churn sync.WaitGroup
	for range 8 {
		churn.Go(func() {
			for range 200 {
				slot, err := g.admit(twilioEndpoint)
				if err != nil {
					continue
				}
				if st := g.status(); st.Active > slots {
					t.Errorf("%d calls hold a slot, of %d", st.Active, slots)
				}
				slot.release()
			}
		})
	}
	churn.Wait()
	if p := peak.Load(); p != slots {
		t.Errorf("peak %d calls in slots, want %d", p, slots)
	}
	if st := g.status(); st.Active != 0 {
		t.Errorf("status %+v after the churn, want every slot back", st)
	}
}

// waitVoice waits until the voice admission of o is want.
func waitVoice(t *testing.T, o *Options, want func(event.VoiceStatus) bool) {
	t.Helper()
	if !eventually.True(20*time.Second, func() bool { return want(o.gate.status()) }) {
		t.Fatalf("voice admission is %+v", o.gate.status())
	}
}

// capacityService is a voice service with max slots; its options are
// returned to read the gate.
func capacityService(t *testing.T, rec audio.Recognizer, max int, overflow audio.Recognizer) (*voiceService, *Options) {
	t.Helper()
	var opts *Options
	s := newVoiceService(t, rec, testLimits, func(o *Options) {
		o.MaxVoiceCalls, o.Overflow = max, overflow
		opts = o
	})
	return s, opts
}

// twilioCall starts a one-track Twilio stream for call sid and sends a
// second of speech.
func twilioCall(t *testing.T, s *voiceService, sid string) *twilioClient {
	t.Helper()
	tc := dialTwilio(t, s)
	tc.connected()
	tc.start(sid, map[string]string{"key": voiceTestKey}, "inbound")
	tc.stream(speechLike(1.5, 0.3, 1, 4), nil, [2]int{})
	return tc
}

func TestTwilioAtCapacityIsRefusedWithTryAgainLater(t *testing.T) {
	s, o := capacityService(t, &scriptedRecognizer{text: "I lost my card"}, 1, nil)
	const first, second, third = "CA00000000000000000000000000000a01", "CA00000000000000000000000000000a02", "CA00000000000000000000000000000a03"
	busy := twilioCall(t, s, first)
	s.waitFor(t, first, event.KindCallStarted)

	full := dialTwilio(t, s)
	full.connected()
	full.start(second, map[string]string{"key": voiceTestKey}, "inbound", "outbound")
	if code, reason := closeStatus(t, full.c); code != websocket.StatusTryAgainLater || reason != "voice capacity reached (1 call)" {
		t.Errorf("close %d %q, want 1013 and the capacity", code, reason)
	}
	s.noCall(t, second)
	waitMetric(t, func() bool {
		return s.metric(t, "assist_voice_calls_refused_total", map[string]string{"endpoint": twilioEndpoint}) == 1
	})
	if n := s.metric(t, "assist_ingest_errors_total", map[string]string{"endpoint": twilioEndpoint}); n != 0 {
		t.Errorf("a refusal for capacity counted as %v ingest errors", n)
	}

	// The first call hangs up: its slot comes back, and the next call is
	// taken and recognised.
	busy.stop(first)
	s.waitFor(t, first, event.KindCallEnded)
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
	next := twilioCall(t, s, third)
	next.stop(third)
	if code, _ := closeStatus(t, next.c); code != websocket.StatusNormalClosure {
		t.Errorf("the call after a slot came back closed %d", code)
	}
	evs := s.waitFor(t, third, event.KindCallEnded)
	if us := finals(evs, event.SpeakerCustomer); len(us) != 1 || us[0].Text != "I lost my card" {
		t.Errorf("finals %+v of the call after a slot came back", us)
	}
	if st := o.gate.status(); st.Refused != 1 || st.Capacity != 1 {
		t.Errorf("status %+v, want 1 refused of capacity 1", st)
	}
}

func TestAudioHookAtCapacityIsDisconnected(t *testing.T) {
	s, o := capacityService(t, &scriptedRecognizer{text: "hello"}, 1, nil)
	const first, second, third = "6b6b6b6b-0000-4000-8000-000000000001", "6b6b6b6b-0000-4000-8000-000000000002", "6b6b6b6b-0000-4000-8000-000000000003"
	busy := mustDialAudioHook(t, s)
	busy.send("open", openParams(first, nil, stereoMedia("PCMU")))
	busy.expect("opened")
	s.waitFor(t, first, event.KindCallStarted)

	full := mustDialAudioHook(t, s)
	full.send("open", openParams(second, nil, stereoMedia("PCMU")))
	// disconnect instead of opened, then closed once the client closes.
	disconnected(t, full, "voice capacity reached (1 call)")
	s.noCall(t, second)
	if n := s.metric(t, "assist_voice_calls_refused_total", map[string]string{"endpoint": audiohookEndpoint}); n != 1 {
		t.Errorf("refused counter %v, want 1", n)
	}
	if n := s.metric(t, "assist_ingest_errors_total", map[string]string{"endpoint": audiohookEndpoint}); n != 0 {
		t.Errorf("a refusal for capacity counted as %v ingest errors", n)
	}

	// The connection probe needs no slot: answered while full.
	probe := mustDialAudioHook(t, s)
	probe.send("open", openParams(nullUUID, nil, stereoMedia("PCMU")))
	probe.expect("opened")
	probe.send("close", map[string]any{"reason": "end"})
	probe.expect("closed")

	// The first session's client disconnects: the slot comes back.
	busy.c.CloseNow()
	if e := ended(t, s.waitFor(t, first, event.KindCallEnded)); e.Reason != "disconnected" {
		t.Errorf("first call ended %q", e.Reason)
	}
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
	next := mustDialAudioHook(t, s)
	next.send("open", openParams(third, nil, stereoMedia("PCMU")))
	next.expect("opened")
	talk := speechLike(1.5, 0.3, 1, 5)
	next.stream(talk, talk, 0, len(talk), stereoPCMU)
	next.send("close", map[string]any{"reason": "end"})
	next.expect("closed")
	if us := finals(s.waitFor(t, third, event.KindCallEnded), event.SpeakerCustomer); len(us) != 1 || us[0].Text != "hello" {
		t.Errorf("finals %+v of the call after a slot came back", us)
	}
}

// fakeTranscriber is a speech server on the OpenAI audio transcriptions
// API that hears text in every utterance and counts them.
type fakeTranscriber struct {
	srv      *httptest.Server
	text     string
	requests atomic.Int64
}

func newFakeTranscriber(t *testing.T, text string) *fakeTranscriber {
	t.Helper()
	f := &fakeTranscriber{text: text}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseMultipartForm(8 << 20); err != nil || r.FormValue("model") != "whisper-test" || r.MultipartForm.File["file"] == nil {
			http.Error(w, fmt.Sprintf("bad transcription request: %v", err), http.StatusBadRequest)
			return
		}
		f.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"text": " " + f.text})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTranscriber) recognizer(t *testing.T) audio.Recognizer {
	t.Helper()
	r, err := audio.NewServerRecognizer(f.srv.URL+"/v1", "whisper-test", "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVoiceBeyondCapacityIsHandedToTheSpeechServer(t *testing.T) {
	server := newFakeTranscriber(t, "I was charged twice")
	s, o := capacityService(t, &scriptedRecognizer{text: "embedded text"}, 1, server.recognizer(t))
	const busyID, handedID, convID = "CA00000000000000000000000000000b01", "CA00000000000000000000000000000b02", "6c6c6c6c-0000-4000-8000-000000000001"
	busy := twilioCall(t, s, busyID)
	s.waitFor(t, busyID, event.KindCallStarted)

	t.Run("twilio", func(t *testing.T) {
		tc := dialTwilio(t, s)
		tc.connected()
		tc.start(handedID, map[string]string{"key": voiceTestKey, "queue": "billing"}, "inbound")
		tc.stream(speechLike(2, 0.3, 1.2, 6), nil, [2]int{})
		waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Overflow == 1 })
		tc.stop(handedID)
		if code, reason := closeStatus(t, tc.c); code != websocket.StatusNormalClosure {
			t.Errorf("handed-over stream closed %d %q", code, reason)
		}
		evs := s.waitFor(t, handedID, event.KindCallEnded)
		if info := started(t, evs); info.Queue != "billing" || info.Channel != event.ChannelVoice {
			t.Errorf("call.started %+v", info)
		}
		if us := finals(evs, event.SpeakerCustomer); len(us) != 1 || us[0].Text != "I was charged twice" || us[0].Source != event.SourceASR {
			t.Errorf("finals %+v, want the speech server's", us)
		}
		if e := ended(t, evs); e.Reason != "hangup" {
			t.Errorf("ended %q", e.Reason)
		}
	})
	t.Run("audiohook", func(t *testing.T) {
		a := mustDialAudioHook(t, s)
		a.send("open", openParams(convID, nil, stereoMedia("PCMU")))
		a.expect("opened")
		external, internal := speechLike(2.5, 0.2, 0.9, 7), speechLike(2.5, 1.4, 2.1, 8)
		a.stream(external, internal, 0, len(external), stereoPCMU)
		a.send("close", map[string]any{"reason": "end"})
		a.expect("closed")
		evs := s.waitFor(t, convID, event.KindCallEnded)
		c, ag := finals(evs, event.SpeakerCustomer), finals(evs, event.SpeakerAgent)
		if len(c) != 1 || len(ag) != 1 || c[0].Text != "I was charged twice" || ag[0].Text != "I was charged twice" {
			t.Errorf("customer %+v, agent %+v: want one utterance each, from the speech server", c, ag)
		}
	})
	if n := server.requests.Load(); n != 3 {
		t.Errorf("the speech server heard %d utterances, want 3", n)
	}
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Overflow == 0 && v.Active == 1 })
	st := o.gate.status()
	if st.HandedOver != 2 || st.Refused != 0 {
		t.Errorf("status %+v, want 2 handed over, none refused", st)
	}
	for _, ep := range []string{twilioEndpoint, audiohookEndpoint} {
		if n := s.metric(t, "assist_voice_calls_handed_over_total", map[string]string{"endpoint": ep}); n != 1 {
			t.Errorf("%s handed over %v, want 1", ep, n)
		}
	}
	busy.stop(busyID)
	s.waitFor(t, busyID, event.KindCallEnded)
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
}

// TestVoiceSlotComesBackHoweverTheCallEnds ends a call holding the only
// slot in each way a call can end, and checks that the slot comes back.
func TestVoiceSlotComesBackHoweverTheCallEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, s *voiceService, tc *twilioClient, sid string)
	}{
		{"hang-up", func(t *testing.T, s *voiceService, tc *twilioClient, sid string) { tc.stop(sid) }},
		{"socket lost", func(t *testing.T, s *voiceService, tc *twilioClient, sid string) { tc.c.CloseNow() }},
		{"protocol error", func(t *testing.T, s *voiceService, tc *twilioClient, sid string) {
			tc.send(map[string]any{"event": "media", "media": map[string]any{"track": "outbound", "timestamp": "0", "payload": ""}})
			if code, _ := closeStatus(t, tc.c); code != websocket.StatusPolicyViolation {
				t.Errorf("close %d, want policy violation", code)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, o := capacityService(t, &scriptedRecognizer{text: "hello"}, 1, nil)
			sid := "CA00000000000000000000000000000c01"
			tc := twilioCall(t, s, sid)
			s.waitFor(t, sid, event.KindCallStarted)
			if st := o.gate.status(); st.Active != 1 {
				t.Fatalf("status %+v with the call live", st)
			}
			tt.end(t, s, tc, sid)
			s.waitFor(t, sid, event.KindCallEnded)
			waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
		})
	}
	t.Run("start failure", func(t *testing.T) {
		// The engine cannot take the call: admitted, it cannot start, and
		// gives its slot back.
		const sid = "CA00000000000000000000000000000c02"
		var o *Options
		s := newVoiceService(t, &scriptedRecognizer{text: "hello"}, testLimits, func(opts *Options) {
			opts.MaxVoiceCalls, opts.Calls, o = 2, failingCalls{Calls: opts.Calls, id: sid}, opts
		})
		dup := dialTwilio(t, s)
		dup.connected()
		dup.start(sid, map[string]string{"key": voiceTestKey}, "inbound")
		if code, _ := closeStatus(t, dup.c); code != websocket.StatusInternalError {
			t.Errorf("close %d, want internal error: the call could not start", code)
		}
		waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
	})
	t.Run("shutdown", func(t *testing.T) {
		var voice *voiceStreams
		var o *Options
		// With shutdown control, as Handler.Close uses it.
		s := newVoiceService(t, &scriptedRecognizer{text: "hello"}, testLimits, func(opts *Options) {
			opts.MaxVoiceCalls = 1
			opts.voice = &voiceStreams{}
			opts.voice.ctx, opts.voice.cancel = context.WithCancel(context.Background())
			voice, o = opts.voice, opts
		})
		const sid = "CA00000000000000000000000000000c03"
		twilioCall(t, s, sid)
		s.waitFor(t, sid, event.KindCallStarted)
		voice.cancel()
		voice.wg.Wait()
		if e := ended(t, s.waitFor(t, sid, event.KindCallEnded)); e.Reason != "shutdown" {
			t.Errorf("ended %q", e.Reason)
		}
		if st := o.gate.status(); st.Active != 0 {
			t.Errorf("status %+v after shutdown, want the slot back", st)
		}
	})
}

// TestVoiceConcurrentArrivalsOverWebSockets sends more Twilio calls at
// once than there are slots: exactly as many as there are slots start,
// the others are refused with 1013.
func TestVoiceConcurrentArrivalsOverWebSockets(t *testing.T) {
	const slots, calls = 2, 6
	s, o := capacityService(t, &scriptedRecognizer{text: "hello"}, slots, nil)
	clients := make([]*twilioClient, calls)
	for i := range clients {
		clients[i] = dialTwilio(t, s)
		clients[i].connected()
	}
	var wg sync.WaitGroup
	for i, tc := range clients {
		wg.Go(func() {
			tc.send(map[string]any{"event": "start", "start": map[string]any{
				"streamSid": tc.sid, "callSid": fmt.Sprintf("CA00000000000000000000000000000d%02d", i),
				"tracks": []string{"inbound"}, "customParameters": map[string]string{"key": voiceTestKey},
				"mediaFormat": map[string]any{"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
			}})
		})
	}
	wg.Wait()
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active+int(v.Refused) == calls })
	if st := o.gate.status(); st.Active != slots || st.Refused != calls-slots {
		t.Fatalf("status %+v, want %d in slots and %d refused", st, slots, calls-slots)
	}
	// The admitted calls start in the background.
	live := func() int {
		n := 0
		for i := range calls {
			if _, ok := s.eng.Session(fmt.Sprintf("CA00000000000000000000000000000d%02d", i)); ok {
				n++
			}
		}
		return n
	}
	if !eventually.True(20*time.Second, func() bool { return live() == slots }) {
		t.Fatalf("%d calls live, want %d", live(), slots)
	}
	refused := 0
	for i, tc := range clients {
		sid := fmt.Sprintf("CA00000000000000000000000000000d%02d", i)
		if _, live := s.eng.Session(sid); live {
			tc.stop(sid)
			if code, _ := closeStatus(t, tc.c); code != websocket.StatusNormalClosure {
				t.Errorf("call %d closed %d", i, code)
			}
			continue
		}
		if code, _ := closeStatus(t, tc.c); code != websocket.StatusTryAgainLater {
			t.Errorf("call %d: neither live nor refused (close %d)", i, code)
		}
		refused++
	}
	if refused != calls-slots {
		t.Errorf("%d refused, want %d", refused, calls-slots)
	}
	waitVoice(t, o, func(v event.VoiceStatus) bool { return v.Active == 0 })
}

// failingCalls fails to start the call id, as an engine that is down.
type failingCalls struct {
	Calls
	id string
}

func (c failingCalls) Start(ctx context.Context, id string, info event.CallStarted) (engine.CallSink, error) {
	if id == c.id {
		return nil, errors.New("the engine is down")
	}
	return c.Calls.Start(ctx, id, info)
}
