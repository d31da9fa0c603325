package app

import (
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
)

// NewRecognizer builds the configured speech recognizer: the embedded one
// (digits only when asked), or a transcription server with the embedded
// one as its fallback.
func NewRecognizer(cfg ASRConfig, log *slog.Logger) (audio.Recognizer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sc := sphinx.DefaultConfig()
	if cfg.Recorded {
		sc.Options = sphinx.FullSearch
	}
	embedded, err := sphinx.New(sc)
	if err != nil {
		return nil, fmt.Errorf("speech recognizer: %w", err)
	}
	if cfg.Digits {
		// Number entry: a grammar of spoken digits, no server.
		return sphinx.Digits{Recognizer: embedded}, nil
	}
	if cfg.URL == "" {
		return embedded, nil
	}
	if cfg.Model == "" {
		return nil, configErrorf("--asr-url needs --asr-model")
	}
	server, err := audio.NewServerRecognizer(cfg.URL, cfg.Model, cfg.Key)
	if err != nil {
		return nil, err
	}
	return audio.NewFallback(server, embedded, func(err error) {
		log.Warn("transcription server failed; using the embedded recognizer", "err", err)
	}), nil
}

// NewOverflowRecognizer builds the recognizer of the voice calls beyond
// the service's capacity (--max-voice-calls): the transcription server
// alone, whose cost is not this machine's; nil when none is configured,
// or with --digits, which only the embedded grammar recognises.
func NewOverflowRecognizer(cfg ASRConfig) (audio.Recognizer, error) {
	if cfg.URL == "" || cfg.Digits {
		return nil, nil
	}
	if cfg.Model == "" {
		return nil, configErrorf("--asr-url needs --asr-model")
	}
	return audio.NewServerRecognizer(cfg.URL, cfg.Model, cfg.Key)
}

// Utterance is one recognised utterance of a recording and the channel it
// was heard on.
type Utterance struct {
	audio.Hypothesis
	Channel int
}

// MarshalJSON encodes the utterance as one line of a transcript in JSON:
// channel, start_ms, end_ms and text.
func (u Utterance) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Channel int    `json:"channel"`
		StartMS int64  `json:"start_ms"`
		EndMS   int64  `json:"end_ms"`
		Text    string `json:"text"`
	}{u.Channel, u.Start.Milliseconds(), u.End.Milliseconds(), u.Text})
}

// Line formats the utterance as a line of a transcript: start and end as
// mm:ss.cc, the channel when the recording has several, and the text.
func (u Utterance) Line(channels int) string {
	ch := ""
	if channels > 1 {
		ch = fmt.Sprintf("ch%d  ", u.Channel)
	}
	return fmt.Sprintf("%s–%s  %s%s", clock(u.Start), clock(u.End), ch, u.Text)
}

// clock formats an audio offset as mm:ss.cc.
func clock(d time.Duration) string {
	cs := d.Milliseconds() / 10
	return fmt.Sprintf("%02d:%02d.%02d", cs/6000, cs/100%60, cs%100)
}

// Transcribe cuts each channel of clip into utterances, recognises them,
// and returns the utterances of every channel in order of start time.
func Transcribe(rec audio.Recognizer, clip *audio.Clip) ([]Utterance, error) {
	channels, err := audio.Transcribe(rec, clip, audio.EndpointOptions{})
	if err != nil {
		return nil, err
	}
	var out []Utterance
	for ch, hs := range channels {
		for _, h := range hs {
			out = append(out, Utterance{h, ch})
		}
	}
	slices.SortStableFunc(out, func(a, b Utterance) int { return cmp.Compare(a.Start, b.Start) })
	return out, nil
}
