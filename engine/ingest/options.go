package ingest

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"sync"

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
	// APIKey is required of every ingest client. Required.
	APIKey string
	// TwilioInbound is who speaks on a Twilio stream's inbound track (the
	// caller's audio): the customer unless set; the outbound track is the
	// other party.
	TwilioInbound event.Speaker
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
