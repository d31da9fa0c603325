package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

func newTranscribeCmd(io streams, runF func(*app.TranscribeOptions) error) *cobra.Command {
	opts := &app.TranscribeOptions{In: io.in, Out: io.out, ErrOut: io.err}
	asr := (*asrFlags)(&opts.ASR)
	cmd := &cobra.Command{
		Use:     "transcribe FILE.wav | -",
		Short:   "Print the timed utterances of a WAV file",
		Long:    help("transcribe"),
		Example: example("transcribe"),
		Args:    exactArgs(1, "a WAV file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			opts.ASR = asr.config(true)
			if runF != nil {
				return runF(opts)
			}
			return app.TranscribeFile(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON lines: channel, start_ms, end_ms, text")
	cmd.Flags().IntVar(&opts.RawRate, "rate", 8000, "raw PCM on stdin (-): sample rate in Hz")
	cmd.Flags().IntVar(&opts.RawChannels, "channels", 1, "raw PCM on stdin (-): 1, or 2 interleaved")
	cmd.Flags().BoolVar(&opts.ASR.Digits, "digits", false, "number entry: recognise spoken digits only (zero, oh, one … nine)")
	asr.register(cmd.Flags())
	return cmd
}
