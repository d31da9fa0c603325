package ingest

// This file tests the Twilio Media Streams endpoint and holds what the
// voice endpoint tests share: a service on a real engine and bus, the
// embedded recognizer, real speech clips and a scripted recognizer for
// tests about the protocol rather than the words.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

const voiceTestKey = "voice-test-key"

// Two LibriVox clips from the Debian package pocketsphinx-testdata: the
// customer says the first ("he was not an ill disposed young man"), the
// agent answers with the second ("had he married a more amiable woman he
// might have been made still more respectable than he was"). Of the
// package's clips, these two keep the most words at telephone quality:
// the embedded US English model is trained on 16 kHz speech, and loses
// much of 8 kHz μ-law audio.
var (
	customerClip = sphinxtest.LibriVoxClip("0880")
	agentClip    = sphinxtest.LibriVoxClip("0920")
)

// Words of the clips' transcripts that the recognizer gets at 8 kHz, of
// which a test wants at least two.
var (
	customerWords = []string{"he", "was", "not", "an", "ill", "disposed", "young", "man"}
	agentWords    = []string{"married", "more", "amiable", "woman", "might", "have", "been", "made", "respectable"}
)

// testLimits keep real-speech calls from overflowing their queue however
// slow recognition is under -race.
var testLimits = limits{idle: 20 * time.Second, queued: 2 * time.Minute, grace: time.Second}

// twoPartyCall lays the clips out as a call at 8 kHz, one track per party:
// half a second of line noise, the customer, a second of line noise, the
// agent, half a second. It returns the tracks and where each party starts.
func twoPartyCall(t testing.TB) (customer, agent []int16, customerAt, agentAt time.Duration) {
	t.Helper()
	c, a := clip8k(t, customerClip), clip8k(t, agentClip)
	const rate = telephonyRate
	n := rate/2 + len(c) + rate + len(a) + rate/2
	customer, agent = lineNoise(n, 1), lineNoise(n, 2)
	copy(customer[rate/2:], c)
	agentStart := rate/2 + len(c) + rate
	copy(agent[agentStart:], a)
	return customer, agent, 500 * time.Millisecond, time.Duration(agentStart) * time.Second / rate
}

// clip8k loads a 16 kHz clip and resamples it to the telephony rate.
func clip8k(t testing.TB, path string) []int16 {
	t.Helper()
	c, err := audio.LoadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return audio.Resample(nil, c.Channels[0], c.Rate, telephonyRate)
}

// lineNoise is n samples of the faint hiss of a phone line.
func lineNoise(n int, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8 * rng.NormFloat64())
	}
	return out
}

// speechLike is seconds of line noise with loud noise, like a talker, over
// [from, to) seconds: enough for the voice detector, for tests whose
// recognizer is scripted.
func speechLike(seconds, from, to float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, int(seconds*telephonyRate))
	for i := range out {
		amp := 30.0
		if t := float64(i) / telephonyRate; t >= from && t < to {
			amp = 3000
		}
		out[i] = int16(math.Max(math.Min(amp*rng.NormFloat64(), 32767), -32768))
	}
	return out
}

// mulaw encodes samples as G.711 μ-law.
func mulaw(samples []int16) []byte {
	out := make([]byte, len(samples))
	for i, s := range samples {
		out[i] = audio.MulawEncode(s)
	}
	return out
}

// scriptedRecognizer hears text in every utterance. When gate is not nil,
// decoding blocks until it is closed: recognition slower than real time.
// When loading is not nil, starting a stream blocks until it is closed: a
// model that takes long to load.
type scriptedRecognizer struct {
	text    string
	gate    chan struct{}
	loading chan struct{}
}

func (r *scriptedRecognizer) Name() string { return "scripted" }
func (r *scriptedRecognizer) NewStream() (audio.Stream, error) {
	if r.loading != nil {
		<-r.loading
	}
	return &scriptedStream{r: r}, nil
}

type scriptedStream struct{ r *scriptedRecognizer }

func (s *scriptedStream) Accept([]int16) (string, error) {
	if s.r.gate != nil {
		<-s.r.gate
	}
	return "", nil
}
func (s *scriptedStream) Final() (string, error) { return s.r.text, nil }
func (s *scriptedStream) Close() error           { return nil }

