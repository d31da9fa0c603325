package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

// newTrainCmd groups the commands that train the embedded models.
func newTrainCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the embedded models",
	}
	cmd.AddCommand(newTrainIntentsCmd(io, nil), newTrainEmotionCmd(io, nil), newTrainASRAdaptCmd(io, nil))
	return cmd
}

func newTrainIntentsCmd(io streams, runF func(*app.TrainIntentsOptions) error) *cobra.Command {
	opts := &app.TrainIntentsOptions{Out: io.out}
	cmd := &cobra.Command{
		Use:   "intents --out FILE [--kb DIR]",
		Short: "Train the intent model of a knowledge base into a file",
		Long:  help("train-intents"),
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output == "" {
				return usagef("--out is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return app.WriteIntentModel(opts)
		},
	}
	cmd.Flags().StringVar(&opts.KB, "kb", "", "knowledge-base folder (default: the bundled sample)")
	cmd.Flags().StringVar(&opts.Output, "out", "", "model file to write")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 0, "random seed of the example order")
	return cmd
}
