package ingest

import (
	"crypto/subtle"
	"log/slog"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
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
	TwilioInbound engine.Speaker
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

func (o *Options) twilioInbound() engine.Speaker {
	if o.TwilioInbound == "" {
		return engine.SpeakerCustomer
	}
	return o.TwilioInbound
}
