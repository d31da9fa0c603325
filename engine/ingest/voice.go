package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// voiceCall runs one telephony call's speech recognition beside the
// WebSocket read loop. The read loop pushes audio and returns at once; a
// worker goroutine starts the call (model loading included, so it never
// delays a protocol answer), then feeds the queued audio through an
// engine.AudioCall into the call's sink. The queue holds at most
// VoiceQueuedAudio; see there for what happens beyond. The call holds its
// admission slot until the worker is done, however the call ends.
//
// A call outlives the stream that started it when that stream's
// connection is lost: it is parked for the reconnect grace (see
// voiceRegistry), and a stream that comes back for it within the grace
// becomes its owner and carries on. Only the owner's audio is taken.
type voiceCall struct {
	clientID  string // the id the client gave (callSid, call_id, conversationId)
	endpoint  string
	log       *slog.Logger
	metrics   *engine.Metrics
	speakers  []event.Speaker // one per channel
	maxQueued int             // samples per channel
	slot      *voiceSlot
	reg       *voiceRegistry

	mu          sync.Mutex
	sink        engine.CallSink // once the call has started
	id          string          // the call's id: clientID, or with a suffix when that was taken
	suffix      int             // 1 for clientID itself, n for clientID-n
	owner       *voiceOwner
	parkTimer   *time.Timer
	lastAudio   time.Time // when the owner last pushed audio
	resumes     int
	queue       []audioChunk
	queued      int // samples of audio per channel in queue
	dropped     int // samples dropped since the last queued chunk, owed as silence
	overflowing bool
	closed      bool
	failed      bool
	reason      string
	wake        chan struct{}

	done chan struct{}
}

// voiceOwner is the stream feeding a call: how its channels map onto the
// call's, and how to close it when another stream takes the call over or
// when the call cannot start. Both run on the goroutine that found out and
// must not block.
type voiceOwner struct {
	chmap    []int // the stream's channel i is the call's channel chmap[i]
	replaced func()
	failed   func(error)
}

// audioChunk is the next stretch of a call's audio: silence samples of
// silence on every channel, then, when resumed is set, the call.resumed
// marker, then samples (one slice per channel, of equal length).
type audioChunk struct {
	silence int
	resumed *event.CallResumed
	samples [][]int16
}

// silenceStep is how much silence the worker writes at a time, so a long
// gap never needs a long buffer.
const silenceStep = telephonyRate

// newVoiceCall returns the call clientID with one channel per speaker at
// telephonyRate, recognised by the recognizer of its admission slot, which
// it releases when its worker is done; start starts the worker.
func newVoiceCall(o *Options, reg *voiceRegistry, endpoint, clientID string, speakers []event.Speaker, slot *voiceSlot, queued time.Duration) *voiceCall {
	return &voiceCall{
		clientID: clientID, id: clientID, suffix: 1, endpoint: endpoint, metrics: o.Metrics, speakers: speakers,
		log:       o.log().With("endpoint", endpoint, "call_id", clientID),
		maxQueued: max(int(queued.Seconds()*telephonyRate), telephonyRate/50),
		slot:      slot, reg: reg, lastAudio: time.Now(),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
}

// callID returns the call's id, which its worker may change once, when
// clientID was taken.
func (v *voiceCall) callID() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.id
}

