package ingest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine/event"
)

const (
	testOrgID   = "d7934305-0972-4844-938e-9060eef73d05"
	testSession = "e160e428-53e2-487c-977d-96989bf5c99d"
)

// audiohookClient plays Genesys Cloud on an AudioHook connection.
type audiohookClient struct {
	t         *testing.T
	c         *websocket.Conn
	id        string
	seq       uint64 // last seq sent
	serverSeq uint64 // last seq received
	pos       time.Duration
}

// dialAudioHook connects with the API key key.
func dialAudioHook(t *testing.T, s *voiceService, key string) (*audiohookClient, *http.Response, error) {
	t.Helper()
	h := http.Header{"Audiohook-Session-Id": {testSession}, "Audiohook-Organization-Id": {testOrgID}}
	if key != "" {
		h.Set("X-API-KEY", key)
	}
	c, resp, err := websocket.Dial(context.Background(), s.url("/v1/audiohook"), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { c.CloseNow() })
	return &audiohookClient{t: t, c: c, id: testSession}, resp, nil
}

func mustDialAudioHook(t *testing.T, s *voiceService) *audiohookClient {
	t.Helper()
	a, resp, err := dialAudioHook(t, s, voiceTestKey)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	return a
}

// send sends a message with the next seq.
func (a *audiohookClient) send(typ string, params any) {
	a.t.Helper()
	a.seq++
	a.sendSeq(a.seq, typ, params)
}

