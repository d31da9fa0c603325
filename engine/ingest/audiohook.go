package ingest

// This file is the Genesys Cloud AudioHook endpoint, protocol version 2
// (https://developer.genesys.cloud/devapps/audiohook; the message shapes
// and state rules follow Genesys's reference implementation,
// purecloudlabs/audiohook-reference-implementation). Genesys Cloud, the
// client, opens one WebSocket per session and sends JSON text messages
// (open, ping, paused, resumed, discarded, update, error, close) and
// binary audio frames; the server answers open with opened, ping with
// pong and close with closed, and asks the client to end the session with
// disconnect.
//
// Every client message carries version "2", the session id, seq (the
// client's count, from 1 up by one), serverseq (the last server seq it
// has seen) and position (its audio position, an ISO 8601 duration such as
// "PT1.5S"). Server messages carry seq (our count from 1) and clientseq
// (the last client seq we processed).

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/event"
)

// audiohookEndpoint names the endpoint in logs and metrics.
const audiohookEndpoint = "audiohook"

// audiohookKeyHeader carries the API key configured in the Genesys Cloud
// AudioHook integration.
const audiohookKeyHeader = "X-API-KEY"

// nullUUID is the conversation id of the connection probe Genesys Cloud
// runs when an integration is configured: open, opened, close, closed, no
// call.
const nullUUID = "00000000-0000-0000-0000-000000000000"

// audiohookLanguages are the languages offered to a client that asks
// (open's supportedLanguages): the embedded recognizer's US English.
var audiohookLanguages = []string{"en-US"}

// AudioHookHandler returns the Genesys Cloud AudioHook WebSocket endpoint
// (mounted at /v1/audiohook). Each session is one voice call, named by its
// conversationId, with the "external" channel spoken by the customer and
// the "internal" one by the agent.
//
// The API key must be in the X-API-KEY header of the upgrade request:
// without it the request is answered 401 and not upgraded. open is
// answered with opened at once, choosing the first of stereo PCMU, stereo
// L16, mono PCMU, mono L16 that the client offers, before the call and its
// recognizer start (Genesys gives up after about five seconds). The
// connection probe (conversationId all zeros) is answered and starts no
// call. Malformed JSON, unknown message types, sequence numbers out of
// order and audio frames that are not whole samples are protocol errors:
// the server sends disconnect (reason "error") with the reason, logs and
// counts it, and closes the socket once the client closed the session or
// after a grace period. A message over o.MaxMessageBytes, or no message for
// VoiceIdleTimeout, closes the socket at once.
//
// The call's call.started takes Customer from the participant's ani, and
// agent, queue and customer from the open parameters' inputVariables (set
// per call by the Architect flow) or, failing that, customConfig (set
// once in the integration), when they are strings.
//
// A session whose open finds o.MaxVoiceCalls calls recognised already is
// recognised by o.Overflow, or without one answered with disconnect
// (reason "error", info "voice capacity reached (N calls)") instead of
// opened, and starts no call; the probe needs no slot and is always
// answered.
//
// The handler refuses every session with 503 when o.Recognizer is nil.
func AudioHookHandler(o *Options) http.Handler {
	o.voiceGate()
	o.conns()
	o.voiceCalls()
	return &audiohookHandler{o: o, lim: currentLimits()}
}

type audiohookHandler struct {
	o   *Options
	lim limits
}

func (h *audiohookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.o.keyOK(r.Header.Get(audiohookKeyHeader)) {
		refuse(w, h.o, audiohookEndpoint, http.StatusUnauthorized, reasonUnauthorized,
			"wrong or missing API key: send it in the "+audiohookKeyHeader+" header")
		return
	}
	vc, ok := openVoice(w, r, h.o, audiohookEndpoint, true)
	if !ok {
		return
	}
	defer vc.done()
	s := &audiohookSession{
		o: h.o, lim: h.lim, c: vc.c, log: h.o.log().With("endpoint", audiohookEndpoint),
		endReason: "disconnected",
	}
	// Until the first message names it, the session is the one the
	// upgrade request's header names.
	s.id = nullUUID
	if id := r.Header.Get("Audiohook-Session-Id"); isUUID(id) {
		s.id = id
	}
	s.serve(vc.shutdown)
}