// push queues the next chunk of the owner's audio (one slice per channel
// of the owner's stream), or drops it when recognition is
// VoiceQueuedAudio behind. It never blocks on recognition. Audio from a
// stream that no longer owns the call is dropped.
func (v *voiceCall) push(owner *voiceOwner, silence int, samples [][]int16) {
	n := 0
	if len(samples) > 0 {
		n = len(samples[0])
	}
	if silence == 0 && n == 0 {
		return
	}
	if n > 0 {
		samples = spread(samples, owner.chmap, len(v.speakers))
	}
	v.mu.Lock()
	if v.closed || v.failed || v.owner != owner {
		v.mu.Unlock()
		return
	}
	v.lastAudio = time.Now()
	if n == 0 && v.overflowing {
		// Silence owed while dropping goes out with the next audio.
		v.dropped += silence
		v.mu.Unlock()
		return
	}
	if n > 0 && v.queued+n > v.maxQueued {
		v.dropped += silence + n
		first := !v.overflowing
		v.overflowing = true
		v.mu.Unlock()
		v.metrics.IngestError(v.endpoint, reasonQueueOverflow)
		if first {
			v.log.Warn("speech recognition is falling behind: dropping audio until it catches up",
				"queued", time.Duration(v.maxQueued)*time.Second/telephonyRate)
		}
		return
	}
	if v.overflowing { // and n > 0: this audio is queued
		v.overflowing = false
		v.log.Warn("speech recognition caught up", "dropped", time.Duration(v.dropped)*time.Second/telephonyRate)
	}
	// The silence owed is capped like any gap: after minutes of stalled
	// recognition, minutes of silence would only stall it again.
	owed := min(v.dropped, int(maxMediaGap.Seconds()*telephonyRate))
	v.queue = append(v.queue, audioChunk{silence: silence + owed, samples: samples})
	v.queued += n
	v.dropped = 0
	v.mu.Unlock()
	v.signal()
}

// spread lays a stream's channels out as the call's: channel i goes to
// chmap[i], and a call channel the stream does not carry hears silence.
func spread(samples [][]int16, chmap []int, channels int) [][]int16 {
	if len(chmap) == channels && (channels == 1 || chmap[0] == 0) {
		return samples // the same layout: the common case
	}
	out := make([][]int16, channels)
	for i, ch := range chmap {
		out[ch] = samples[i]
	}
	var zeros []int16
	for ch := range out {
		if out[ch] == nil {
			if zeros == nil {
				zeros = make([]int16, len(samples[0]))
			}
			out[ch] = zeros
		}
	}
	return out
}

// end closes the queue: the worker writes what is queued, flushes the
// utterances still open and ends the call with reason. The first reason
// given is kept. The call's id is free for a resumption no more: a stream
// that comes back for it starts a new call.
func (v *voiceCall) end(reason string) {
	v.mu.Lock()
	first := !v.closed
	if first {
		v.closed, v.reason = true, reason
		v.owner = nil
		if v.parkTimer != nil {
			v.parkTimer.Stop()
		}
	}
	v.mu.Unlock()
	if first {
		v.reg.forget(v)
	}
	v.signal()
}

// release says that owner's stream is over. The call ends with reason,
// unless lost says the stream's connection was lost and the registry has
// a grace for it to come back: then the call is parked, and ends as
// "disconnected" if no stream has taken it over by the end of the grace.
// It reports whether the call is ending; a stream that no longer owns the
// call changes nothing.
func (v *voiceCall) release(owner *voiceOwner, reason string, lost bool) (ending bool) {
	v.mu.Lock()
	if v.owner != owner || v.closed {
		v.mu.Unlock()
		return false
	}
	grace := v.reg.grace
	if !lost || grace <= 0 || v.failed {
		v.mu.Unlock()
		v.end(reason)
		return true
	}
	v.owner = nil
	v.parkTimer = time.AfterFunc(grace, func() {
		v.mu.Lock()
		parked := v.owner == nil && !v.closed
		v.mu.Unlock()
		if parked {
			v.log.Info("voice call not resumed within the grace: ending it", "grace", grace)
			v.end("disconnected")
		}
	})
	v.mu.Unlock()
	v.log.Info("voice call's stream lost: waiting for it to come back", "grace", grace)
	return false
}