// sendSeq sends a message numbered seq.
func (a *audiohookClient) sendSeq(seq uint64, typ string, params any) {
	a.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	data, err := json.Marshal(map[string]any{
		"version": "2", "id": a.id, "type": typ, "seq": seq, "serverseq": a.serverSeq,
		"position": fmt.Sprintf("PT%.3fS", a.pos.Seconds()), "parameters": params,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.c.Write(context.Background(), websocket.MessageText, data); err != nil {
		a.t.Fatalf("send %s: %v", typ, err)
	}
}

// audio sends one binary frame of d.
func (a *audiohookClient) audio(frame []byte, d time.Duration) {
	a.t.Helper()
	if err := a.c.Write(context.Background(), websocket.MessageBinary, frame); err != nil {
		a.t.Fatalf("send audio: %v", err)
	}
	a.pos += d
}

// serverMsg is a message from the server, as the client reads it.
type serverMsg struct {
	Version    string          `json:"version"`
	Type       string          `json:"type"`
	Seq        uint64          `json:"seq"`
	ClientSeq  uint64          `json:"clientseq"`
	ID         string          `json:"id"`
	Parameters json.RawMessage `json:"parameters"`
}

// expect reads the next message and checks its type and numbering.
func (a *audiohookClient) expect(typ string) serverMsg {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mt, data, err := a.c.Read(ctx)
	if err != nil {
		a.t.Fatalf("waiting for %s: %v", typ, err)
	}
	var m serverMsg
	if mt != websocket.MessageText || json.Unmarshal(data, &m) != nil {
		a.t.Fatalf("waiting for %s: got %q", typ, data)
	}
	if m.Type != typ || m.Version != "2" || m.ID != a.id || m.Seq != a.serverSeq+1 || !isJSONObject(m.Parameters) {
		a.t.Fatalf("got %s, want %s %s seq %d", data, typ, a.id, a.serverSeq+1)
	}
	a.serverSeq = m.Seq
	return m
}

// openParams are an open message's parameters for conversation conv,
// offering media.
func openParams(conv string, extra map[string]any, media ...map[string]any) map[string]any {
	p := map[string]any{
		"organizationId": testOrgID,
		"conversationId": conv,
		"participant": map[string]any{
			"id": "883efee8-3d6c-4537-b500-6d7ca4b92fa0", "ani": "tel:+13175555555", "aniName": "John Doe", "dnis": "tel:+18004444444",
		},
		"media":    media,
		"language": "en-US",
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func stereoMedia(format string) map[string]any {
	return map[string]any{"type": "audio", "format": format, "channels": []string{"external", "internal"}, "rate": 8000}
}

func monoMedia(format, channel string) map[string]any {
	return map[string]any{"type": "audio", "format": format, "channels": []string{channel}, "rate": 8000}
}

// stereoFrames interleaves two channels into 20 ms PCMU frames from
// sample from to to.
func stereoPCMU(external, internal []int16) []byte {
	out := make([]byte, 2*len(external))
	for i := range external {
		out[2*i] = audio.MulawEncode(external[i])
		out[2*i+1] = audio.MulawEncode(internal[i])
	}
	return out
}

// stereoL16 interleaves two channels as little-endian 16-bit samples.
func stereoL16(external, internal []int16) []byte {
	out := make([]byte, 4*len(external))
	for i := range external {
		binary.LittleEndian.PutUint16(out[4*i:], uint16(external[i]))
		binary.LittleEndian.PutUint16(out[4*i+2:], uint16(internal[i]))
	}
	return out
}

// stream sends the samples in [from, to) of both channels as 20 ms frames.
func (a *audiohookClient) stream(external, internal []int16, from, to int, encode func(x, y []int16) []byte) {
	a.t.Helper()
	const frame = telephonyRate / 50
	for i := from; i < to; i += frame {
		end := min(i+frame, to)
		a.audio(encode(external[i:end], internal[i:end]), time.Duration(end-i)*time.Second/telephonyRate)
	}
}

func TestAudioHookSessionRecognisesBothParties(t *testing.T) {
	rec := sphinxtest.Recognizer(t)
	t.Parallel()
	s := newVoiceService(t, rec, testLimits)
	customer, agent, customerAt, agentAt := twoPartyCall(t)
	const conv = "090eaa2f-72fa-480a-83e0-8667ff89c0ec"
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(conv, map[string]any{
		"inputVariables": map[string]any{"agent": "ana", "queue": "cards"},
		"customConfig":   map[string]any{"queue": "general", "region": "emea"},
	}, monoMedia("PCMU", "external"), stereoMedia("L16"), stereoMedia("PCMU")))
	opened := a.expect("opened")
	var op struct {
		Media       []audiohookMediaWire `json:"media"`
		StartPaused *bool                `json:"startPaused"`
	}
	json.Unmarshal(opened.Parameters, &op)
	if len(op.Media) != 1 || op.Media[0].Format != "PCMU" || !slices.Equal(op.Media[0].Channels, []string{"external", "internal"}) || op.StartPaused == nil || *op.StartPaused {
		t.Fatalf("opened %s: want stereo PCMU, not paused", opened.Parameters)
	}
	if opened.ClientSeq != 1 {
		t.Errorf("opened clientseq %d, want 1", opened.ClientSeq)
	}

	// The customer speaks; the client pauses over the second between the
	// parties and says on resuming that it discarded it; the agent answers.
	pauseFrom := int(customerAt*telephonyRate/time.Second) + len(clip8k(t, customerClip))
	pauseTo := pauseFrom + telephonyRate
	a.stream(customer, agent, 0, pauseFrom, stereoPCMU)
	a.send("ping", map[string]any{"rtt": "PT0.012S"})
	if pong := a.expect("pong"); pong.ClientSeq != a.seq {
		t.Errorf("pong clientseq %d, want %d", pong.ClientSeq, a.seq)
	}
	a.send("paused", nil)
	a.pos += time.Second
	a.send("resumed", map[string]any{"start": fmt.Sprintf("PT%.3fS", a.pos.Seconds()), "discarded": "PT1.0S"})
	a.stream(customer, agent, pauseTo, len(customer), stereoPCMU)
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")
	if code, reason := closeStatus(t, a.c); code != websocket.StatusNormalClosure {
		t.Errorf("close %d %q, want normal closure", code, reason)
	}

	evs := s.waitFor(t, conv, event.KindCallEnded)
	info := started(t, evs)
	if info.Agent != "ana" || info.Queue != "cards" || info.Customer != "+13175555555" || info.Channel != event.ChannelVoice {
		t.Errorf("call.started %+v: want agent and queue from inputVariables, customer from ani", info)
	}
	checkHeard(t, evs, event.SpeakerCustomer, customerAt, customerWords)
	checkHeard(t, evs, event.SpeakerAgent, agentAt, agentWords)
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("call ended with %q, want hangup", e.Reason)
	}
}

func TestAudioHookL16AndCustomConfig(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{text: "my card was stolen"}, testLimits)
	const conv = "1f7b8e1c-0d0f-4c4e-9b59-3d3b8d6e2a10"
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(conv, map[string]any{"customConfig": map[string]any{"agent": "bo", "queue": "fraud"}},
		stereoMedia("L16")))
	var op struct {
		Media []audiohookMediaWire `json:"media"`
	}
	json.Unmarshal(a.expect("opened").Parameters, &op)
	if len(op.Media) != 1 || op.Media[0].Format != "L16" {
		t.Fatalf("opened %+v, want L16", op)
	}
	// The customer speaks first, then the agent: each channel must reach
	// its speaker, whatever the byte order did to the other.
	external, internal := speechLike(2.5, 0.2, 0.9, 1), speechLike(2.5, 1.4, 2.1, 2)
	a.stream(external, internal, 0, len(external), stereoL16)
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")

	evs := s.waitFor(t, conv, event.KindCallEnded)
	if info := started(t, evs); info.Agent != "bo" || info.Queue != "fraud" {
		t.Errorf("call.started %+v: want agent and queue from customConfig", info)
	}
	c, ag := finals(evs, event.SpeakerCustomer), finals(evs, event.SpeakerAgent)
	if len(c) != 1 || len(ag) != 1 || c[0].Start > 0.5 || ag[0].Start < 1.2 {
		t.Errorf("customer %+v, agent %+v: want one utterance each, at 0.2 and 1.4 s", c, ag)
	}
}