// logBuffer collects a service's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// voiceService is the two voice endpoints on a real engine and embedded
// bus, served over HTTP, with a subscriber to every call's events.
type voiceService struct {
	srv     *httptest.Server
	eng     *engine.Engine
	events  *engine.Subscription
	reg     *prometheus.Registry
	logs    *logBuffer
	pending map[string][]event.Event // events read for other calls
}

// newVoiceService starts a service whose voice calls are recognised by rec
// (nil: none) with the time-outs and bounds lim; tweak adjusts the
// options.
func newVoiceService(t *testing.T, rec audio.Recognizer, lim limits, tweak ...func(*Options)) *voiceService {
	t.Helper()
	te := enginetest.Start(t)
	eng, events := te.Engine, te.Events
	s := &voiceService{eng: eng, events: events, reg: prometheus.NewRegistry(), logs: &logBuffer{}, pending: map[string][]event.Event{}}
	o := &Options{
		Calls:      &EngineCalls{Engine: eng},
		Recognizer: rec,
		APIKey:     voiceTestKey,
		Metrics:    engine.NewMetrics(s.reg),
		Logger:     slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range tweak {
		f(o)
	}
	o.voiceGate() // as NewHandler does
	o.conns()
	o.voiceCalls()
	if lim.auth == 0 {
		lim.auth = AuthTimeout
	}
	// Handlers of hijacked connections outlive httptest's Close: wait for
	// them before the bus they publish on goes.
	var handlers sync.WaitGroup
	mux := http.NewServeMux()
	for path, h := range map[string]http.Handler{
		"/v1/twilio/media": &twilioHandler{o: o, lim: lim},
		"/v1/audiohook":    &audiohookHandler{o: o, lim: lim},
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			handlers.Add(1)
			defer handlers.Done()
			h.ServeHTTP(w, r)
		})
	}
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.srv.Close()
		done := make(chan struct{})
		go func() {
			handlers.Wait()
			// Calls parked for their streams to come back end with the
			// test.
			o.voiceCalls().shutdown(context.Background(), "shutdown")
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("voice handlers still running 30 s after the test")
		}
	})
	return s
}

func (s *voiceService) url(path string) string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + path
}

// waitFor returns the events of call id up to the first of kind.
func (s *voiceService) waitFor(t *testing.T, id string, kind event.Kind) []event.Event {
	t.Helper()
	var got []event.Event
	take := func(e event.Event) bool {
		got = append(got, e)
		return e.Kind == kind
	}
	for len(s.pending[id]) > 0 {
		e := s.pending[id][0]
		s.pending[id] = s.pending[id][1:]
		if take(e) {
			return got
		}
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case e := <-s.events.C:
			if e.CallID != id {
				s.pending[e.CallID] = append(s.pending[e.CallID], e)
				continue
			}
			if take(e) {
				return got
			}
		case <-timeout:
			t.Fatalf("no %s event for call %s after %d events", kind, id, len(got))
		}
	}
}

// ingestErrors returns the ingest error count of endpoint and reason.
func (s *voiceService) ingestErrors(t *testing.T, endpoint, reason string) float64 {
	t.Helper()
	return s.metric(t, "assist_ingest_errors_total", map[string]string{"endpoint": endpoint, "reason": reason})
}

// metric returns the value of the counter or gauge name with labels.
func (s *voiceService) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return 0
}

// noCall checks that call id never started.
func (s *voiceService) noCall(t *testing.T, id string) {
	t.Helper()
	if _, ok := s.eng.Session(id); ok {
		t.Errorf("call %s started", id)
	}
	for {
		select {
		case e := <-s.events.C:
			if e.CallID == id {
				t.Errorf("call %s has a %s event", id, e.Kind)
			}
			s.pending[e.CallID] = append(s.pending[e.CallID], e)
		default:
			return
		}
	}
}

// finals returns the final utterances of speaker among evs.
func finals(evs []event.Event, speaker event.Speaker) []event.Utterance {
	var out []event.Utterance
	for _, e := range evs {
		if u, ok := e.Payload.(event.Utterance); ok && u.Final && u.Speaker == speaker {
			out = append(out, u)
		}
	}
	return out
}

