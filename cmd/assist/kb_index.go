package main

import (
	"context"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

type kbIndexOptions struct {
	io streams
	kb kbFlags
}

func newKBIndexCmd(io streams, runF func(context.Context, *kbIndexOptions) error) *cobra.Command {
	opts := &kbIndexOptions{io: io}
	cmd := &cobra.Command{
		Use:   "index DIR",
		Short: "Build the knowledge base's search index and models",
		Long:  help("kb-index"),
		Args:  exactArgs(1, "a knowledge-base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.kb.Dir = args[0]
			if opts.kb.Data == "" {
				return usagef("--data is required (no home folder to default to)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKBIndex(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.kb.Data, "data", app.DefaultDataDir(), "data folder ($ASSIST_DATA)")
	cmd.Flags().StringVar(&opts.kb.Encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
	return cmd
}

func runKBIndex(ctx context.Context, opts *kbIndexOptions) error {
	start := time.Now()
	k, err := app.OpenKnowledge(ctx, app.Config{KB: opts.kb.config(), Logger: app.NewLogger(opts.io.err, false), Notices: opts.io.err})
	if err != nil {
		return err
	}
	defer k.Close()
	state := "up to date"
	if k.Base.Built {
		state = "built"
	}
	fmt.Fprintf(opts.io.out, "%s: %s in %.1fs (fingerprint %s, cache %s)\n",
		opts.kb.Dir, k.Status(), time.Since(start).Seconds(), k.Base.Fingerprint, state)
	return nil
}
