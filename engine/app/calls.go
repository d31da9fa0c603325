package app

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/samples"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// LoadCalls reads every transcript file, or the bundled sample calls when
// there are none. A file that cannot be read is an error; a bad line only
// a warning.
func LoadCalls(files []string, f transcript.Format) ([]transcript.Call, []transcript.Warning, error) {
	var (
		calls []transcript.Call
		warns []transcript.Warning
	)
	if len(files) == 0 {
		names, err := fs.Glob(samples.FS, "*.jsonl")
		if err != nil {
			return nil, nil, err
		}
		for _, name := range names {
			cs, ws, err := transcript.LoadFS(samples.FS, name, f)
			if err != nil {
				return nil, nil, fmt.Errorf("bundled sample: %w", err)
			}
			calls, warns = append(calls, cs...), append(warns, ws...)
		}
	}
	for _, path := range files {
		cs, ws, err := transcript.LoadFile(path, f)
		warns = append(warns, ws...)
		if err != nil {
			return nil, warns, err
		}
		calls = append(calls, cs...)
	}
	transcript.UniqueIDs(calls)
	return calls, warns, nil
}

// LoadChatScripts reads the scripts of simulated chat calls: the
// transcript files given, or without any the bundled chat calls (the
// chat folder of the samples, then the samples on the chat channel),
// never a phone call's script, whose greeting and pace are a call's.
func LoadChatScripts(files []string, f transcript.Format) ([]transcript.Call, []transcript.Warning, error) {
	if len(files) > 0 {
		return LoadCalls(files, f)
	}
	names, err := fs.Glob(samples.ChatFS, "chat/*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	var calls []transcript.Call
	for _, name := range names {
		cs, _, err := transcript.LoadFS(samples.ChatFS, name, f)
		if err != nil {
			return nil, nil, fmt.Errorf("bundled chat script: %w", err)
		}
		calls = append(calls, cs...)
	}
	bundled, warns, err := LoadCalls(nil, f)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range bundled {
		if c.Channel == "chat" {
			calls = append(calls, c)
		}
	}
	transcript.UniqueIDs(calls)
	return calls, warns, nil
}

// Replay is what a replay plays: transcript files and call recordings.
type Replay struct {
	// Files are transcript files and .wav call recordings; the bundled
	// sample calls when empty.
	Files  []string
	Format transcript.Format
	// CustomerChannel is the channel of a stereo recording the customer
	// speaks on; the other is the agent's.
	CustomerChannel int
}

// LoadReplay reads the transcripts and recognises the recordings of r with
// the configured recognizer. Without transcript files but with recordings,
// the bundled samples are left out.
func LoadReplay(r Replay, cfg Config) ([]transcript.Call, []transcript.Warning, error) {
	var transcripts, wavs []string
	for _, f := range r.Files {
		if strings.EqualFold(filepath.Ext(f), ".wav") {
			wavs = append(wavs, f)
		} else {
			transcripts = append(transcripts, f)
		}
	}
	calls, warnings, err := LoadCalls(transcripts, r.Format)
	if err != nil || len(wavs) == 0 {
		return calls, warnings, err
	}
	asr := cfg.ASR
	asr.Recorded = true
	rec, err := NewRecognizer(asr, cfg.logger())
	if err != nil {
		return nil, warnings, err
	}
	recorded, err := recognizeCalls(wavs, rec, r.CustomerChannel, cfg.logger())
	if err != nil {
		return nil, warnings, err
	}
	if len(transcripts) == 0 {
		calls = nil
	}
	calls = append(calls, recorded...)
	transcript.UniqueIDs(calls)
	return calls, warnings, nil
}

// recognizeCalls turns call recordings into calls: each channel's
// utterances, recognised, with their audio offsets.
func recognizeCalls(paths []string, rec audio.Recognizer, customerChannel int, log *slog.Logger) ([]transcript.Call, error) {
	var calls []transcript.Call
	for _, path := range paths {
		clip, err := audio.LoadWAV(path)
		if err != nil {
			return nil, err
		}
		utterances, err := Transcribe(rec, clip)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		call := transcript.Call{ID: name, Title: "recording " + name, Channel: "voice"}
		for _, h := range utterances {
			speaker := "customer"
			if h.Channel != customerChannel {
				speaker = "agent"
			}
			call.Utterances = append(call.Utterances, transcript.Utterance{
				Offset: h.Start.Seconds(), Duration: (h.End - h.Start).Seconds(), Speaker: speaker, Text: h.Text,
			})
		}
		log.Info("recognised call recording", "file", path, "utterances", len(call.Utterances), "audio_s", clip.Duration().Seconds())
		calls = append(calls, call)
	}
	return calls, nil
}