// audiohookState is where a session is in the protocol.
type audiohookState int

const (
	ahWaitOpen audiohookState = iota // before open
	ahActive                         // opened: audio flows
	ahPaused                         // the client paused the stream
	ahClosed                         // closed sent
)

// audiohookSession is one AudioHook connection.
type audiohookSession struct {
	o   *Options
	lim limits
	c   *websocket.Conn
	log *slog.Logger

	// mu orders the messages we send and guards what the call's worker
	// touches when a call fails to start (it sends disconnect).
	mu            sync.Mutex
	id            string
	serverSeq     uint64
	clientSeq     uint64
	disconnecting time.Time // when we sent disconnect; zero before
	endReason     string    // how the call ends

	// The read loop's own.
	state audiohookState
	probe bool
	media audiohookMedia
	call  *voiceCall
	owner *voiceOwner // this session, as the call's owner
}

func (s *audiohookSession) serve(shutdown context.Context) {
	// Closing with a status (not cancelling the read, which drops the
	// connection) tells the client why the session ends.
	stop := context.AfterFunc(shutdown, func() { s.c.Close(websocket.StatusGoingAway, "server shutting down") })
	defer stop()
	rd := newWSReader(s.c, s.lim.idle, s.o.maxMessage())
	defer rd.stop()
	err := s.loop(context.Background(), rd)
	if shutdown.Err() != nil && !errors.As(err, new(*protocolError)) {
		err = errShutdown
	}
	s.finish(err)
}

// errShutdown ends a session when the service shuts down.
var errShutdown = errors.New("server shutting down")

// errDisconnectIgnored ends a session whose client did not close it in
// time after our disconnect.
var errDisconnectIgnored = errors.New("client did not close the session after disconnect")

// loop handles messages until the session is closed (nil) or fails.
func (s *audiohookSession) loop(ctx context.Context, rd *wsReader) error {
	for {
		if at := s.disconnectedAt(); !at.IsZero() {
			left := s.lim.grace - time.Since(at)
			if left <= 0 {
				return errDisconnectIgnored
			}
			rd.idle = left
		}
		typ, data, err := rd.read(ctx)
		if err != nil {
			var perr *protocolError
			if errors.As(err, &perr) && perr.Reason == reasonIdleTimeout && !s.disconnectedAt().IsZero() {
				return errDisconnectIgnored
			}
			return err
		}
		if !s.disconnectedAt().IsZero() {
			// Only close matters now; the sequence may be what broke.
			if m, err := parseAudioHook(data); typ == websocket.MessageText && err == nil && m.Type == "close" {
				s.noteClientSeq(m.Seq)
				return s.send("closed", struct{}{})
			}
			continue
		}
		var done bool
		if typ == websocket.MessageBinary {
			err = s.audio(data)
		} else {
			done, err = s.text(data)
		}
		var perr *protocolError
		switch {
		case errors.As(err, &perr):
			s.disconnect(perr.Reason, perr.Detail)
		case err != nil, done:
			return err
		}
	}
}

