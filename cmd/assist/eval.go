package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// newEvalCmd groups the commands that measure the models on labelled data.
func newEvalCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure the models on labelled data sets",
	}
	cmd.AddCommand(newEvalIntentCmd(io, nil), newEvalSentimentCmd(io, nil), newEvalASRCmd(io, nil))
	cmd.AddCommand(newEvalFlowsCmd(io, nil), newEvalAllCmd(io, nil))
	return cmd
}

// printJSONLine writes v as one line of JSON, the last line of every eval
// command.
func printJSONLine(w io.Writer, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(line))
	return err
}
