package ingest

// This file holds what the telephony WebSocket endpoints (Twilio Media
// Streams, Genesys AudioHook) share: their time-outs and bounds, reading one
// bounded message with an idle time-out, protocol errors, and voiceCall,
// which keeps speech recognition off the WebSocket read loop.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine/event"
)

// VoiceIdleTimeout is how long a telephony WebSocket client may stay silent: a
// connection with no message for this long is closed, and its call ended.
// Both platforms stream audio every 20 ms while a call is live and ping
// during pauses, so a minute of silence means the client is gone. Handlers
// read it when they are built (TwilioHandler, AudioHookHandler); set it
// before.
var VoiceIdleTimeout = 60 * time.Second

// VoiceQueuedAudio bounds the audio a voice call holds waiting for speech
// recognition. Recognition runs beside the WebSocket read loop, which never
// waits for it; when recognition falls this far behind (a loaded host),
// newer audio is dropped, logged and counted under the ingest error reason
// "queue_overflow", and replaced by silence of the same length (up to a
// minute), so the offsets of later utterances stay true. Dropping words is the last resort:
// the alternative, stalling the socket, makes the telephony platform buffer
// and then hang up on us, which loses the whole call. Handlers read it when
// they are built; set it before.
var VoiceQueuedAudio = 10 * time.Second

// telephonyRate is the sample rate of both platforms' audio: G.711 and L16
// at 8 kHz.
const telephonyRate = 8000

// maxMediaGap is the longest hole in a stream that is filled with silence
// (a Twilio timestamp jump, audio an AudioHook client discarded while
// paused). A Twilio jump beyond it is a protocol error; a longer AudioHook
// pause is filled with maxMediaGap of silence only, so offsets after it
// run early by the rest — feeding an hour of hold time through the voice
// detector costs CPU for nothing.
const maxMediaGap = time.Minute

// writeTimeout bounds one message sent to a client, so a client that
// stops reading cannot hold a handler forever.
const writeTimeout = 10 * time.Second

// disconnectGrace is how long an AudioHook client has to answer our
// disconnect with close before the socket is closed under it.
const disconnectGrace = 5 * time.Second

// limits are a handler's time-outs and bounds, fixed when it is built.
type limits struct {
	idle   time.Duration // VoiceIdleTimeout
	queued time.Duration // VoiceQueuedAudio
	grace  time.Duration // disconnectGrace
	auth   time.Duration // AuthTimeout
}

func currentLimits() limits {
	return limits{idle: VoiceIdleTimeout, queued: VoiceQueuedAudio, grace: disconnectGrace, auth: AuthTimeout}
}

// protocolError is a client breaking its protocol. Reason is a short fixed
// label for the ingest error metric; Detail says what happened, for the log
// and the close frame.
type protocolError struct {
	Reason string
	Detail string
}

func (e *protocolError) Error() string { return e.Reason + ": " + e.Detail }

func protoErr(reason, format string, args ...any) *protocolError {
	return &protocolError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// The reasons of protocol errors and refusals, as counted by
// Metrics.IngestError.
const (
	reasonUnauthorized     = "unauthorized"
	reasonNoRecognizer     = "no_recognizer"
	reasonMalformed        = "malformed"
	reasonUnknownEvent     = "unknown_event"
	reasonBadSequence      = "bad_sequence"
	reasonBadMessage       = "bad_message"
	reasonUnsupportedMedia = "unsupported_media"
	reasonBadFrame         = "bad_frame"
	reasonTimestampJump    = "timestamp_jump"
	reasonTooBig           = "too_big"
	reasonIdleTimeout      = "idle_timeout"
	reasonStartFailed      = "start_failed"
	reasonQueueOverflow    = "queue_overflow"
)

// errClientGone is returned by wsReader.read when the client closed the
// connection or it broke: the end of a call, not a protocol error.
var errClientGone = errors.New("client closed the connection")

// accept upgrades the request to a WebSocket whose messages are bounded
// by o.maxMessage(). Origins are not checked: the clients are telephony
// platforms, not browsers, and the API key is what authenticates them.
func accept(w http.ResponseWriter, r *http.Request, o *Options) (*websocket.Conn, error) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil, fmt.Errorf("accept websocket: %w", err)
	}
	// The library stops reading a message at the limit and closes the
	// connection with StatusMessageTooBig, so an oversized message is
	// never held in memory beyond the limit.
	c.SetReadLimit(o.maxMessage())
	return c, nil
}

