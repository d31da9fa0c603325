package main

import (
	"context"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

// newTrainCmd groups the commands that train the embedded models.
func newTrainCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the embedded models",
	}
	cmd.AddCommand(newTrainIntentsCmd(io, nil), newTrainEmotionCmd(io, nil))
	return cmd
}

type trainIntentsOptions struct {
	io   streams
	kb   string
	out  string
	seed uint64
}

func newTrainIntentsCmd(io streams, runF func(context.Context, *trainIntentsOptions) error) *cobra.Command {
	opts := &trainIntentsOptions{io: io}
	cmd := &cobra.Command{
		Use:   "intents --out FILE [--kb DIR]",
		Short: "Train the intent model of a knowledge base into a file",
		Long:  help("train-intents"),
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.out == "" {
				return usagef("--out is required")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTrainIntents(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.kb, "kb", "", "knowledge-base folder (default: the bundled sample)")
	cmd.Flags().StringVar(&opts.out, "out", "", "model file to write")
	cmd.Flags().Uint64Var(&opts.seed, "seed", 0, "random seed of the example order")
	return cmd
}

func runTrainIntents(_ context.Context, opts *trainIntentsOptions) error {
	start := time.Now()
	m, err := app.TrainIntents(opts.kb, opts.seed)
	if err != nil {
		return err
	}
	if err := m.Save(opts.out); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.out, "%s: %d intents, temperature %.2f, trained in %.2fs\n",
		opts.out, len(m.Labels()), m.Temperature(), time.Since(start).Seconds())
	return nil
}
