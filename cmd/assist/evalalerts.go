package main

import (
	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func newEvalAlertsCmd(io streams, runF func(*evalsuite.AlertsOptions) error) *cobra.Command {
	opts := &evalsuite.AlertsOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "alerts --calls FILE [--calls FILE...] --expect FILE",
		Short:   "Replay calls through the alert rules and compare the alerts with the expected ones",
		Long:    help("eval-alerts"),
		Example: example("eval-alerts"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(opts.Calls) == 0 || opts.Expect == "" {
				return usagef("--calls and --expect are required")
			}
			if runF != nil {
				return runF(opts)
			}
			return evalsuite.Alerts(opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Calls, "calls", nil, "transcript file of calls to replay (any format replay reads; repeat for several)")
	f.StringVar(&opts.Expect, "expect", "", "JSON-lines file of the alerts each call should raise")
	f.StringVar(&opts.Models, "models", "", "folder with polarity.model and gauges.model (default: the embedded ones)")
	return cmd
}
