package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/event"
)

// AudioCall is a call whose speech arrives as audio: each channel (the
// customer's, and the agent's when the source has two) is recognised on
// its own, and its partial and final hypotheses flow into the call's sink
// (a Session, or a call handled by a worker elsewhere) like chat text,
// with their audio offsets.
type AudioCall struct {
	sink     CallSink
	channels []*audioChannel
}

// audioChannel is one speaker's audio and what recognises it.
type audioChannel struct {
	speaker event.Speaker
	decoder *audio.ChannelDecoder
	n       int // utterances finished, for ids
}

// StartAudioCall starts a call whose channels, sampled at rate, are spoken
// by speakers in order (one or two).
func (e *Engine) StartAudioCall(id string, info event.CallStarted, rec audio.Recognizer, rate int, speakers ...event.Speaker) (*AudioCall, error) {
	if len(speakers) == 0 || len(speakers) > 2 {
		return nil, fmt.Errorf("audio call %s: want 1 or 2 speakers, got %d", id, len(speakers))
	}
	if info.Channel == "" {
		info.Channel = event.ChannelVoice
	}
	s, err := e.StartCall(id, info)
	if err != nil {
		return nil, err
	}
	c, err := NewAudioCall(s, rec, rate, speakers...)
	if err != nil {
		s.End("error")
		return nil, err
	}
	return c, nil
}

// NewAudioCall recognises audio into an open call: one channel per
// speaker, sampled at rate. Ending the AudioCall ends the call.
func NewAudioCall(sink CallSink, rec audio.Recognizer, rate int, speakers ...event.Speaker) (*AudioCall, error) {
	if len(speakers) == 0 || len(speakers) > 2 {
		return nil, fmt.Errorf("audio call %s: want 1 or 2 speakers, got %d", sink.ID(), len(speakers))
	}
	c := &AudioCall{sink: sink}
	for _, sp := range speakers {
		d, err := audio.NewChannelDecoder(rec, rate, audio.EndpointOptions{})
		if err != nil {
			// The channels started hold decoders: give them back now.
			for _, ch := range c.channels {
				ch.decoder.Close(func(audio.Hypothesis) {})
			}
			return nil, err
		}
		c.channels = append(c.channels, &audioChannel{speaker: sp, decoder: d})
	}
	return c, nil
}

// Write feeds the next samples of every channel (channels[i] for the i-th
// speaker). It returns the first error; the call goes on.
func (c *AudioCall) Write(ctx context.Context, channels [][]int16) error {
	if len(channels) != len(c.channels) {
		return fmt.Errorf("audio call %s: %d channels, want %d", c.sink.ID(), len(channels), len(c.channels))
	}
	var errs []error
	for i, ch := range c.channels {
		if err := ch.decoder.Write(channels[i], c.emit(ctx, ch, &errs)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// End flushes every channel (an utterance cut by the hang-up is final
// now) and ends the call.
func (c *AudioCall) End(reason string) error {
	var errs []error
	for _, ch := range c.channels {
		if err := ch.decoder.Close(c.emit(context.Background(), ch, &errs)); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.sink.End(reason))
	return errors.Join(errs...)
}

// emit passes one channel's hypotheses on to the call.
func (c *AudioCall) emit(ctx context.Context, ch *audioChannel, errs *[]error) func(audio.Hypothesis) {
	return func(h audio.Hypothesis) {
		u := event.Utterance{
			UtteranceID: fmt.Sprintf("%s-%d", ch.speaker, ch.n+1),
			Speaker:     ch.speaker, Text: h.Text, Source: event.SourceASR,
			Start: h.Start.Seconds(), End: h.End.Seconds(),
		}
		var err error
		switch {
		case !h.Final:
			err = c.sink.Partial(u)
		case h.Text != "":
			err = c.sink.Final(ctx, u)
		}
		if h.Final {
			// A final with no text (noise) publishes nothing; the next
			// utterance gets a new id either way.
			ch.n++
		}
		if err != nil {
			*errs = append(*errs, err)
		}
	}
}
