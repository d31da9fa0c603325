package ingest

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// Options configure the ingest endpoints.
type Options struct {
	// Calls runs the calls taken in. Required.
	Calls Calls
	// Recognizer turns voice calls' audio into text; without one, voice
	// endpoints refuse calls with a clear error.
	Recognizer audio.Recognizer
	// MaxVoiceCalls bounds the voice calls Recognizer recognises at once
	// (each holds a slot until it ends); zero or less means no bound.
	// A call that finds every slot taken goes to Overflow, or is refused
	// in its protocol's way without one: Twilio's stream is closed with
	// status 1013 (try again later), AudioHook's open is answered with
	// disconnect (reason "error").
	MaxVoiceCalls int
	// Overflow recognises the voice calls beyond MaxVoiceCalls: a speech
	// server, whose cost is not this process's. Nil refuses them.
	Overflow audio.Recognizer
	// OnVoiceChange, when set, is told each time the voice admission
	// changes (see Handler.VoiceStatus), from the goroutine that changed
	// it: it must return at once.
	OnVoiceChange func()
	// ReconnectGrace is how long a voice call whose stream's connection
	// was lost waits for a stream to come back for it (Twilio: the same
	// callSid or call_id; AudioHook: the same conversation) and continue
	// it; it then ends as "disconnected". Zero ends it at once.
	ReconnectGrace time.Duration
	// APIKey is required of every ingest client. Required.
	APIKey string
	// TwilioInbound is who speaks on a Twilio stream's inbound track (the
	// caller's audio): the customer unless set; the outbound track is the
	// other party.
	TwilioInbound event.Speaker
	// ConnLimits bound the open WebSocket connections, in all and per
	// client address, and those not authenticated yet; the zero value
	// bounds nothing ('assist serve' uses DefaultConnLimits).
	ConnLimits ConnLimits
	// MaxMessageBytes bounds one WebSocket message or HTTP body; 1 MiB
	// when zero.
	MaxMessageBytes int64
	// Ready reports whether the service can take calls, for /readyz; nil
	// means always ready.
	Ready func() error
	// Metrics may be nil.
	Metrics *engine.Metrics
	// Logger may be nil (discard).
	Logger *slog.Logger

	// voice, set by NewHandler, lets Handler.Close end the voice streams.
	voice *voiceStreams
	// gate, set by NewHandler (or the first voice handler built on these
	// options), admits voice calls.
	gate *voiceGate
	// tracker, set by NewHandler (or the first handler built on these
	// options), counts the open connections against ConnLimits.
	tracker *connTracker
	// registry, set by NewHandler (or the first voice handler built on
	// these options), holds the live voice calls for their streams to come
	// back to.
	registry *voiceRegistry
}

// voiceStreams tracks the open voice streams so that a shutting-down
// service ends their calls ("shutdown") instead of leaving them live:
// http.Server.Shutdown neither closes nor waits for WebSockets.
type voiceStreams struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// voiceStream registers a voice stream; it returns the context that ends
// when the service shuts down, and the function to call when the stream is
// done.
func (o *Options) voiceStream() (context.Context, func()) {
	if o.voice == nil {
		return context.Background(), func() {}
	}
	o.voice.wg.Add(1)
	return o.voice.ctx, o.voice.wg.Done
}

// keyOK reports whether key is the API key, in constant time.
func (o *Options) keyOK(key string) bool {
	return o.APIKey != "" && subtle.ConstantTimeCompare([]byte(key), []byte(o.APIKey)) == 1
}

func (o *Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o *Options) maxMessage() int64 {
	if o.MaxMessageBytes <= 0 {
		return 1 << 20
	}
	return o.MaxMessageBytes
}

func (o *Options) twilioInbound() event.Speaker {
	if o.TwilioInbound == "" {
		return event.SpeakerCustomer
	}
	return o.TwilioInbound
}

// voiceGate returns the options' voice admission, built on first use:
// NewHandler and the voice handlers' constructors call it before serving,
// so every endpoint on the same options shares one.
func (o *Options) voiceGate() *voiceGate {
	if o.gate == nil {
		o.gate = newVoiceGate(o)
	}
	return o.gate
}