// checkHeard checks that speaker's first final begins a little after at
// (the clips open with a breath of silence) and that the finals hold at
// least two of words.
func checkHeard(t *testing.T, evs []event.Event, speaker event.Speaker, at time.Duration, words []string) {
	t.Helper()
	us := finals(evs, speaker)
	if len(us) == 0 {
		t.Errorf("no final %s utterance", speaker)
		return
	}
	var texts []string
	for _, u := range us {
		texts = append(texts, u.Text)
		if u.Source != event.SourceASR {
			t.Errorf("%s utterance source %q", speaker, u.Source)
		}
	}
	t.Logf("%s heard at %.2f s: %q", speaker, us[0].Start, texts)
	heard := strings.Fields(strings.Join(texts, " "))
	hits := 0
	for _, w := range words {
		if slices.Contains(heard, w) {
			hits++
		}
	}
	if hits < 2 {
		t.Errorf("%s said %q: want at least 2 of %v", speaker, texts, words)
	}
	if d := us[0].Start - at.Seconds(); d < -0.1 || d > 0.6 {
		t.Errorf("%s's first utterance starts at %.2f s, want just after %.2f", speaker, us[0].Start, at.Seconds())
	}
}

// started returns a call's call.started payload.
func started(t *testing.T, evs []event.Event) event.CallStarted {
	t.Helper()
	if len(evs) == 0 || evs[0].Kind != event.KindCallStarted {
		t.Fatalf("events %v do not begin with call.started", kindsOf(evs))
	}
	return evs[0].Payload.(event.CallStarted)
}

// ended returns a call's call.ended payload.
func ended(t *testing.T, evs []event.Event) event.CallEnded {
	t.Helper()
	last := evs[len(evs)-1]
	if last.Kind != event.KindCallEnded {
		t.Fatalf("events %v do not end with call.ended", kindsOf(evs))
	}
	return last.Payload.(event.CallEnded)
}

