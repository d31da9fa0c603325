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
type voiceCall struct {
	id        string
	endpoint  string
	log       *slog.Logger
	metrics   *engine.Metrics
	channels  int
	maxQueued int // samples per channel
	slot      *voiceSlot
	onFail    func(error)

	mu          sync.Mutex
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

// audioChunk is the next stretch of a call's audio: silence samples of
// silence on every channel, then samples (one slice per channel, of equal
// length).
type audioChunk struct {
	silence int
	samples [][]int16
}

// silenceStep is how much silence the worker writes at a time, so a long
// gap never needs a long buffer.
const silenceStep = telephonyRate

// startVoiceCall starts the call id in the background with one channel per
// speaker at telephonyRate, recognised by the recognizer of its admission
// slot, which it releases when it is done. onFail is called, from the
// worker goroutine, if the call cannot start; the audio pushed is then
// dropped.
func startVoiceCall(o *Options, endpoint, id string, info event.CallStarted, speakers []event.Speaker, slot *voiceSlot, queued time.Duration, onFail func(error)) *voiceCall {
	v := &voiceCall{
		id: id, endpoint: endpoint, metrics: o.Metrics, channels: len(speakers),
		log:       o.log().With("endpoint", endpoint, "call_id", id),
		maxQueued: max(int(queued.Seconds()*telephonyRate), telephonyRate/50),
		slot:      slot,
		onFail:    onFail,
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	info.Channel = event.ChannelVoice
	go v.run(o, info, speakers)
	return v
}

// push queues the next chunk of audio, or drops it when recognition is
// VoiceQueuedAudio behind. It never blocks on recognition.
func (v *voiceCall) push(silence int, samples [][]int16) {
	n := 0
	if len(samples) > 0 {
		n = len(samples[0])
	}
	if silence == 0 && n == 0 {
		return
	}
	v.mu.Lock()
	if v.closed || v.failed {
		v.mu.Unlock()
		return
	}
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

// end closes the queue: the worker writes what is queued, flushes the
// utterances still open and ends the call with reason. The first reason
// given is kept.
func (v *voiceCall) end(reason string) {
	v.mu.Lock()
	if !v.closed {
		v.closed, v.reason = true, reason
	}
	v.mu.Unlock()
	v.signal()
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

// run is the worker: it starts the call, feeds it and ends it.
func (v *voiceCall) run(o *Options, info event.CallStarted, speakers []event.Speaker) {
	defer close(v.done)
	defer v.slot.release()
	// The call outlives its connection until the queue is drained and the
	// last utterance flushed, so it does not use the request's context.
	ctx := context.Background()
	sink, err := o.Calls.Start(ctx, v.id, info)
	if err != nil {
		v.fail(fmt.Errorf("start call %s: %w", v.id, err))
		return
	}
	rec := v.slot.rec
	call, err := engine.NewAudioCall(sink, rec, telephonyRate, speakers...)
	if err != nil {
		sink.End("error")
		v.fail(fmt.Errorf("start recognition for call %s: %w", v.id, err))
		return
	}
	v.log.Info("voice call started", "speakers", speakers, "recognizer", rec.Name(), "handed_over", v.slot.handedOver)
	var errs int
	for {
		c, reason, ok := v.next()
		if !ok {
			if err := call.End(reason); err != nil {
				v.log.Warn("end call", "err", err)
			}
			v.log.Info("voice call ended", "reason", reason, "recognition_errors", errs)
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
	}
}

// write feeds one chunk: its silence a second at a time, then its audio.
func (v *voiceCall) write(ctx context.Context, call *engine.AudioCall, c audioChunk) error {
	var errs []error
	if c.silence > 0 {
		zeros := make([]int16, min(c.silence, silenceStep))
		chans := make([][]int16, v.channels)
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

// fail records that the call could not start and tells the handler.
func (v *voiceCall) fail(err error) {
	v.mu.Lock()
	v.failed = true
	v.queue, v.queued = nil, 0
	v.mu.Unlock()
	v.log.Error("voice call could not start", "err", err)
	v.metrics.IngestError(v.endpoint, reasonStartFailed)
	if v.onFail != nil {
		v.onFail(err)
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
