package main

import (
	"github.com/spf13/cobra"
)

// newEvalCmd groups the commands that measure the models on labelled data.
func newEvalCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure the models on labelled data sets",
	}
	cmd.AddCommand(newEvalIntentCmd(io, nil), newEvalSentimentCmd(io, nil), newEvalASRCmd(io, nil), newEvalASRAdaptCmd(io, nil))
	cmd.AddCommand(newEvalFlowsCmd(io, nil), newEvalRepliesCmd(io, nil), newEvalVoiceLoadCmd(io, nil), newEvalAllCmd(io, nil), newEvalAlertsCmd(io, nil))
	return cmd
}