func kindsOf(evs []event.Event) []event.Kind {
	out := make([]event.Kind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

// closeStatus reads until the connection closes and returns the close
// frame's status and reason.
func closeStatus(t *testing.T, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		return -1, err.Error()
	}
}

// twilioClient plays Twilio on a Media Streams connection.
type twilioClient struct {
	t   *testing.T
	c   *websocket.Conn
	seq int
	sid string
}

func dialTwilio(t *testing.T, s *voiceService) *twilioClient {
	t.Helper()
	c, resp, err := websocket.Dial(context.Background(), s.url("/v1/twilio/media"), nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &twilioClient{t: t, c: c, sid: "MZ18ad3ab5a668481ce02b83e7395059f0"}
}

// send sends one message, numbered unless it is connected.
func (tc *twilioClient) send(msg map[string]any) {
	tc.t.Helper()
	if msg["event"] != "connected" {
		tc.seq++
		msg["sequenceNumber"] = fmt.Sprint(tc.seq)
		msg["streamSid"] = tc.sid
	}
	tc.sendRaw(msg)
}

func (tc *twilioClient) sendRaw(msg any) {
	tc.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		tc.t.Fatal(err)
	}
	if err := tc.c.Write(context.Background(), websocket.MessageText, data); err != nil {
		tc.t.Fatalf("send %s: %v", data, err)
	}
}

func (tc *twilioClient) connected() {
	tc.send(map[string]any{"event": "connected", "protocol": "Call", "version": "1.0.0"})
}

func (tc *twilioClient) start(callSID string, params map[string]string, tracks ...string) {
	tc.send(map[string]any{"event": "start", "start": map[string]any{
		"streamSid": tc.sid, "accountSid": "AC0123456789abcdef0123456789abcdef", "callSid": callSID,
		"tracks": tracks, "customParameters": params,
		"mediaFormat": map[string]any{"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
	}})
}

func (tc *twilioClient) media(track string, chunk int, ms int, payload []byte) {
	tc.send(map[string]any{"event": "media", "media": map[string]any{
		"track": track, "chunk": fmt.Sprint(chunk), "timestamp": fmt.Sprint(ms),
		"payload": base64.StdEncoding.EncodeToString(payload),
	}})
}

func (tc *twilioClient) stop(callSID string) {
	tc.send(map[string]any{"event": "stop", "stop": map[string]any{
		"accountSid": "AC0123456789abcdef0123456789abcdef", "callSid": callSID,
	}})
}

// stream sends both tracks 20 ms at a time, interleaved as Twilio sends
// them; skip leaves out the frames starting in [skip[0], skip[1]) ms.
func (tc *twilioClient) stream(inbound, outbound []int16, skip [2]int) {
	tc.t.Helper()
	const frame = telephonyRate / 50
	for i := 0; i*frame < len(inbound); i++ {
		ms := i * 20
		if ms >= skip[0] && ms < skip[1] {
			continue
		}
		end := min((i+1)*frame, len(inbound))
		tc.media("inbound", i+1, ms, mulaw(inbound[i*frame:end]))
		if outbound != nil {
			tc.media("outbound", i+1, ms, mulaw(outbound[i*frame:end]))
		}
		if i == 40 {
			// Sent again: a duplicate must not shift the track.
			tc.media("inbound", i+1, ms, mulaw(inbound[i*frame:end]))
		}
	}
}

func TestTwilioStreamRecognisesBothParties(t *testing.T) {
	rec := sphinxtest.Recognizer(t)
	t.Parallel()
	s := newVoiceService(t, rec, testLimits)
	customer, agent, customerAt, agentAt := twoPartyCall(t)
	const callSID = "CA5f2e3c3e6b1d4b4e8a2f0e9d8c7b6a51"
	tc := dialTwilio(t, s)
	tc.connected()
	tc.start(callSID, map[string]string{"key": voiceTestKey, "agent": "ana", "queue": "cards", "customer": "+15005550006"}, "inbound", "outbound")
	// The second of line noise between the parties is never sent: the
	// timestamps must leave a hole the agent's words land after.
	gapFrom := int((customerAt + time.Duration(len(clip8k(t, customerClip)))*time.Second/telephonyRate) / time.Millisecond)
	tc.stream(customer, agent, [2]int{gapFrom + 100, gapFrom + 900})
	tc.stop(callSID)
	if code, reason := closeStatus(t, tc.c); code != websocket.StatusNormalClosure {
		t.Errorf("close %d %q, want normal closure", code, reason)
	}

	evs := s.waitFor(t, callSID, event.KindCallEnded)
	if info := started(t, evs); info.Agent != "ana" || info.Queue != "cards" || info.Customer != "+15005550006" || info.Channel != event.ChannelVoice {
		t.Errorf("call.started %+v", info)
	}
	checkHeard(t, evs, event.SpeakerCustomer, customerAt, customerWords)
	checkHeard(t, evs, event.SpeakerAgent, agentAt, agentWords)
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("call ended with %q, want hangup", e.Reason)
	}
}

func TestTwilioOneTrackIsOneChannelAndCallIDParameter(t *testing.T) {
	rec := &scriptedRecognizer{text: "I lost my debit card"}
	s := newVoiceService(t, rec, testLimits)
	tc := dialTwilio(t, s)
	tc.connected()
	tc.start("CA00000000000000000000000000000001", map[string]string{"key": voiceTestKey, "call_id": "crm-42"})
	tc.stream(speechLike(2, 0.5, 1.5, 1), nil, [2]int{})
	tc.c.Close(websocket.StatusNormalClosure, "") // no stop: the socket just closes

	evs := s.waitFor(t, "crm-42", event.KindCallEnded)
	us := finals(evs, event.SpeakerCustomer)
	if len(us) != 1 || us[0].Text != "I lost my debit card" {
		t.Errorf("finals %+v", us)
	}
	if len(finals(evs, event.SpeakerAgent)) != 0 {
		t.Error("an agent utterance from a one-track stream")
	}
	if e := ended(t, evs); e.Reason != "disconnected" {
		t.Errorf("call ended with %q, want disconnected", e.Reason)
	}
}

func TestTwilioInboundCanBeTheAgent(t *testing.T) {
	rec := &scriptedRecognizer{text: "thanks for calling"}
	s := newVoiceService(t, rec, testLimits, func(o *Options) { o.TwilioInbound = event.SpeakerAgent })
	const sid = "CA00000000000000000000000000000002"
	tc := dialTwilio(t, s)
	tc.connected()
	// Outbound listed first: the channels follow the tracks, not the list.
	tc.start(sid, map[string]string{"key": voiceTestKey}, "outbound", "inbound")
	tc.stream(speechLike(2, 0.2, 0.8, 1), speechLike(2, 1.2, 1.8, 2), [2]int{})
	tc.stop(sid)

	evs := s.waitFor(t, sid, event.KindCallEnded)
	agent, customer := finals(evs, event.SpeakerAgent), finals(evs, event.SpeakerCustomer)
	if len(agent) != 1 || len(customer) != 1 {
		t.Fatalf("agent %+v, customer %+v: want one each", agent, customer)
	}
	if agent[0].Start > 0.5 || customer[0].Start < 1 {
		t.Errorf("the agent (inbound) spoke at %.2f s, the customer (outbound) at %.2f s: want 0.2 and 1.2",
			agent[0].Start, customer[0].Start)
	}
}

func TestTwilioRefusesAWrongOrMissingKey(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, testLimits)
	for i, params := range []map[string]string{
		{"key": "not-the-key", "agent": "ana"},
		{"agent": "ana"},
		nil,
	} {
		sid := fmt.Sprintf("CA0000000000000000000000000000010%d", i)
		tc := dialTwilio(t, s)
		tc.connected()
		tc.start(sid, params, "inbound")
		code, reason := closeStatus(t, tc.c)
		if code != websocket.StatusPolicyViolation || !strings.Contains(reason, "API key") {
			t.Errorf("params %v: close %d %q, want policy violation about the API key", params, code, reason)
		}
		s.noCall(t, sid)
	}
	if n := s.ingestErrors(t, twilioEndpoint, reasonUnauthorized); n != 3 {
		t.Errorf("%v unauthorized streams counted, want 3", n)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "API key") || strings.Contains(logs, "not-the-key") {
		t.Errorf("the log should give the reason and not the key:\n%s", logs)
	}
}

