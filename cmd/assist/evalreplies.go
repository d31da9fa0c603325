package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalRepliesCmd(io streams, runF func(context.Context, *evalsuite.RepliesOptions) error) *cobra.Command {
	opts := &evalsuite.RepliesOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "replies [--replies FILE --calls FILE]",
		Short:   "Measure the suggested replies against the articles annotated for each customer turn",
		Long:    help("eval-replies"),
		Example: "  assist eval replies\n  assist eval replies --encoder ''",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.Replies != "") != (opts.Calls != "") {
				return usagef("--replies and --calls go together")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.Replies(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Replies, "replies", "", "reply annotations (the layout of engine/samples/replies.json) of the calls in --calls")
	f.StringVar(&opts.Calls, "calls", "", "the annotated calls, a transcript file in any format replay reads")
	f.StringVar(&opts.Encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
	return cmd
}
