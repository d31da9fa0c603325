package app

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/audio"
)

// TranscribeOptions configure 'assist transcribe'.
type TranscribeOptions struct {
	// File is the WAV file transcribed, or "-" for raw PCM on In at
	// RawRate Hz with RawChannels channels (1, or 2 interleaved).
	File                 string
	RawRate, RawChannels int
	// JSON prints JSON lines (channel, start_ms, end_ms, text) instead of
	// transcript lines.
	JSON bool
	// ASR is the speech recognizer.
	ASR ASRConfig
	// In is read for "-"; Out receives the utterances, ErrOut the log.
	In          io.Reader
	Out, ErrOut io.Writer
}

// TranscribeFile recognises the recording and prints its utterances in
// order of start time.
func TranscribeFile(o *TranscribeOptions) error {
	var (
		clip *audio.Clip
		err  error
	)
	if o.File == "-" {
		clip, err = audio.ReadRawPCM(o.In, o.RawRate, o.RawChannels)
	} else {
		clip, err = audio.LoadWAV(o.File)
	}
	if err != nil {
		return err
	}
	rec, err := NewRecognizer(o.ASR, NewLogger(o.ErrOut, false))
	if err != nil {
		return err
	}
	utterances, err := Transcribe(rec, clip)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(o.Out)
	for _, u := range utterances {
		if o.JSON {
			if err := enc.Encode(u); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(o.Out, u.Line(len(clip.Channels)))
		}
	}
	return nil
}