func TestTwilioProtocolErrorsCloseTheStream(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{text: "hello"}, testLimits)
	start := func(sid string) map[string]any {
		return map[string]any{"event": "start", "sequenceNumber": "1", "streamSid": "MZ1", "start": map[string]any{
			"streamSid": "MZ1", "callSid": sid, "tracks": []string{"inbound"},
			"customParameters": map[string]string{"key": voiceTestKey},
			"mediaFormat":      map[string]any{"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
		}}
	}
	media := func(seq, ts string, track string) map[string]any {
		return map[string]any{"event": "media", "sequenceNumber": seq, "streamSid": "MZ1", "media": map[string]any{
			"track": track, "chunk": "1", "timestamp": ts, "payload": base64.StdEncoding.EncodeToString(make([]byte, 160)),
		}}
	}
	for i, tt := range []struct {
		name     string
		msgs     func(sid string) []any
		reason   string
		callMade bool
	}{
		{"malformed JSON", func(string) []any { return []any{`{"event": "start", `} }, reasonMalformed, false},
		{"unknown event", func(string) []any { return []any{map[string]any{"event": "hangup", "sequenceNumber": "1"}} }, reasonUnknownEvent, false},
		{"media before start", func(string) []any { return []any{media("1", "0", "inbound")} }, reasonBadSequence, false},
		{"sequence gap", func(sid string) []any { return []any{start(sid), media("3", "0", "inbound")} }, reasonBadSequence, true},
		{"sequence repeated", func(sid string) []any {
			return []any{start(sid), media("2", "0", "inbound"), media("2", "20", "inbound")}
		}, reasonBadSequence, true},
		{"no sequence number", func(string) []any { return []any{map[string]any{"event": "stop"}} }, reasonMalformed, false},
		{"track not announced", func(sid string) []any { return []any{start(sid), media("2", "0", "outbound")} }, reasonBadMessage, true},
		{"other stream", func(sid string) []any {
			m := media("2", "0", "inbound")
			m["streamSid"] = "MZ2"
			return []any{start(sid), m}
		}, reasonBadMessage, true},
		{"timestamp jump", func(sid string) []any {
			return []any{start(sid), media("2", "0", "inbound"), media("3", "3600000", "inbound")}
		}, reasonTimestampJump, true},
		{"bad payload", func(sid string) []any {
			return []any{start(sid), map[string]any{"event": "media", "sequenceNumber": "2", "media": map[string]any{
				"track": "inbound", "timestamp": "0", "payload": "%%%"}}}
		}, reasonMalformed, true},
		{"not μ-law", func(sid string) []any {
			return []any{map[string]any{"event": "start", "sequenceNumber": "1", "start": map[string]any{
				"callSid": sid, "mediaFormat": map[string]any{"encoding": "audio/l16", "sampleRate": 16000, "channels": 1}}}}
		}, reasonUnsupportedMedia, false},
		{"second start", func(sid string) []any {
			st := start(sid)
			st2 := start(sid)
			st2["sequenceNumber"] = "2"
			return []any{st, st2}
		}, reasonBadSequence, true},
		{"agent too long", func(sid string) []any {
			st := start(sid)
			st["start"].(map[string]any)["customParameters"] = map[string]string{"key": voiceTestKey, "agent": strings.Repeat("a", 200)}
			return []any{st}
		}, reasonBadMessage, false},
		{"binary frame", func(string) []any { return []any{[]byte{1, 2, 3}} }, reasonBadMessage, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sid := fmt.Sprintf("CA000000000000000000000000000002%02d", i)
			before := s.ingestErrors(t, twilioEndpoint, tt.reason)
			tc := dialTwilio(t, s)
			for _, m := range tt.msgs(sid) {
				switch m := m.(type) {
				case string:
					tc.c.Write(context.Background(), websocket.MessageText, []byte(m))
				case []byte:
					tc.c.Write(context.Background(), websocket.MessageBinary, m)
				default:
					tc.sendRaw(m)
				}
			}
			if code, reason := closeStatus(t, tc.c); code != websocket.StatusPolicyViolation || reason == "" {
				t.Errorf("close %d %q, want policy violation with a reason", code, reason)
			}
			if tt.callMade {
				if e := ended(t, s.waitFor(t, sid, event.KindCallEnded)); e.Reason != "error" {
					t.Errorf("call ended with %q, want error", e.Reason)
				}
			} else {
				s.noCall(t, sid)
			}
			waitMetric(t, func() bool { return s.ingestErrors(t, twilioEndpoint, tt.reason) == before+1 })
		})
	}
}