func TestAudioHookOpenedComesBeforeTheRecognizer(t *testing.T) {
	rec := &scriptedRecognizer{text: "hello", loading: make(chan struct{})}
	s := newVoiceService(t, rec, testLimits)
	const conv = "2a2a2a2a-0000-4000-8000-000000000001"
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(conv, nil, stereoMedia("PCMU")))
	a.expect("opened") // while the recognizer is still loading
	talk := speechLike(1.5, 0.3, 1, 9)
	a.stream(talk, talk, 0, len(talk), stereoPCMU) // queued meanwhile
	close(rec.loading)
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")
	evs := s.waitFor(t, conv, event.KindCallEnded)
	if len(finals(evs, event.SpeakerCustomer)) != 1 {
		t.Errorf("events %v: the audio sent while the recognizer loaded is lost", kindsOf(evs))
	}
}

func TestAudioHookNeedsTheKeyBeforeUpgrading(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, testLimits)
	for _, key := range []string{"", "wrong-key"} {
		_, resp, err := dialAudioHook(t, s, key)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("key %q: %v %v, want 401 without upgrade", key, err, resp)
		}
	}
	if n := s.ingestErrors(t, audiohookEndpoint, reasonUnauthorized); n != 2 {
		t.Errorf("%v refusals counted, want 2", n)
	}
}

func TestAudioHookProbeStartsNoCall(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, testLimits)
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(nullUUID, nil, stereoMedia("PCMU")))
	a.expect("opened")
	a.send("ping", nil)
	a.expect("pong")
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")
	if code, _ := closeStatus(t, a.c); code != websocket.StatusNormalClosure {
		t.Errorf("close %d, want normal closure", code)
	}
	s.noCall(t, nullUUID)
	if !strings.Contains(s.logs.String(), "probe") {
		t.Errorf("the probe is not logged:\n%s", s.logs.String())
	}
}

// disconnected checks that the server disconnects with an error that says
// want, answers the client's close and closes the socket.
func disconnected(t *testing.T, a *audiohookClient, want string) {
	t.Helper()
	d := a.expect("disconnect")
	var p struct{ Reason, Info string }
	json.Unmarshal(d.Parameters, &p)
	if p.Reason != "error" || !strings.Contains(p.Info, want) {
		t.Errorf("disconnect %s, want reason error and info about %q", d.Parameters, want)
	}
	a.send("close", map[string]any{"reason": "disconnect"})
	a.expect("closed")
	if code, reason := closeStatus(t, a.c); code != websocket.StatusNormalClosure {
		t.Errorf("close %d %q, want normal closure", code, reason)
	}
}