// takeOver makes owner the call's stream, its channels laid out by
// owner.chmap, and queues the gap since the last audio as silence and
// the call.resumed marker. The previous owner, if its connection is still
// open, is closed. It reports false when the call has ended meanwhile.
func (v *voiceCall) takeOver(owner *voiceOwner) bool {
	v.mu.Lock()
	if v.closed || v.failed {
		v.mu.Unlock()
		return false
	}
	old := v.owner
	v.owner = owner
	if v.parkTimer != nil {
		v.parkTimer.Stop()
		v.parkTimer = nil
	}
	v.resumes++
	gap := time.Since(v.lastAudio)
	v.lastAudio = time.Now()
	// The gap is heard as silence, so that the offsets of what follows
	// stay on the call's clock; like any gap, at most maxMediaGap of it.
	silence := int(min(gap, maxMediaGap).Seconds() * telephonyRate)
	v.queue = append(v.queue, audioChunk{silence: silence + min(v.dropped, int(maxMediaGap.Seconds()*telephonyRate)),
		resumed: &event.CallResumed{Gap: gap.Seconds(), Resumes: v.resumes, Endpoint: v.endpoint}})
	v.dropped, v.overflowing = 0, false
	v.mu.Unlock()
	v.signal()
	if old != nil {
		old.replaced()
	}
	v.log.Info("voice call resumed", "gap", gap.Round(time.Millisecond), "resumes", v.resumes)
	return true
}

// abandon ends the call at once with reason, as a shutdown does once its
// drain time is up: the queued audio is dropped, and the call is ended
// on its sink beside the worker, which may be stuck in recognition; what
// the worker sends afterwards is refused by the ended call.
func (v *voiceCall) abandon(reason string) {
	v.mu.Lock()
	v.queue, v.queued = nil, 0
	sink := v.sink
	v.mu.Unlock()
	v.end(reason)
	if sink != nil {
		if err := sink.End(reason); err != nil {
			v.log.Warn("end call cut short", "err", err)
		}
	}
}

// wait returns once the call has ended (or failed to start).
func (v *voiceCall) wait() { <-v.done }

func (v *voiceCall) signal() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// next returns the next queued chunk, waiting for one; ok is false once the
// queue is closed and empty, with the reason to end the call with.
func (v *voiceCall) next() (c audioChunk, reason string, ok bool) {
	for {
		v.mu.Lock()
		if len(v.queue) > 0 {
			c = v.queue[0]
			v.queue[0] = audioChunk{}
			v.queue = v.queue[1:]
			if len(c.samples) > 0 {
				v.queued -= len(c.samples[0])
			}
			v.mu.Unlock()
			return c, "", true
		}
		if v.closed {
			reason = v.reason
			v.mu.Unlock()
			return audioChunk{}, reason, false
		}
		v.mu.Unlock()
		<-v.wake
	}
}

// maxIDTries bounds the suffixes tried for a call whose id was taken.
const maxIDTries = 50

// start starts the call: its worker runs in the background.
func (v *voiceCall) start(o *Options, info event.CallStarted) {
	info.Channel = event.ChannelVoice
	go v.run(o, info)
}

// run is the worker: it starts the call, feeds it and ends it.
func (v *voiceCall) run(o *Options, info event.CallStarted) {
	defer v.reg.done(v)
	defer close(v.done)
	defer v.slot.release()
	// The call outlives its connection until the queue is drained and the
	// last utterance flushed, so it does not use the request's context.
	ctx := context.Background()
	sink, err := v.startCall(ctx, o, info)
	if err != nil {
		v.fail(err)
		return
	}
	v.mu.Lock()
	v.sink = sink
	v.mu.Unlock()
	rec := v.slot.rec
	call, err := engine.NewAudioCall(sink, rec, telephonyRate, v.speakers...)
	if err != nil {
		sink.End("error")
		v.fail(fmt.Errorf("start recognition for call %s: %w", sink.ID(), err))
		return
	}
	v.log.Info("voice call started", "id", sink.ID(), "speakers", v.speakers, "recognizer", rec.Name(), "handed_over", v.slot.handedOver)
	var errs int
	written := 0 // samples per channel fed so far: the call's audio clock
	for {
		c, reason, ok := v.next()
		if !ok {
			if err := call.End(reason); err != nil {
				v.log.Warn("end call", "err", err)
			}
			v.log.Info("voice call ended", "id", sink.ID(), "reason", reason, "recognition_errors", errs)
			return
		}
		if err := v.write(ctx, call, c); err != nil {
			// The call goes on: one bad stretch of audio must not end it.
			errs++
			v.metrics.ModelError("asr")
			if errs == 1 {
				v.log.Warn("recognise audio (later errors of this call are only counted)", "err", err)
			}
		}
		written += c.silence
		if c.resumed != nil {
			r := *c.resumed
			r.At = float64(written) / telephonyRate
			if err := sink.Resumed(r); err != nil {
				v.log.Warn("mark the call resumed", "err", err)
			}
		}
		if len(c.samples) > 0 {
			written += len(c.samples[0])
		}
	}
}