func TestTwilioRefusesVoiceWithoutARecognizer(t *testing.T) {
	s := newVoiceService(t, nil, testLimits)
	for _, path := range []string{"/v1/twilio/media", "/v1/audiohook"} {
		_, resp, err := websocket.Dial(context.Background(), s.url(path),
			&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {voiceTestKey}}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s without a recognizer: %v %v, want 503", path, err, resp)
		}
	}
	if !strings.Contains(s.logs.String(), "no speech recognizer") {
		t.Errorf("log does not say why:\n%s", s.logs.String())
	}
}

func TestVoiceOversizeMessageIsRefused(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, testLimits)
	tc := dialTwilio(t, s)
	big := make([]byte, 10<<20)
	for i := range big {
		big[i] = 'a'
	}
	// The server stops reading at 1 MiB, so the write may fail halfway.
	go tc.c.Write(context.Background(), websocket.MessageText, big)
	if code, _ := closeStatus(t, tc.c); code != websocket.StatusMessageTooBig {
		t.Errorf("close %d, want %d (message too big)", code, websocket.StatusMessageTooBig)
	}
	waitMetric(t, func() bool { return s.ingestErrors(t, twilioEndpoint, reasonTooBig) == 1 })
}

func TestVoiceIdleClientIsClosed(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, limits{idle: 200 * time.Millisecond, queued: time.Second, grace: time.Second})
	tc := dialTwilio(t, s)
	tc.connected()
	tc.start("CA00000000000000000000000000000idle", map[string]string{"key": voiceTestKey}, "inbound")
	if code, reason := closeStatus(t, tc.c); code != websocket.StatusPolicyViolation || reason != "idle timeout" {
		t.Errorf("close %d %q, want policy violation: idle timeout", code, reason)
	}
	waitMetric(t, func() bool { return s.ingestErrors(t, twilioEndpoint, reasonIdleTimeout) == 1 })
}

// TestTwilioUnauthenticatedStreamIsClosed checks that a stream which never
// shows the key is closed after the time to authenticate, however long
// the idle time-out, and that what it sends before does not keep it open.
func TestTwilioUnauthenticatedStreamIsClosed(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, limits{idle: time.Minute, queued: time.Second, grace: time.Second, auth: 300 * time.Millisecond})
	for _, tt := range []struct {
		name  string
		msgs  func(tc *twilioClient)
		close string
	}{
		{"silent", func(*twilioClient) {}, "not authenticated within 300ms"},
		{"connected only", func(tc *twilioClient) { tc.connected() }, "not authenticated within 300ms"},
		// A second connected was taken, and reset the idle time-out,
		// which let a keyless socket live for ever.
		{"connected again", func(tc *twilioClient) { tc.connected(); tc.connected() }, "connected message after the stream's first"},
		{"dtmf before start", func(tc *twilioClient) {
			tc.connected()
			tc.send(map[string]any{"event": "dtmf", "dtmf": map[string]any{"track": "inbound_track", "digit": "1"}})
		}, "dtmf before start"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tc := dialTwilio(t, s)
			tt.msgs(tc)
			if code, reason := closeStatus(t, tc.c); code != websocket.StatusPolicyViolation || reason != tt.close {
				t.Errorf("close %d %q, want policy violation: %s", code, reason, tt.close)
			}
		})
	}
	waitMetric(t, func() bool { return s.ingestErrors(t, twilioEndpoint, reasonAuthTimeout) == 2 })
	waitMetric(t, func() bool {
		return s.metric(t, "assist_ingest_unauthenticated_connections", map[string]string{"endpoint": twilioEndpoint}) == 0 &&
			s.metric(t, "assist_ingest_connections", map[string]string{"endpoint": twilioEndpoint}) == 0
	})
}