// text handles one JSON message; done is true once the session is closed.
func (s *audiohookSession) text(data []byte) (done bool, err error) {
	m, err := parseAudioHook(data)
	if err != nil {
		return false, err
	}
	if err := s.sequence(m); err != nil {
		return false, err
	}
	if m.Type != "open" && m.Type != "close" && s.state == ahWaitOpen {
		return false, protoErr(reasonBadSequence, "%s before open", m.Type)
	}
	switch m.Type {
	case "open":
		if s.state != ahWaitOpen {
			return false, protoErr(reasonBadSequence, "second open")
		}
		return false, s.open(m.Open)
	case "ping":
		return false, s.send("pong", struct{}{})
	case "paused":
		// The client paused the stream (a hold, a secure pause); no answer
		// is due. Audio stops until resumed.
		s.log.Info("audiohook stream paused by the client")
		s.state = ahPaused
	case "resumed":
		s.log.Info("audiohook stream resumed", "discarded", m.Discarded)
		s.state = ahActive
		s.skip(m.Discarded)
	case "discarded":
		s.log.Info("audiohook client discarded audio", "discarded", m.Discarded)
		s.skip(m.Discarded)
	case "update":
		s.log.Info("audiohook session updated", "language", truncate(m.Language, 40))
	case "error":
		s.log.Warn("audiohook client reports an error", "code", m.Error.Code, "message", truncate(m.Error.Message, 200))
	case "dtmf":
		// The digit is not logged: callers key in card numbers and PINs.
		s.log.Debug("audiohook dtmf")
	case "close":
		s.log.Info("audiohook session closed by the client", "reason", truncate(m.CloseReason, 40))
		s.setEndReason(closeReasonOf(m.CloseReason))
		s.state = ahClosed
		return true, s.send("closed", struct{}{})
	}
	return false, nil
}

// sequence checks a message's id and sequence numbers and records its seq.
func (s *audiohookSession) sequence(m audiohookMsg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Seq != s.clientSeq+1 {
		return protoErr(reasonBadSequence, "%s has seq %d, want %d", m.Type, m.Seq, s.clientSeq+1)
	}
	if m.ServerSeq > s.serverSeq {
		return protoErr(reasonBadSequence, "%s has serverseq %d, but the server sent %d messages", m.Type, m.ServerSeq, s.serverSeq)
	}
	if m.ID != s.id {
		if s.id != nullUUID {
			return protoErr(reasonBadMessage, "%s is for session %s, not %s", m.Type, m.ID, s.id)
		}
		s.id = m.ID
	}
	s.clientSeq = m.Seq
	return nil
}

// noteClientSeq records the seq of a message read while disconnecting.
func (s *audiohookSession) noteClientSeq(seq uint64) {
	s.mu.Lock()
	s.clientSeq = max(s.clientSeq, seq)
	s.mu.Unlock()
}

// open answers open with opened and then starts the call, or with
// disconnect when there is no room for the call.
func (s *audiohookSession) open(p *audiohookOpen) error {
	media, ok := selectAudioHookMedia(p.Media)
	if !ok {
		return protoErr(reasonUnsupportedMedia, "no offered media is PCMU or L16 audio at 8000 Hz")
	}
	info := p.callStarted()
	if err := checkLabels(p.ConversationID, info); err != nil {
		return err
	}
	s.log = s.log.With("session_id", s.sessionID(), "conversation_id", p.ConversationID)
	s.probe = p.ConversationID == nullUUID
	if !s.probe {
		speakers := make([]event.Speaker, len(media.Channels))
		for i, ch := range media.Channels {
			speakers[i] = event.SpeakerCustomer
			if ch == "internal" {
				speakers[i] = event.SpeakerAgent
			}
		}
		s.owner = &voiceOwner{
			// From the goroutine of the session that replaces this one,
			// which must not wait for a dead client's close handshake.
			replaced: func() { go s.c.Close(websocket.StatusNormalClosure, "replaced by a new session for the conversation") },
			failed:   func(error) { s.disconnect(reasonStartFailed, "the call could not start") },
		}
		call, resumed, err := s.o.voiceCalls().open(s.o, audiohookEndpoint, p.ConversationID, info, speakers, s.owner, s.lim.queued)
		var full *capacityError
		switch {
		case errors.As(err, &full):
			s.refuse(err.Error())
			return nil
		case err != nil:
			return err
		}
		s.call = call
		if resumed {
			s.log.Info("audiohook session resumed its conversation's call", "format", media.Format, "channels", media.Channels)
		} else {
			s.log.Info("audiohook session opened", "format", media.Format, "channels", media.Channels,
				"queue", info.Queue, "agent", info.Agent)
		}
	}
	opened := audiohookOpened{Media: []audiohookMediaWire{media.wire()}, StartPaused: false}
	if p.SupportedLanguages {
		opened.SupportedLanguages = audiohookLanguages
	}
	// The call's worker loads the recognizer in the background: opened
	// does not wait for it, as Genesys gives up after about five seconds.
	if err := s.send("opened", opened); err != nil {
		return err
	}
	s.state, s.media = ahActive, media
	if s.probe {
		s.log.Info("audiohook connection probe")
	}
	return nil
}

