package app

import (
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/audio/sphinx/telephone"
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
	if cfg.Digits {
		// Number entry: a grammar of spoken digits, no server.
		if err := digitsConfig(&sc, cfg.DigitsAdapt); err != nil {
			return nil, fmt.Errorf("speech recognizer: %w", err)
		}
	} else {
		// The open model, mixed with a model of digit strings so that it
		// hears the numbers callers read out (see audio/sphinx/telephone).
		files, err := telephoneFiles()
		if err != nil {
			return nil, fmt.Errorf("speech recognizer: %w", err)
		}
		sc.DigitsLM = files.DigitsLM
	}
	embedded, err := sphinx.New(sc)
	if err != nil {
		return nil, fmt.Errorf("speech recognizer: %w", err)
	}
	if cfg.Digits {
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

// DigitsAdaptOff turns the digits grammar's acoustic adaptation off
// (ASRConfig.DigitsAdapt).
const DigitsAdaptOff = "off"

// digitsConfig gives the digits recognizer the shipped digits dictionary
// and its acoustic adaptation. The transform is applied to the digits
// grammar only: trained on FSDD's 8 kHz digits, it took the open language
// model's word error rate on the LibriVox and JFK clips from 0.462 to
// 0.495 at 8 kHz μ-law and from 0.312 to 0.495 at 16 kHz (with the
// endpointer before its prior floor), while the
// grammar, whose eleven words leave the model little room to stray,
// decodes the 16 kHz digit recordings of pocketsphinx-testdata as before.
func digitsConfig(sc *sphinx.Config, adapt string) error {
	files, err := telephoneFiles()
	if err != nil {
		return err
	}
	sc.Dict = files.DigitsDict
	switch adapt {
	case "":
		sc.MLLR = files.MLLR
	case DigitsAdaptOff:
	default:
		sc.MLLR = adapt
	}
	return nil
}

// DigitsModel is the digits recognizer's model without its adaptation:
// the acoustic model and the shipped digits dictionary, which `assist
// train asr-adapt` adapts.
func DigitsModel() (sphinx.Config, error) {
	sc := sphinx.DefaultConfig()
	err := digitsConfig(&sc, DigitsAdaptOff)
	return sc, err
}

// telephoneFiles installs the shipped telephone models into the data
// folder's cache, or the temporary folder when that cannot be written;
// files already there are only compared, so a recognizer's start costs a
// read of 6 kB.
func telephoneFiles() (telephone.Files, error) {
	if data := DefaultDataDir(); data != "" {
		if f, err := telephone.Install(filepath.Join(data, "cache", "sphinx")); err == nil {
			return f, nil
		}
	}
	return telephone.Install(filepath.Join(os.TempDir(), fmt.Sprintf("assist-sphinx-%d", os.Getuid())))
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
