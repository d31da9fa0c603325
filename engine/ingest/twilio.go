package ingest

// This file is the Twilio Media Streams endpoint. Twilio opens a WebSocket
// per stream (TwiML <Start><Stream> or <Connect><Stream>) and sends JSON
// text messages: connected, then start (the stream's metadata and our
// custom parameters), then media (20 ms of base64 G.711 μ-law at 8 kHz per
// message and track), dtmf and mark as they happen, and stop. Every message
// but connected carries a sequenceNumber, a decimal string counting up from
// 1. https://www.twilio.com/docs/voice/media-streams/websocket-messages

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/event"
)

// twilioEndpoint names the endpoint in logs and metrics.
const twilioEndpoint = "twilio"

// The custom parameters of a stream's start message that ingest reads
// (<Stream><Parameter name="..." value="..."/></Stream> in TwiML).
// Twilio cannot set request headers, so the API key travels here too.
const (
	twilioParamKey      = "key"
	twilioParamAgent    = "agent"
	twilioParamQueue    = "queue"
	twilioParamCustomer = "customer"
	twilioParamCallID   = "call_id"
)

// twilioJitter is how far, in samples, a chunk's timestamp may be from
// where its track ends and still continue it: timestamps are whole
// milliseconds, and a rounding error must not leave a click of silence
// or cut a sample.
const twilioJitter = 2 * telephonyRate / 1000

// twilioMixSkew is how far, in samples, one track may run ahead of the
// other before the lagging one is taken to have lost its audio and is
// filled with silence. Twilio interleaves the tracks 20 ms at a time, so
// a second is far beyond jitter, and bounds how long a customer's words
// can wait for the agent's track.
const twilioMixSkew = telephonyRate

// TwilioHandler returns the Twilio Media Streams WebSocket endpoint
// (mounted at /v1/twilio/media). Each stream becomes one voice call: the
// inbound track is spoken by o.TwilioInbound (the customer unless set), the
// outbound track by the other party, each recognised on its own channel.
//
// The start message's customParameters must hold key (the API key: Twilio
// cannot send headers); agent, queue and customer fill the call's
// call.started event, and call_id names the call (the Twilio callSid by
// default). A wrong key, a malformed or unknown message, a sequence number
// out of order or a message over o.MaxMessageBytes closes the socket with a
// policy-violation status and a logged, counted reason; a stream with no
// message for VoiceIdleTimeout is closed too. stop ends the call with reason
// "hangup", a socket that closes first with "disconnected".
//
// A stream whose start finds o.MaxVoiceCalls calls recognised already is
// recognised by o.Overflow, or without one closed with status 1013 (try
// again later) and the reason "voice capacity reached (N calls)", and
// starts no call.
//
// The handler refuses every stream with 503 when o.Recognizer is nil.
func TwilioHandler(o *Options) http.Handler {
	o.voiceGate()
	o.conns()
	o.voiceCalls()
	return &twilioHandler{o: o, lim: currentLimits()}
}

type twilioHandler struct {
	o   *Options
	lim limits
}

func (h *twilioHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The key comes in the stream's start message: until then the
	// connection is unauthenticated.
	vc, ok := openVoice(w, r, h.o, twilioEndpoint, false)
	if !ok {
		return
	}
	defer vc.done()
	s := &twilioStream{o: h.o, lim: h.lim, c: vc.c, tracked: vc.tracked, log: h.o.log().With("endpoint", twilioEndpoint)}
	s.serve(vc.shutdown)
}

// twilioStream is one Media Streams connection.
type twilioStream struct {
	o       *Options
	lim     limits
	c       *websocket.Conn
	tracked *trackedConn
	rd      *wsReader
	log     *slog.Logger

	connected bool   // the connected message came
	seq       uint64 // last sequenceNumber
	streamSID string
	channels  map[string]int // track → channel
	mix       *trackMixer
	call      *voiceCall
	owner     *voiceOwner     // this stream, as the call's owner
	shutdown  context.Context // done when the service shuts down
}

