package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// asrFlags choose the speech recognizer: the embedded one, or a
// transcription server with the embedded one as its fallback.
type asrFlags struct {
	url    string
	model  string
	digits bool
}

func (f *asrFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.url, "asr-url", os.Getenv("ASSIST_ASR_URL"), "OpenAI-compatible transcription server, base URL with /v1 ($ASSIST_ASR_URL; key from $ASSIST_ASR_API_KEY); the embedded recognizer is the fallback")
	fs.StringVar(&f.model, "asr-model", os.Getenv("ASSIST_ASR_MODEL"), "transcription model name ($ASSIST_ASR_MODEL)")
}

// recognizer builds the recognizer the flags ask for. A recording decoded
// ahead of time (recorded true) gets the embedded recognizer's full
// search; live audio gets the search tuned to keep up and answer fast.
func (f *asrFlags) recognizer(log *slog.Logger, recorded bool) (audio.Recognizer, error) {
	cfg := sphinx.DefaultConfig()
	if recorded {
		cfg.Options = sphinx.FullSearch
	}
	embedded, err := sphinx.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("speech recognizer: %w", err)
	}
	if f.digits {
		// Number entry: a grammar of spoken digits, no server.
		return digitsRecognizer{embedded}, nil
	}
	if f.url == "" {
		return embedded, nil
	}
	if f.model == "" {
		return nil, usagef("--asr-url needs --asr-model")
	}
	key := os.Getenv("ASSIST_ASR_API_KEY")
	if key == "" {
		key = os.Getenv("ASSIST_LLM_API_KEY")
	}
	server, err := audio.NewServerRecognizer(f.url, f.model, key)
	if err != nil {
		return nil, err
	}
	return audio.NewFallback(server, embedded, func(err error) {
		log.Warn("transcription server failed; using the embedded recognizer", "err", err)
	}), nil
}

// digitsRecognizer recognises spoken digits only ("four one two oh"),
// for card and account numbers.
type digitsRecognizer struct{ *sphinx.Recognizer }

func (d digitsRecognizer) Name() string { return "pocketsphinx-digits" }

func (d digitsRecognizer) NewStream() (audio.Stream, error) { return d.NewDigitsStream() }

type transcribeOptions struct {
	io          streams
	file        string
	json        bool
	asr         asrFlags
	rawRate     int
	rawChannels int
}

func newTranscribeCmd(io streams, runF func(context.Context, *transcribeOptions) error) *cobra.Command {
	opts := &transcribeOptions{io: io}
	cmd := &cobra.Command{
		Use:   "transcribe FILE.wav | -",
		Short: "Print the timed utterances of a WAV file",
		Long: `Cut the WAV file's speech into utterances and recognise each, channel by
channel (a stereo call recording has one speaker per channel), and print one
line per utterance: start and end time, channel and text; --json prints one
JSON object per line instead. WAV files may be 16-bit PCM or G.711 μ-law or
A-law, mono or stereo, at 8, 16, 44.1 or 48 kHz. With - as the file, raw
16-bit little-endian PCM is read from stdin at --rate with --channels.`,
		Example: `  assist transcribe ../shared/data/speech_jfk/jfk.wav
  assist transcribe --json call.wav
  sox call.wav -t raw -e signed -b 16 -r 8000 - | assist transcribe --rate 8000 -`,
		Args: exactArgs(1, "a WAV file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTranscribe(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON lines: channel, start_ms, end_ms, text")
	cmd.Flags().IntVar(&opts.rawRate, "rate", 8000, "raw PCM on stdin (-): sample rate in Hz")
	cmd.Flags().IntVar(&opts.rawChannels, "channels", 1, "raw PCM on stdin (-): 1, or 2 interleaved")
	cmd.Flags().BoolVar(&opts.asr.digits, "digits", false, "number entry: recognise spoken digits only (zero, oh, one … nine)")
	opts.asr.register(cmd.Flags())
	return cmd
}

func runTranscribe(opts *transcribeOptions) error {
	var (
		clip *audio.Clip
		err  error
	)
	if opts.file == "-" {
		clip, err = audio.ReadRawPCM(opts.io.in, opts.rawRate, opts.rawChannels)
	} else {
		clip, err = audio.LoadWAV(opts.file)
	}
	if err != nil {
		return err
	}
	rec, err := opts.asr.recognizer(newLogger(opts.io.err, false), true)
	if err != nil {
		return err
	}
	channels, err := audio.Transcribe(rec, clip, audio.EndpointOptions{})
	if err != nil {
		return err
	}
	type line struct {
		Channel int    `json:"channel"`
		StartMS int64  `json:"start_ms"`
		EndMS   int64  `json:"end_ms"`
		Text    string `json:"text"`
	}
	enc := json.NewEncoder(opts.io.out)
	for _, l := range mergeByTime(channels) {
		h := l.Hypothesis
		if opts.json {
			if err := enc.Encode(line{l.channel, h.Start.Milliseconds(), h.End.Milliseconds(), h.Text}); err != nil {
				return err
			}
			continue
		}
		ch := ""
		if len(channels) > 1 {
			ch = fmt.Sprintf("ch%d  ", l.channel)
		}
		fmt.Fprintf(opts.io.out, "%s–%s  %s%s\n", clock(h.Start), clock(h.End), ch, h.Text)
	}
	return nil
}

type channelHypothesis struct {
	audio.Hypothesis
	channel int
}

// mergeByTime interleaves the channels' utterances in order of start time.
func mergeByTime(channels [][]audio.Hypothesis) []channelHypothesis {
	var out []channelHypothesis
	for ch, hs := range channels {
		for _, h := range hs {
			out = append(out, channelHypothesis{h, ch})
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// clock formats an audio offset as mm:ss.cc.
func clock(d time.Duration) string {
	cs := d.Milliseconds() / 10
	return fmt.Sprintf("%02d:%02d.%02d", cs/6000, cs/100%60, cs%100)
}