// push hands the session's audio to the call.
func (s *audiohookSession) push(silence int, samples [][]int16) {
	s.call.push(s.owner, silence, samples)
}

// audio handles one binary audio frame.
func (s *audiohookSession) audio(data []byte) error {
	switch s.state {
	case ahWaitOpen:
		return protoErr(reasonBadSequence, "audio before open")
	case ahPaused:
		return protoErr(reasonBadSequence, "audio while paused")
	case ahClosed:
		return nil
	}
	samples, err := decodeAudioHookFrame(data, s.media)
	if err != nil {
		return err
	}
	if s.call != nil {
		s.push(0, samples)
	}
	return nil
}

// skip accounts for audio the client did not send: the call hears
// silence in its place, up to maxMediaGap.
func (s *audiohookSession) skip(d time.Duration) {
	if s.call == nil || d <= 0 {
		return
	}
	if d > maxMediaGap {
		s.log.Info("audiohook gap shortened", "discarded", d, "filled", maxMediaGap)
		d = maxMediaGap
	}
	s.push(int(d.Seconds()*telephonyRate), nil)
}

// disconnect asks the client to end the session for reason (a metric
// label) and why (for the client and the log). The client should answer
// with close; see loop.
func (s *audiohookSession) disconnect(reason, why string) {
	if !s.startDisconnect() {
		return
	}
	s.log.Warn("audiohook session disconnected", "reason", reason, "detail", why)
	s.o.Metrics.IngestError(audiohookEndpoint, reason)
	s.sendDisconnect(why)
}

// refuse answers open with disconnect when there is no room for the call
// (the voice gate counted it). The protocol has no reason of its own for
// a busy server: it is an error, and why says which.
func (s *audiohookSession) refuse(why string) {
	if !s.startDisconnect() {
		return
	}
	s.log.Warn("audiohook session refused", "detail", why)
	s.sendDisconnect(why)
}

// startDisconnect records that the session is being disconnected; it
// returns false if it was already.
func (s *audiohookSession) startDisconnect() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.disconnecting.IsZero() {
		return false
	}
	s.disconnecting = time.Now()
	s.endReason = "error"
	return true
}

// sendDisconnect sends disconnect with reason "error" and why as its info.
func (s *audiohookSession) sendDisconnect(why string) {
	if err := s.send("disconnect", audiohookDisconnect{Reason: "error", Info: why}); err != nil {
		s.log.Debug("send disconnect", "err", err)
	}
}

func (s *audiohookSession) disconnectedAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.disconnecting
}

func (s *audiohookSession) setEndReason(r string) {
	s.mu.Lock()
	if s.disconnecting.IsZero() {
		s.endReason = r
	}
	s.mu.Unlock()
}