func (s *twilioStream) serve(shutdown context.Context) {
	s.shutdown = shutdown
	// Closing with a status (not cancelling the read, which drops the
	// connection) tells Twilio why the stream ends.
	stop := context.AfterFunc(shutdown, func() { s.c.Close(websocket.StatusGoingAway, "server shutting down") })
	defer stop()
	s.rd = newWSReader(s.c, s.lim.idle, s.o.maxMessage())
	s.rd.requireAuth(s.lim.auth)
	defer s.rd.stop()
	s.finish(s.loop(context.Background(), s.rd))
}

// loop handles messages until stop (nil) or an error.
func (s *twilioStream) loop(ctx context.Context, rd *wsReader) error {
	for {
		typ, data, err := rd.read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			return protoErr(reasonBadMessage, "binary message: Media Streams messages are JSON text")
		}
		m, err := parseTwilio(data)
		if err != nil {
			return err
		}
		stop, err := s.handle(m)
		if err != nil || stop {
			return err
		}
	}
}

// handle applies one message; stop is true for the stop message.
func (s *twilioStream) handle(m twilioMsg) (stop bool, err error) {
	if m.Event != "connected" || m.Seq != 0 {
		if m.Seq != s.seq+1 {
			return false, protoErr(reasonBadSequence, "%s message has sequenceNumber %d, want %d", m.Event, m.Seq, s.seq+1)
		}
		s.seq = m.Seq
	}
	if m.StreamSID != "" && s.streamSID != "" && m.StreamSID != s.streamSID {
		return false, protoErr(reasonBadMessage, "%s message for stream %q on stream %q", m.Event, truncate(m.StreamSID, 40), truncate(s.streamSID, 40))
	}
	// Before start only connected and start come: nothing else an
	// unauthenticated client sends is taken, and none of it holds the
	// connection open beyond AuthTimeout.
	if s.call == nil && m.Event != "connected" && m.Event != "start" && m.Event != "stop" {
		return false, protoErr(reasonBadSequence, "%s before start", m.Event)
	}
	switch m.Event {
	case "connected":
		if s.connected || s.seq > 0 {
			return false, protoErr(reasonBadSequence, "connected message after the stream's first")
		}
		s.connected = true
		s.log.Debug("twilio connected", "protocol", truncate(m.Protocol, 40), "version", truncate(m.Version, 40))
	case "start":
		return false, s.start(m.Start)
	case "media":
		return false, s.media(m.Media)
	case "dtmf":
		// The digit is not logged: callers key in card numbers and PINs.
		s.log.Debug("twilio dtmf", "track", truncate(m.DTMF.Track, 40))
	case "mark":
		s.log.Debug("twilio mark", "name", truncate(m.Mark.Name, 64))
	case "stop":
		return true, nil
	}
	return false, nil
}