func TestAudioHookProtocolErrorsDisconnect(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{text: "hello"}, testLimits)
	for i, tt := range []struct {
		name   string
		run    func(a *audiohookClient)
		reason string
		info   string
	}{
		{"wrong seq", func(a *audiohookClient) { a.sendSeq(a.seq+2, "ping", nil) }, reasonBadSequence, "seq"},
		{"serverseq ahead", func(a *audiohookClient) { a.serverSeq += 5; a.send("ping", nil); a.serverSeq -= 5 }, reasonBadSequence, "serverseq"},
		{"odd-sized frame", func(a *audiohookClient) { a.audio([]byte{0xff, 0xff, 0xff}, 0) }, reasonBadFrame, "frame"},
		{"malformed JSON", func(a *audiohookClient) {
			a.c.Write(context.Background(), websocket.MessageText, []byte(`{"version":"2","type":`))
		}, reasonMalformed, "AudioHook message"},
		{"unknown type", func(a *audiohookClient) { a.send("transfer", nil) }, reasonUnknownEvent, "transfer"},
		{"audio while paused", func(a *audiohookClient) {
			a.send("paused", nil)
			a.audio(make([]byte, 320), 20*time.Millisecond)
		}, reasonBadSequence, "paused"},
		{"second open", func(a *audiohookClient) {
			a.send("open", openParams("0b0e0e0e-0000-4000-8000-000000000001", nil, stereoMedia("PCMU")))
		}, reasonBadSequence, "open"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conv := fmt.Sprintf("4c0c1c9e-5b1a-4b0e-8e55-00000000000%d", i)
			before := s.ingestErrors(t, audiohookEndpoint, tt.reason)
			a := mustDialAudioHook(t, s)
			a.send("open", openParams(conv, nil, stereoMedia("PCMU")))
			a.expect("opened")
			a.stream(speechLike(0.2, 0, 0, 1), speechLike(0.2, 0, 0, 2), 0, 1600, stereoPCMU)
			tt.run(a)
			disconnected(t, a, tt.info)
			if e := ended(t, s.waitFor(t, conv, event.KindCallEnded)); e.Reason != "error" {
				t.Errorf("call ended with %q, want error", e.Reason)
			}
			if n := s.ingestErrors(t, audiohookEndpoint, tt.reason); n != before+1 {
				t.Errorf("%s errors %v, want %v", tt.reason, n, before+1)
			}
		})
	}
}

func TestAudioHookBeforeOpen(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{}, testLimits)
	t.Run("audio", func(t *testing.T) {
		a := mustDialAudioHook(t, s)
		a.audio(make([]byte, 320), 0)
		disconnected(t, a, "before open")
	})
	t.Run("no media it can take", func(t *testing.T) {
		a := mustDialAudioHook(t, s)
		a.send("open", openParams("5d5d5d5d-0000-4000-8000-000000000001", nil,
			map[string]any{"type": "audio", "format": "opus", "channels": []string{"external"}, "rate": 48000}))
		disconnected(t, a, "media")
		s.noCall(t, "5d5d5d5d-0000-4000-8000-000000000001")
	})
	t.Run("label with control characters", func(t *testing.T) {
		a := mustDialAudioHook(t, s)
		conv := "5d5d5d5d-0000-4000-8000-000000000002"
		a.send("open", openParams(conv, map[string]any{"inputVariables": map[string]any{"queue": "cards\x1b[2J"}}, stereoMedia("PCMU")))
		disconnected(t, a, "control characters")
		s.noCall(t, conv)
	})
	t.Run("client ignores disconnect", func(t *testing.T) {
		s := newVoiceService(t, &scriptedRecognizer{}, limits{idle: 20 * time.Second, queued: time.Second, grace: 300 * time.Millisecond})
		a := mustDialAudioHook(t, s)
		a.send("ping", nil) // before open
		a.expect("disconnect")
		// Audio goes on regardless; the server waits for close only so long.
		for range 5 {
			a.audio(make([]byte, 320), 0)
		}
		if code, _ := closeStatus(t, a.c); code != websocket.StatusPolicyViolation {
			t.Errorf("close %d, want policy violation after the grace period", code)
		}
	})
}