// startCall starts the call under its client's id or, when that is taken
// (a call of that id has ended, or is live elsewhere), under the id with
// the next free suffix: a stream that comes back after its call has
// ended starts a new call rather than being refused.
func (v *voiceCall) startCall(ctx context.Context, o *Options, info event.CallStarted) (engine.CallSink, error) {
	for range maxIDTries {
		id := v.callID()
		sink, err := o.Calls.Start(ctx, id, info)
		if err == nil {
			return sink, nil
		}
		if !errors.Is(err, engine.ErrCallEnded) && !errors.Is(err, engine.ErrCallExists) {
			return nil, fmt.Errorf("start call %s: %w", id, err)
		}
		next := v.reg.nextSuffix(v)
		v.log.Info("call id taken: starting the call under a new one", "taken", id, "id", next, "err", err)
	}
	return nil, fmt.Errorf("start call %s: %d ids with its suffixes are taken", v.clientID, maxIDTries)
}

// write feeds one chunk's silence, a second at a time, then its audio.
func (v *voiceCall) write(ctx context.Context, call *engine.AudioCall, c audioChunk) error {
	var errs []error
	if c.silence > 0 {
		zeros := make([]int16, min(c.silence, silenceStep))
		chans := make([][]int16, len(v.speakers))
		for rest := c.silence; rest > 0; rest -= len(chans[0]) {
			for i := range chans {
				chans[i] = zeros[:min(rest, len(zeros))]
			}
			if err := call.Write(ctx, chans); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(c.samples) > 0 && len(c.samples[0]) > 0 {
		if err := call.Write(ctx, c.samples); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fail records that the call could not start and closes its stream.
func (v *voiceCall) fail(err error) {
	v.mu.Lock()
	v.failed = true
	v.queue, v.queued = nil, 0
	owner := v.owner
	v.mu.Unlock()
	v.end("error")
	v.log.Error("voice call could not start", "err", err)
	v.metrics.IngestError(v.endpoint, reasonStartFailed)
	if owner != nil {
		owner.failed(err)
	}
}

// openVoice starts a voice stream: it refuses one the service cannot
// recognise or that is beyond the connection limits (authenticated says
// whether the client has shown the key already), upgrades the connection
// and counts it. The stream's conn is done when the service shuts down,
// and its done is to be called when the stream is over; ok is false when
// there is no stream to serve.
func openVoice(w http.ResponseWriter, r *http.Request, o *Options, endpoint string, authenticated bool) (vc voiceConn, ok bool) {
	if o.Recognizer == nil {
		refuse(w, o, endpoint, http.StatusServiceUnavailable, reasonNoRecognizer,
			"voice calls are refused: this service has no speech recognizer configured")
		return voiceConn{}, false
	}
	tracked, refused := o.conns().admit(endpoint, r, authenticated)
	if refused != nil {
		refuseConn(w, o, endpoint, r, refused)
		return voiceConn{}, false
	}
	c, err := accept(w, r, o)
	if err != nil {
		tracked.release()
		o.log().Debug("voice upgrade failed", "endpoint", endpoint, "err", err)
		return voiceConn{}, false
	}
	disconnected := o.Metrics.Connected(endpoint)
	shutdown, streamDone := o.voiceStream()
	return voiceConn{c: c, shutdown: shutdown, tracked: tracked, done: func() {
		streamDone()
		disconnected()
		tracked.release()
	}}, true
}

// voiceConn is an upgraded voice connection.
type voiceConn struct {
	c        *websocket.Conn
	shutdown context.Context // done when the service shuts down
	tracked  *trackedConn
	done     func()
}