// start checks the key and starts the call.
func (s *twilioStream) start(st *twilioStart) error {
	if s.call != nil {
		return protoErr(reasonBadSequence, "second start message")
	}
	s.streamSID = st.StreamSID
	s.log = s.log.With("stream_sid", truncate(st.StreamSID, 64), "call_sid", truncate(st.CallSID, 64))
	if !s.o.keyOK(st.CustomParameters[twilioParamKey]) {
		return protoErr(reasonUnauthorized, "wrong or missing API key in start.customParameters.key")
	}
	s.rd.authenticated()
	s.tracked.authenticated()
	id := st.CustomParameters[twilioParamCallID]
	if id == "" {
		id = st.CallSID
	}
	info := event.CallStarted{
		Queue:    st.CustomParameters[twilioParamQueue],
		Agent:    st.CustomParameters[twilioParamAgent],
		Customer: st.CustomParameters[twilioParamCustomer],
	}
	if err := checkLabels(id, info); err != nil {
		return err
	}
	inbound := s.o.twilioInbound()
	other := event.SpeakerAgent
	if inbound == event.SpeakerAgent {
		other = event.SpeakerCustomer
	}
	s.channels = map[string]int{}
	var speakers []event.Speaker
	for _, tr := range st.Tracks {
		s.channels[tr] = len(speakers)
		if tr == twilioInbound {
			speakers = append(speakers, inbound)
		} else {
			speakers = append(speakers, other)
		}
	}
	s.log = s.log.With("call_id", id)
	s.owner = &voiceOwner{
		// Closed from the goroutine of the stream that replaces this one,
		// which must not wait for a dead client's close handshake.
		replaced: func() { go s.c.Close(websocket.StatusNormalClosure, "replaced by a new stream for the call") },
		failed: func(err error) {
			s.c.Close(websocket.StatusInternalError, closeReason("the call could not start: "+err.Error()))
		},
	}
	call, resumed, err := s.o.voiceCalls().open(s.o, twilioEndpoint, id, info, speakers, s.owner, s.lim.queued)
	if err != nil {
		return err
	}
	if resumed {
		s.log.Info("twilio stream resumed its call", "tracks", st.Tracks)
	} else {
		s.log.Info("twilio stream started", "tracks", st.Tracks, "queue", info.Queue, "agent", info.Agent)
	}
	s.mix = newTrackMixer(len(speakers), twilioMixSkew, twilioJitter)
	s.call = call
	return nil
}

// push hands the mixer's audio to the call.
func (s *twilioStream) push(silence int, samples [][]int16) { s.call.push(s.owner, silence, samples) }

// media places one track's audio by its timestamp.
func (s *twilioStream) media(md *twilioMedia) error {
	ch, ok := s.channels[md.Track]
	if !ok {
		return protoErr(reasonBadMessage, "media on track %q, which start did not announce", md.Track)
	}
	pos := md.Timestamp * telephonyRate / 1000
	if gap := pos - s.mix.end(ch); gap > int64(maxMediaGap.Seconds()*telephonyRate) {
		return protoErr(reasonTimestampJump, "%s track jumps %d ms ahead", md.Track, gap*1000/telephonyRate)
	}
	s.mix.add(ch, pos, audio.DecodeMulaw(nil, md.Payload), s.push)
	return nil
}

// finish ends the call and the connection after the loop's last error.
// The call is told first: the close handshake may wait seconds for a
// client that does not answer it. A connection lost without a stop (or
// silent until the idle time-out) leaves the call parked for the
// reconnect grace rather than ended.
func (s *twilioStream) finish(err error) {
	reason, code, why := "hangup", websocket.StatusNormalClosure, ""
	lost := false
	var perr *protocolError
	var full *capacityError
	switch {
	case err == nil:
		s.log.Info("twilio stream stopped")
	case errors.As(err, &full):
		// Counted by the gate; no call was started.
		code, why = websocket.StatusTryAgainLater, full.Error()
		s.log.Warn("twilio stream refused", "reason", why)
	case errors.As(err, &perr):
		reason, code, why = "error", websocket.StatusPolicyViolation, closeReason(perr.Detail)
		if perr.Reason == reasonIdleTimeout {
			reason, lost = "disconnected", true
		}
		s.log.Warn("twilio stream closed on a protocol error", "reason", perr.Reason, "detail", perr.Detail)
		s.o.Metrics.IngestError(twilioEndpoint, perr.Reason)
	case s.shutdown.Err() != nil, errors.Is(err, errShuttingDown):
		reason, code, why = "shutdown", websocket.StatusGoingAway, "server shutting down"
		s.log.Info("twilio stream closed: shutting down")
	default:
		reason, code, lost = "disconnected", -1, true
		s.log.Info("twilio stream disconnected", "err", err)
	}
	ending := false
	if s.call != nil {
		s.mix.flush(s.push)
		ending = s.call.release(s.owner, reason, lost)
	}
	if code == -1 {
		s.c.CloseNow()
	} else {
		s.c.Close(code, why)
	}
	if ending {
		s.call.wait()
	}
}