func TestAudioHookPauseAndResume(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{text: "yes that is right"}, testLimits)
	const conv = "7a7a7a7a-0000-4000-8000-000000000001"
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(conv, nil, monoMedia("PCMU", "external")))
	a.expect("opened")
	quiet := speechLike(1, 0, 0, 3)
	a.stream(quiet, quiet, 0, len(quiet), func(x, _ []int16) []byte { return mulaw(x) })
	a.send("paused", nil)
	a.send("ping", nil) // still answered while paused
	a.expect("pong")
	a.send("update", map[string]any{"language": "en-GB"})
	a.send("error", map[string]any{"code": 429, "message": "too many requests"})
	a.send("resumed", map[string]any{"start": "PT1S", "discarded": "PT30S"})
	talk := speechLike(1.5, 0.3, 1, 4)
	a.stream(talk, talk, 0, len(talk), func(x, _ []int16) []byte { return mulaw(x) })
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")

	evs := s.waitFor(t, conv, event.KindCallEnded)
	us := finals(evs, event.SpeakerCustomer)
	// 1 s before the pause, 30 s discarded, then speech from 0.3 s on.
	if len(us) != 1 || us[0].Start < 31 || us[0].Start > 31.6 {
		t.Errorf("finals %+v: want one at about 31.3 s", us)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "too many requests") || !strings.Contains(logs, "paused") {
		t.Errorf("the client's error and pause are not logged:\n%s", logs)
	}
}

// TestVoiceBadConnectionsLeaveOtherCallsAlone runs a good AudioHook call
// while other connections break every rule: the call goes on as if alone.
func TestVoiceBadConnectionsLeaveOtherCallsAlone(t *testing.T) {
	s := newVoiceService(t, &scriptedRecognizer{text: "I want to close my account"}, testLimits)
	const conv = "8b8b8b8b-0000-4000-8000-000000000001"
	good := mustDialAudioHook(t, s)
	good.send("open", openParams(conv, nil, stereoMedia("PCMU")))
	good.expect("opened")
	external, internal := speechLike(3, 0.3, 1.2, 5), speechLike(3, 1.8, 2.6, 6)
	good.stream(external, internal, 0, telephonyRate, stereoPCMU)
	s.waitFor(t, conv, event.KindCallStarted)

	bad := mustDialAudioHook(t, s)
	bad.send("open", openParams("8b8b8b8b-0000-4000-8000-000000000002", nil, stereoMedia("PCMU")))
	bad.expect("opened")
	bad.audio([]byte{1, 2, 3}, 0)
	disconnected(t, bad, "frame")
	tw := dialTwilio(t, s)
	tw.c.Write(context.Background(), websocket.MessageText, []byte("garbage"))
	if code, _ := closeStatus(t, tw.c); code != websocket.StatusPolicyViolation {
		t.Errorf("twilio garbage: close %d", code)
	}

	good.stream(external, internal, telephonyRate, len(external), stereoPCMU)
	good.send("ping", nil)
	good.expect("pong")
	good.send("close", map[string]any{"reason": "end"})
	good.expect("closed")
	evs := s.waitFor(t, conv, event.KindCallEnded) // call.started was read above
	if len(finals(evs, event.SpeakerCustomer)) != 1 || len(finals(evs, event.SpeakerAgent)) != 1 {
		t.Errorf("events %v: want one final per party", kindsOf(evs))
	}
	if e := ended(t, evs); e.Reason != "hangup" {
		t.Errorf("good call ended with %q", e.Reason)
	}
}