func (s *audiohookSession) sessionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// send sends one server message; parameters must encode as a JSON object.
func (s *audiohookSession) send(typ string, parameters any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serverSeq++
	msg, err := json.Marshal(audiohookServerMsg{
		Version: "2", Type: typ, Seq: s.serverSeq, ClientSeq: s.clientSeq, ID: s.id, Parameters: parameters,
	})
	if err != nil {
		return fmt.Errorf("encode audiohook %s: %w", typ, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := s.c.Write(ctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("send audiohook %s: %w", typ, err)
	}
	return nil
}

// finish ends the call and the connection after the loop's last error.
// The call is told first: the close handshake may wait seconds for a
// client that does not answer it.
func (s *audiohookSession) finish(err error) {
	s.mu.Lock()
	reason := s.endReason
	disconnecting := !s.disconnecting.IsZero()
	s.mu.Unlock()
	code, why := websocket.StatusNormalClosure, ""
	lost := false
	var perr *protocolError
	switch {
	case err == nil:
	case errors.Is(err, errShutdown), errors.Is(err, errShuttingDown):
		reason, code, why = "shutdown", websocket.StatusGoingAway, "server shutting down"
		s.log.Info("audiohook connection closed: shutting down")
	case errors.Is(err, errDisconnectIgnored):
		s.log.Warn("audiohook client ignored disconnect: closing the socket")
		code, why = websocket.StatusPolicyViolation, "disconnected"
	case errors.As(err, &perr):
		// Too big or idle: the socket is closing already, no disconnect
		// can be sent.
		reason, code, why = "error", websocket.StatusPolicyViolation, closeReason(perr.Detail)
		if perr.Reason == reasonIdleTimeout && !disconnecting {
			reason, lost = "disconnected", true
		}
		s.log.Warn("audiohook connection closed", "reason", perr.Reason, "detail", perr.Detail)
		s.o.Metrics.IngestError(audiohookEndpoint, perr.Reason)
	default:
		if s.state != ahClosed {
			s.log.Info("audiohook connection lost", "err", err)
		}
		// Lost without close: the session may be re-opened, unless we
		// were ending it ourselves.
		code, lost = -1, !disconnecting
	}
	ending := false
	if s.call != nil {
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

// closeReasonOf maps close's reason to the call's end reason.
func closeReasonOf(r string) string {
	switch r {
	case "end":
		return "hangup"
	case "disconnect":
		return "disconnected"
	}
	return r
}

// audiohookMedia is the audio format chosen for a session.
type audiohookMedia struct {
	Format   string   // PCMU or L16
	Channels []string // external, internal, in the frames' interleaving order
}

func (m audiohookMedia) wire() audiohookMediaWire {
	return audiohookMediaWire{Type: "audio", Format: m.Format, Channels: m.Channels, Rate: telephonyRate}
}

// selectAudioHookMedia picks the format for a session from those offered:
// both parties beat one (the agent's words are half the transcript), and
// PCMU beats L16 (half the bytes for the same G.711 audio).
func selectAudioHookMedia(offered []audiohookMediaWire) (audiohookMedia, bool) {
	best, bestRank := audiohookMedia{}, -1
	for _, m := range offered {
		if m.Type != "audio" || m.Rate != telephonyRate || (m.Format != "PCMU" && m.Format != "L16") || !validChannels(m.Channels) {
			continue
		}
		rank := 2 * len(m.Channels)
		if m.Format == "PCMU" {
			rank++
		}
		if rank > bestRank {
			best, bestRank = audiohookMedia{Format: m.Format, Channels: m.Channels}, rank
		}
	}
	return best, bestRank >= 0
}

// validChannels reports whether channels are one or both of external and
// internal.
func validChannels(channels []string) bool {
	switch len(channels) {
	case 1:
		return channels[0] == "external" || channels[0] == "internal"
	case 2:
		return channels[0] != channels[1] && validChannels(channels[:1]) && validChannels(channels[1:])
	}
	return false
}

// decodeAudioHookFrame splits one binary frame into its channels. PCMU
// frames hold one byte per sample and channel; L16 frames two,
// little-endian (the byte order of Genesys's reference implementation,
// which reads frames as host-order Int16Arrays). Samples are interleaved
// in the order of the media's channels. A frame that is not a whole
// number of sample frames is an error.
func decodeAudioHookFrame(data []byte, m audiohookMedia) ([][]int16, error) {
	nch := len(m.Channels)
	width := 1
	if m.Format == "L16" {
		width = 2
	}
	if nch == 0 {
		return nil, protoErr(reasonBadFrame, "no channels")
	}
	if len(data)%(nch*width) != 0 {
		return nil, protoErr(reasonBadFrame, "%d-byte %s frame is not whole samples of %d channels", len(data), m.Format, nch)
	}
	n := len(data) / (nch * width)
	out := make([][]int16, nch)
	for ch := range out {
		out[ch] = make([]int16, n)
	}
	for i := range n {
		for ch := range nch {
			at := (i*nch + ch) * width
			if width == 1 {
				out[ch][i] = audio.MulawDecode(data[at])
			} else {
				out[ch][i] = int16(binary.LittleEndian.Uint16(data[at:]))
			}
		}
	}
	return out, nil
}

// audiohookMsg is one decoded client message. The fields after Position
// are set by the type that uses them.
type audiohookMsg struct {
	Type      string
	ID        string
	Seq       uint64
	ServerSeq uint64
	Position  time.Duration

	Open        *audiohookOpen // open
	CloseReason string         // close
	Discarded   time.Duration  // resumed, discarded
	Language    string         // update
	Error       *audiohookError
	RTT         time.Duration // ping
	Digit       string        // dtmf
}

// audiohookOpen is what open says about the session.
type audiohookOpen struct {
	OrganizationID     string
	ConversationID     string
	Participant        audiohookParticipant
	Media              []audiohookMediaWire
	Language           string
	SupportedLanguages bool
	CustomConfig       map[string]any
	InputVariables     map[string]any
}

type audiohookParticipant struct {
	ID      string `json:"id"`
	ANI     string `json:"ani"`
	ANIName string `json:"aniName"`
	DNIS    string `json:"dnis"`
}

// audiohookError is a client's error report.
type audiohookError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// callStarted fills a call's call.started from the open parameters.
func (p *audiohookOpen) callStarted() event.CallStarted {
	info := event.CallStarted{Customer: strings.TrimPrefix(p.Participant.ANI, "tel:"), Channel: event.ChannelVoice}
	for _, vars := range []map[string]any{p.CustomConfig, p.InputVariables} {
		for key, field := range map[string]*string{"agent": &info.Agent, "queue": &info.Queue, "customer": &info.Customer} {
			if v, ok := vars[key].(string); ok && v != "" {
				*field = v
			}
		}
	}
	return info
}

// The wire shapes of AudioHook messages.
type (
	audiohookClientWire struct {
		Version    string          `json:"version"`
		ID         string          `json:"id"`
		Type       string          `json:"type"`
		Seq        *uint64         `json:"seq"`
		ServerSeq  *uint64         `json:"serverseq"`
		Position   string          `json:"position"`
		Parameters json.RawMessage `json:"parameters"`
	}
	audiohookOpenWire struct {
		OrganizationID     string               `json:"organizationId"`
		ConversationID     string               `json:"conversationId"`
		Participant        audiohookParticipant `json:"participant"`
		Media              []audiohookMediaWire `json:"media"`
		Language           string               `json:"language"`
		SupportedLanguages bool                 `json:"supportedLanguages"`
		CustomConfig       map[string]any       `json:"customConfig"`
		InputVariables     map[string]any       `json:"inputVariables"`
	}
	audiohookMediaWire struct {
		Type     string   `json:"type"`
		Format   string   `json:"format"`
		Channels []string `json:"channels"`
		Rate     int      `json:"rate"`
	}
	audiohookServerMsg struct {
		Version    string `json:"version"`
		Type       string `json:"type"`
		Seq        uint64 `json:"seq"`
		ClientSeq  uint64 `json:"clientseq"`
		ID         string `json:"id"`
		Parameters any    `json:"parameters"`
	}
	audiohookOpened struct {
		Media              []audiohookMediaWire `json:"media"`
		StartPaused        bool                 `json:"startPaused"`
		SupportedLanguages []string             `json:"supportedLanguages,omitempty"`
	}
	audiohookDisconnect struct {
		Reason string `json:"reason"`
		Info   string `json:"info,omitempty"`
	}
)

// parseAudioHook decodes and checks one client text message. Its errors
// are *protocolError.
func parseAudioHook(data []byte) (audiohookMsg, error) {
	var w audiohookClientWire
	if err := json.Unmarshal(data, &w); err != nil {
		return audiohookMsg{}, protoErr(reasonMalformed, "not an AudioHook message: %v", err)
	}
	if w.Version != "2" {
		return audiohookMsg{}, protoErr(reasonMalformed, "version %q, want \"2\"", truncate(w.Version, 20))
	}
	if !isUUID(w.ID) {
		return audiohookMsg{}, protoErr(reasonMalformed, "id %q is not a UUID", truncate(w.ID, 40))
	}
	if w.Seq == nil || w.ServerSeq == nil {
		return audiohookMsg{}, protoErr(reasonMalformed, "%s message without seq or serverseq", truncate(w.Type, 40))
	}
	pos, err := parseDuration(w.Position)
	if err != nil {
		return audiohookMsg{}, protoErr(reasonMalformed, "position: %v", err)
	}
	if !isJSONObject(w.Parameters) {
		return audiohookMsg{}, protoErr(reasonMalformed, "%s message without a parameters object", truncate(w.Type, 40))
	}
	m := audiohookMsg{Type: w.Type, ID: w.ID, Seq: *w.Seq, ServerSeq: *w.ServerSeq, Position: pos}
	params := func(v any) error {
		if err := json.Unmarshal(w.Parameters, v); err != nil {
			return protoErr(reasonMalformed, "%s parameters: %v", w.Type, err)
		}
		return nil
	}
	switch w.Type {
	case "open":
		var p audiohookOpenWire
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		if !isUUID(p.ConversationID) || !isUUID(p.OrganizationID) {
			return audiohookMsg{}, protoErr(reasonMalformed, "open without a conversationId and organizationId")
		}
		m.Open = &audiohookOpen{
			OrganizationID: p.OrganizationID, ConversationID: p.ConversationID, Participant: p.Participant,
			Media: p.Media, Language: p.Language, SupportedLanguages: p.SupportedLanguages,
			CustomConfig: p.CustomConfig, InputVariables: p.InputVariables,
		}
	case "close":
		var p struct {
			Reason string `json:"reason"`
		}
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		m.CloseReason = p.Reason
	case "resumed", "discarded":
		var p struct {
			Start     string `json:"start"`
			Discarded string `json:"discarded"`
		}
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		if m.Discarded, err = parseDuration(p.Discarded); err != nil {
			return audiohookMsg{}, protoErr(reasonMalformed, "%s discarded: %v", w.Type, err)
		}
	case "ping":
		var p struct {
			RTT string `json:"rtt"`
		}
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		if p.RTT != "" {
			if m.RTT, err = parseDuration(p.RTT); err != nil {
				return audiohookMsg{}, protoErr(reasonMalformed, "ping rtt: %v", err)
			}
		}
	case "update":
		var p struct {
			Language string `json:"language"`
		}
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		m.Language = p.Language
	case "error":
		var p audiohookError
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		m.Error = &p
	case "dtmf":
		var p struct {
			Digit string `json:"digit"`
		}
		if err := params(&p); err != nil {
			return audiohookMsg{}, err
		}
		m.Digit = p.Digit
	case "paused":
	default:
		return audiohookMsg{}, protoErr(reasonUnknownEvent, "unknown message type %q", truncate(w.Type, 40))
	}
	return m, nil
}

// maxDurationSeconds bounds the durations a client may send: a day.
const maxDurationSeconds = 86400

// parseDuration reads an AudioHook duration, an ISO 8601 duration in
// seconds: "PT1.25S".
func parseDuration(s string) (time.Duration, error) {
	num, ok := strings.CutPrefix(s, "PT")
	if ok {
		num, ok = strings.CutSuffix(num, "S")
	}
	if !ok || num == "" || strings.ContainsAny(num, "+-eEiInN_xXpP") {
		return 0, fmt.Errorf("%q is not a duration like PT1.5S", truncate(s, 40))
	}
	sec, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(sec) || sec < 0 || sec > maxDurationSeconds {
		return 0, fmt.Errorf("%q is not a duration like PT1.5S", truncate(s, 40))
	}
	return time.Duration(sec * float64(time.Second)), nil
}

// isUUID reports whether s is a UUID in its canonical text form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isJSONObject reports whether raw is a JSON object.
func isJSONObject(raw json.RawMessage) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}