// twilioInbound and twilioOutbound are the media tracks.
const (
	twilioInbound  = "inbound"
	twilioOutbound = "outbound"
)

// twilioMsg is one decoded Media Streams message. Exactly the part its
// Event names is set.
type twilioMsg struct {
	Event     string
	Seq       uint64 // 0 when absent (connected)
	StreamSID string

	Protocol, Version string // connected
	Start             *twilioStart
	Media             *twilioMedia
	DTMF              *twilioDTMF
	Mark              *twilioMark
}

// twilioStart is a start message's stream metadata.
type twilioStart struct {
	StreamSID, AccountSID, CallSID string
	// Tracks are the tracks media will come on, inbound first, each once.
	Tracks           []string
	CustomParameters map[string]string
}

// twilioMedia is one media message: Payload is μ-law at 8 kHz from
// Timestamp ms after the stream started.
type twilioMedia struct {
	Track     string
	Chunk     uint64
	Timestamp int64
	Payload   []byte
}

// twilioDTMF is a key the caller pressed.
type twilioDTMF struct{ Track, Digit string }

// twilioMark is the name of a mark whose audio has played.
type twilioMark struct{ Name string }

// twilioWire is a message as Twilio spells it.
type twilioWire struct {
	Event          string `json:"event"`
	SequenceNumber string `json:"sequenceNumber"`
	StreamSID      string `json:"streamSid"`
	Protocol       string `json:"protocol"`
	Version        string `json:"version"`
	Start          *struct {
		StreamSID        string            `json:"streamSid"`
		AccountSID       string            `json:"accountSid"`
		CallSID          string            `json:"callSid"`
		Tracks           []string          `json:"tracks"`
		CustomParameters map[string]string `json:"customParameters"`
		MediaFormat      struct {
			Encoding   string `json:"encoding"`
			SampleRate int    `json:"sampleRate"`
			Channels   int    `json:"channels"`
		} `json:"mediaFormat"`
	} `json:"start"`
	Media *struct {
		Track     string `json:"track"`
		Chunk     string `json:"chunk"`
		Timestamp string `json:"timestamp"`
		Payload   string `json:"payload"`
	} `json:"media"`
	DTMF *struct {
		Track string `json:"track"`
		Digit string `json:"digit"`
	} `json:"dtmf"`
	Mark *struct {
		Name string `json:"name"`
	} `json:"mark"`
	Stop *struct {
		AccountSID string `json:"accountSid"`
		CallSID    string `json:"callSid"`
	} `json:"stop"`
}

// maxTwilioTimestamp bounds media timestamps (ms) to about 35 years, far
// beyond any call, so sample positions cannot overflow.
const maxTwilioTimestamp = 1 << 40