// TestVoiceSlowRecognitionNeverBlocksTheSocket holds recognition still:
// the session keeps answering, audio beyond the queue is dropped and
// counted, and the call ends cleanly once recognition resumes.
func TestVoiceSlowRecognitionNeverBlocksTheSocket(t *testing.T) {
	rec := &scriptedRecognizer{text: "hello", gate: make(chan struct{})}
	s := newVoiceService(t, rec, limits{idle: 20 * time.Second, queued: 200 * time.Millisecond})
	const conv = "9c9c9c9c-0000-4000-8000-000000000001"
	a := mustDialAudioHook(t, s)
	a.send("open", openParams(conv, nil, monoMedia("PCMU", "external")))
	a.expect("opened")
	talk := speechLike(3, 0.1, 2.9, 7)
	a.stream(talk, talk, 0, len(talk), func(x, _ []int16) []byte { return mulaw(x) })
	a.send("ping", nil)
	a.expect("pong") // answered while recognition is stuck
	if n := s.ingestErrors(t, audiohookEndpoint, reasonQueueOverflow); n == 0 {
		t.Error("no dropped audio counted")
	}
	if !strings.Contains(s.logs.String(), "falling behind") {
		t.Errorf("the overflow is not logged:\n%s", s.logs.String())
	}
	close(rec.gate)
	a.send("close", map[string]any{"reason": "end"})
	a.expect("closed")
	if e := ended(t, s.waitFor(t, conv, event.KindCallEnded)); e.Reason != "hangup" {
		t.Errorf("call ended with %q", e.Reason)
	}
}

func TestDecodeAudioHookFrame(t *testing.T) {
	stereo := audiohookMedia{Format: "L16", Channels: []string{"external", "internal"}}
	got, err := decodeAudioHookFrame([]byte{0x01, 0x02, 0xff, 0xff, 0x00, 0x80, 0x34, 0x12}, stereo)
	if err != nil || !slices.Equal(got[0], []int16{0x0201, -32768}) || !slices.Equal(got[1], []int16{-1, 0x1234}) {
		t.Errorf("L16 stereo = %v, %v", got, err)
	}
	mono := audiohookMedia{Format: "PCMU", Channels: []string{"internal"}}
	got, err = decodeAudioHookFrame([]byte{0xff, 0x00, 0x80}, mono)
	if err != nil || !slices.Equal(got[0], []int16{0, audio.MulawDecode(0), audio.MulawDecode(0x80)}) {
		t.Errorf("PCMU mono = %v, %v", got, err)
	}
	for _, bad := range []struct {
		data []byte
		m    audiohookMedia
	}{
		{[]byte{1, 2, 3}, audiohookMedia{Format: "PCMU", Channels: []string{"external", "internal"}}},
		{[]byte{1, 2, 3}, audiohookMedia{Format: "L16", Channels: []string{"external"}}},
		{[]byte{1, 2, 3, 4, 5, 6}, stereo},
	} {
		if _, err := decodeAudioHookFrame(bad.data, bad.m); err == nil {
			t.Errorf("%d bytes of %s %v accepted", len(bad.data), bad.m.Format, bad.m.Channels)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT0S": 0, "PT1.5S": 1500 * time.Millisecond, "PT.25S": 250 * time.Millisecond, "PT3600S": time.Hour,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "PT", "PTS", "1.5", "PT-1S", "PT1e3S", "PTNaNS", "PTInfS", "PT1M", "P1D", "PT99999999S", "PT0x1p3S"} {
		if d, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestSelectAudioHookMedia(t *testing.T) {
	w := func(format string, rate int, channels ...string) audiohookMediaWire {
		return audiohookMediaWire{Type: "audio", Format: format, Channels: channels, Rate: rate}
	}
	for _, tt := range []struct {
		offered []audiohookMediaWire
		want    string
	}{
		{[]audiohookMediaWire{w("PCMU", 8000, "external"), w("L16", 8000, "external", "internal"), w("PCMU", 8000, "external", "internal")}, "PCMU external,internal"},
		{[]audiohookMediaWire{w("PCMU", 8000, "external"), w("L16", 8000, "internal", "external")}, "L16 internal,external"},
		{[]audiohookMediaWire{w("L16", 8000, "external"), w("PCMU", 8000, "internal")}, "PCMU internal"},
		{[]audiohookMediaWire{w("PCMU", 16000, "external", "internal"), w("L16", 8000, "external")}, "L16 external"},
		{[]audiohookMediaWire{w("opus", 8000, "external")}, ""},
		{nil, ""},
	} {
		m, ok := selectAudioHookMedia(tt.offered)
		got := ""
		if ok {
			got = m.Format + " " + strings.Join(m.Channels, ",")
		}
		if got != tt.want {
			t.Errorf("select from %v = %q, want %q", tt.offered, got, tt.want)
		}
	}
}
