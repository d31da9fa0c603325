package main

import (
	"context"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

func newKBIndexCmd(io streams, runF func(context.Context, *app.IndexOptions) error) *cobra.Command {
	opts := &app.IndexOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:   "index DIR",
		Short: "Build the knowledge base's search index and models",
		Long:  help("kb-index"),
		Args:  exactArgs(1, "a knowledge-base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.KB.Dir = args[0]
			if opts.KB.Data == "" {
				return usagef("--data is required (no home folder to default to)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return app.IndexArticles(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.KB.Data, "data", app.DefaultDataDir(), "data folder ($ASSIST_DATA)")
	cmd.Flags().StringVar(&opts.KB.Encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
	return cmd
}