// parseTwilio decodes and checks one Media Streams message. Its errors are
// *protocolError.
func parseTwilio(data []byte) (twilioMsg, error) {
	var w twilioWire
	if err := json.Unmarshal(data, &w); err != nil {
		return twilioMsg{}, protoErr(reasonMalformed, "not a Media Streams message: %v", err)
	}
	m := twilioMsg{Event: w.Event, StreamSID: w.StreamSID}
	if w.SequenceNumber != "" {
		n, err := strconv.ParseUint(w.SequenceNumber, 10, 64)
		if err != nil || n == 0 {
			return twilioMsg{}, protoErr(reasonMalformed, "%q message: sequenceNumber %q is not a positive integer", truncate(w.Event, 40), truncate(w.SequenceNumber, 40))
		}
		m.Seq = n
	} else if w.Event != "connected" {
		return twilioMsg{}, protoErr(reasonMalformed, "%q message without sequenceNumber", truncate(w.Event, 40))
	}
	var err error
	switch w.Event {
	case "connected":
		m.Protocol, m.Version = w.Protocol, w.Version
	case "start":
		m.Start, err = parseTwilioStart(&w)
	case "media":
		m.Media, err = parseTwilioMedia(&w)
	case "dtmf":
		if w.DTMF == nil {
			return twilioMsg{}, protoErr(reasonMalformed, "dtmf message without dtmf")
		}
		m.DTMF = &twilioDTMF{Track: w.DTMF.Track, Digit: w.DTMF.Digit}
	case "mark":
		if w.Mark == nil {
			return twilioMsg{}, protoErr(reasonMalformed, "mark message without mark")
		}
		m.Mark = &twilioMark{Name: w.Mark.Name}
	case "stop":
	case "":
		return twilioMsg{}, protoErr(reasonMalformed, "message without event")
	default:
		return twilioMsg{}, protoErr(reasonUnknownEvent, "unknown event %q", truncate(w.Event, 40))
	}
	if err != nil {
		return twilioMsg{}, err
	}
	return m, nil
}

func parseTwilioStart(w *twilioWire) (*twilioStart, error) {
	st := w.Start
	if st == nil {
		return nil, protoErr(reasonMalformed, "start message without start")
	}
	if st.CallSID == "" {
		return nil, protoErr(reasonMalformed, "start message without callSid")
	}
	if f := st.MediaFormat; f.Encoding != "audio/x-mulaw" || f.SampleRate != telephonyRate || f.Channels != 1 {
		return nil, protoErr(reasonUnsupportedMedia, "media format %s at %d Hz, %d channels: want audio/x-mulaw at 8000 Hz, 1 channel",
			truncate(f.Encoding, 40), f.SampleRate, f.Channels)
	}
	out := &twilioStart{StreamSID: st.StreamSID, AccountSID: st.AccountSID, CallSID: st.CallSID, CustomParameters: st.CustomParameters}
	if out.StreamSID == "" {
		out.StreamSID = w.StreamSID
	}
	// Inbound first, so channel 0 is the caller's side whatever order
	// Twilio lists them in; no tracks at all is Twilio's default, inbound.
	var in, outb bool
	for _, tr := range st.Tracks {
		switch tr {
		case twilioInbound:
			in = true
		case twilioOutbound:
			outb = true
		default:
			return nil, protoErr(reasonMalformed, "start message with unknown track %q", truncate(tr, 40))
		}
	}
	if in || !outb {
		out.Tracks = append(out.Tracks, twilioInbound)
	}
	if outb {
		out.Tracks = append(out.Tracks, twilioOutbound)
	}
	return out, nil
}

func parseTwilioMedia(w *twilioWire) (*twilioMedia, error) {
	md := w.Media
	if md == nil {
		return nil, protoErr(reasonMalformed, "media message without media")
	}
	if md.Track != twilioInbound && md.Track != twilioOutbound {
		return nil, protoErr(reasonMalformed, "media on unknown track %q", truncate(md.Track, 40))
	}
	ts, err := strconv.ParseInt(md.Timestamp, 10, 64)
	if err != nil || ts < 0 || ts > maxTwilioTimestamp {
		return nil, protoErr(reasonMalformed, "media timestamp %q is not a time in ms", truncate(md.Timestamp, 40))
	}
	var chunk uint64
	if md.Chunk != "" {
		if chunk, err = strconv.ParseUint(md.Chunk, 10, 64); err != nil {
			return nil, protoErr(reasonMalformed, "media chunk %q is not a number", truncate(md.Chunk, 40))
		}
	}
	payload, err := base64.StdEncoding.DecodeString(md.Payload)
	if err != nil {
		return nil, protoErr(reasonMalformed, "media payload is not base64: %v", err)
	}
	return &twilioMedia{Track: md.Track, Chunk: chunk, Timestamp: ts, Payload: payload}, nil
}