// waitMetric waits for a metric the handler updates after the client saw
// the connection close.
func waitMetric(t *testing.T, ok func() bool) {
	t.Helper()
	if !eventually.True(10*time.Second, ok) {
		t.Fatal("metric never reached its value")
	}
}

func TestTrackMixer(t *testing.T) {
	type chunk struct {
		silence int
		samples [][]int16
	}
	var got []chunk
	out := func(silence int, samples [][]int16) { got = append(got, chunk{silence, samples}) }
	seq := func(from, n int) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(from + i)
		}
		return s
	}
	m := newTrackMixer(2, 8, 0)
	m.add(0, 0, seq(0, 4), out) // waits for channel 1
	if len(got) != 0 {
		t.Fatalf("handed out %v before channel 1 arrived", got)
	}
	m.add(1, 0, seq(100, 4), out)
	m.add(0, 2, seq(2, 4), out)   // overlaps: only 4, 5 are new
	m.add(1, 4, seq(104, 2), out) // both at 6
	m.add(0, 8, seq(8, 2), out)   // a hole at 6, 7
	m.add(1, 6, seq(106, 4), out)
	m.add(0, 30, seq(30, 2), out) // far ahead: channel 1 is taken as silent
	m.flush(out)
	var ch0, ch1 []int16
	for _, c := range got {
		for range c.silence {
			ch0, ch1 = append(ch0, 0), append(ch1, 0)
		}
		if c.samples != nil {
			ch0, ch1 = append(ch0, c.samples[0]...), append(ch1, c.samples[1]...)
		}
	}
	want0 := append(append(seq(0, 6), 0, 0, 8, 9), make([]int16, 20)...)
	want0 = append(want0, 30, 31)
	want1 := append(seq(100, 10), make([]int16, 22)...)
	if !slices.Equal(ch0, want0) || !slices.Equal(ch1, want1) {
		t.Errorf("mixed\n%v\n%v\nwant\n%v\n%v", ch0, ch1, want0, want1)
	}

	// Within the jitter, a chunk continues its track: no click, no cut.
	got = nil
	m = newTrackMixer(1, 8, 1)
	m.add(0, 0, seq(0, 3), out)
	m.add(0, 4, seq(3, 3), out) // one sample late
	m.add(0, 5, seq(6, 3), out) // one sample early
	var mono []int16
	for _, c := range got {
		mono = append(mono, c.samples[0]...)
	}
	if !slices.Equal(mono, seq(0, 9)) {
		t.Errorf("jittered chunks mixed to %v", mono)
	}
}

func TestTwilioStreamEndsWhenTheServiceShutsDown(t *testing.T) {
	rec := &scriptedRecognizer{text: "I lost my debit card"}
	var voice *voiceStreams
	s := newVoiceService(t, rec, testLimits, func(o *Options) {
		o.voice = &voiceStreams{}
		o.voice.ctx, o.voice.cancel = context.WithCancel(context.Background())
		voice = o.voice
	})
	tc := dialTwilio(t, s)
	tc.connected()
	tc.start("CA00000000000000000000000000000009", map[string]string{"key": voiceTestKey})
	tc.stream(speechLike(1, 0.2, 0.8, 3), nil, [2]int{})
	s.waitFor(t, "CA00000000000000000000000000000009", event.KindCallStarted)

	voice.cancel() // what Handler.Close does
	voice.wg.Wait()
	evs := s.waitFor(t, "CA00000000000000000000000000000009", event.KindCallEnded)
	if e := ended(t, evs); e.Reason != "shutdown" {
		t.Errorf("call ended with %q, want shutdown", e.Reason)
	}
	if code, _ := closeStatus(t, tc.c); code != websocket.StatusGoingAway {
		t.Errorf("close status %v, want going away", code)
	}
}
