package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

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
		Use:     "transcribe FILE.wav | -",
		Short:   "Print the timed utterances of a WAV file",
		Long:    help("transcribe"),
		Example: example("transcribe"),
		Args:    exactArgs(1, "a WAV file"),
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
	cmd.Flags().BoolVar(&opts.asr.Digits, "digits", false, "number entry: recognise spoken digits only (zero, oh, one … nine)")
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
	rec, err := app.NewRecognizer(opts.asr.config(true), app.NewLogger(opts.io.err, false))
	if err != nil {
		return err
	}
	utterances, err := app.Transcribe(rec, clip)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(opts.io.out)
	for _, u := range utterances {
		if opts.json {
			if err := enc.Encode(u); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(opts.io.out, u.Line(len(clip.Channels)))
		}
	}
	return nil
}