// trackMixer lines up a stream's tracks, which arrive as separate
// messages, by the sample positions their timestamps give, and hands out
// audio of all channels at once: a track's duplicate or late audio is
// dropped, a hole in it is filled with silence, and when one track runs
// maxSkew ahead of another, the lagging one is taken to have lost that
// audio and filled with silence. A chunk no more than jitter samples off
// the end of its track continues it.
type trackMixer struct {
	base    int64     // stream position of bufs[i][0]: everything before was handed out
	bufs    [][]int16 // per channel, the audio from base on
	maxSkew int
	jitter  int64
}

func newTrackMixer(channels, maxSkew, jitter int) *trackMixer {
	return &trackMixer{bufs: make([][]int16, channels), maxSkew: maxSkew, jitter: int64(jitter)}
}

// end returns the position after the last sample placed on channel ch.
func (m *trackMixer) end(ch int) int64 { return m.base + int64(len(m.bufs[ch])) }

// add places samples of channel ch at stream position pos and passes
// whatever all channels now cover to out, as a chunk of audio after a
// stretch of silence.
func (m *trackMixer) add(ch int, pos int64, samples []int16, out func(silence int, samples [][]int16)) {
	if d := pos - m.end(ch); d != 0 && d >= -m.jitter && d <= m.jitter {
		pos = m.end(ch)
	}
	// Pieces of at most half the skew always fit beside the other tracks.
	step := max(m.maxSkew/2, 1)
	for len(samples) > 0 {
		n := min(len(samples), step)
		m.place(ch, pos, samples[:n], out)
		pos += int64(n)
		samples = samples[n:]
	}
	m.emit(out)
}

func (m *trackMixer) place(ch int, pos int64, s []int16, out func(int, [][]int16)) {
	if end := m.end(ch); pos < end {
		skip := end - pos
		if skip >= int64(len(s)) {
			return
		}
		s, pos = s[skip:], end
	}
	if over := pos + int64(len(s)) - m.base - int64(m.maxSkew); over > 0 {
		m.advance(m.base+over, out)
	}
	if gap := pos - m.end(ch); gap > 0 {
		m.bufs[ch] = append(m.bufs[ch], make([]int16, gap)...)
	}
	m.bufs[ch] = append(m.bufs[ch], s...)
}

// emit hands out what every channel covers.
func (m *trackMixer) emit(out func(int, [][]int16)) {
	n := len(m.bufs[0])
	for _, b := range m.bufs[1:] {
		n = min(n, len(b))
	}
	if n == 0 {
		return
	}
	chunk := make([][]int16, len(m.bufs))
	for i, b := range m.bufs {
		chunk[i] = append([]int16(nil), b[:n]...)
		m.bufs[i] = append(b[:0], b[n:]...)
	}
	m.base += int64(n)
	out(0, chunk)
}

// advance hands out everything before position to, channels short of it
// padded with silence.
func (m *trackMixer) advance(to int64, out func(int, [][]int16)) {
	span := int(to - m.base)
	if span <= 0 {
		return
	}
	covered := 0
	for _, b := range m.bufs {
		covered = max(covered, min(len(b), span))
	}
	if covered > 0 {
		chunk := make([][]int16, len(m.bufs))
		for i, b := range m.bufs {
			c := make([]int16, covered)
			copy(c, b)
			chunk[i] = c
		}
		out(0, chunk)
	}
	if rest := span - covered; rest > 0 {
		out(rest, nil)
	}
	for i, b := range m.bufs {
		k := min(len(b), span)
		m.bufs[i] = append(b[:0], b[k:]...)
	}
	m.base = to
}

// flush hands out all that is placed, as at the end of the stream.
func (m *trackMixer) flush(out func(int, [][]int16)) {
	end := m.base
	for i := range m.bufs {
		end = max(end, m.end(i))
	}
	m.advance(end, out)
}