// refuse answers a request that is not taken with status and a reason,
// logged and counted, without upgrading it.
func refuse(w http.ResponseWriter, o *Options, endpoint string, status int, reason, msg string) {
	o.log().Warn("ingest connection refused", "endpoint", endpoint, "reason", reason, "detail", msg)
	o.Metrics.IngestError(endpoint, reason)
	http.Error(w, msg, status)
}

// wsReader reads one connection's messages with time-outs: a client that
// must authenticate on the connection has a fixed time to do so, which
// nothing it sends before extends; after that (or from the start for a
// client authenticated at the upgrade) a connection with no message for
// the idle time-out is closed. Either closes with a close frame that says
// why.
type wsReader struct {
	c        *websocket.Conn
	timer    *time.Timer
	timedOut atomic.Bool
	idle     time.Duration
	limit    int64

	authTimer    *time.Timer // nil once authenticated, or when not needed
	authWait     time.Duration
	authTimedOut atomic.Bool
}

func newWSReader(c *websocket.Conn, idle time.Duration, limit int64) *wsReader {
	r := &wsReader{c: c, idle: idle, limit: limit}
	r.timer = time.AfterFunc(idle, func() {
		r.timedOut.Store(true)
		c.Close(websocket.StatusPolicyViolation, "idle timeout")
	})
	r.timer.Stop()
	return r
}

// requireAuth gives the client d from now to authenticate (see
// authenticated); until then messages do not reset the idle time-out.
func (r *wsReader) requireAuth(d time.Duration) {
	r.authWait = d
	r.authTimer = time.AfterFunc(d, func() {
		r.authTimedOut.Store(true)
		r.c.Close(websocket.StatusPolicyViolation, closeReason(fmt.Sprintf("not authenticated within %s", d)))
	})
}

// authenticated ends the wait for authentication: from now on, messages
// keep the connection open. It is called from the read loop.
func (r *wsReader) authenticated() {
	if r.authTimer != nil {
		r.authTimer.Stop()
		r.authTimer = nil
	}
}

// read returns the next message. Its errors are a *protocolError (too
// big, idle, not authenticated in time), errClientGone, or another failure
// of the connection.
func (r *wsReader) read(ctx context.Context) (websocket.MessageType, []byte, error) {
	waitingAuth := r.authTimer != nil
	if !waitingAuth {
		r.timer.Reset(r.idle)
	}
	typ, data, err := r.c.Read(ctx)
	r.timer.Stop()
	switch {
	case err == nil && !r.authTimedOut.Load():
		return typ, data, nil
	case r.authTimedOut.Load():
		return 0, nil, protoErr(reasonAuthTimeout, "not authenticated within %s", r.authWait)
	case r.timedOut.Load():
		return 0, nil, protoErr(reasonIdleTimeout, "no message for %s", r.idle)
	case errors.Is(err, websocket.ErrMessageTooBig):
		return 0, nil, protoErr(reasonTooBig, "message over %d bytes", r.limit)
	case websocket.CloseStatus(err) != -1, errors.Is(err, context.Canceled):
		return 0, nil, errClientGone
	}
	// A connection reset or an EOF without a close frame: the client is
	// gone all the same, but say how.
	return 0, nil, fmt.Errorf("%w: %v", errClientGone, err)
}

// stop releases the timers.
func (r *wsReader) stop() {
	r.timer.Stop()
	r.authenticated()
}

// closeReason trims a close frame's reason to the 123 bytes the protocol
// allows.
func closeReason(s string) string { return truncate(s, 120) }

// truncate shortens client text for errors and logs to about n bytes,
// keeping it valid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// maxLabel bounds a call's id, queue, agent and customer taken from a
// telephony client, as chat bounds them: they become event fields and NATS
// subject tokens.
const maxLabel = 128

// checkLabels checks the call id and the labels of a call a telephony
// client starts: the id is required, and none may be longer than maxLabel
// or hold control characters.
func checkLabels(id string, info event.CallStarted) error {
	if id == "" {
		return protoErr(reasonBadMessage, "no call id")
	}
	for _, f := range []struct{ name, v string }{
		{"call id", id}, {"queue", info.Queue}, {"agent", info.Agent}, {"customer", info.Customer},
	} {
		if len(f.v) > maxLabel {
			return protoErr(reasonBadMessage, "%s is longer than %d bytes", f.name, maxLabel)
		}
		if strings.IndexFunc(f.v, unicode.IsControl) >= 0 {
			return protoErr(reasonBadMessage, "%s contains control characters", f.name)
		}
	}
	return nil
}
