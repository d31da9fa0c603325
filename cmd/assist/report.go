package main

import (
	"context"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/cobra"
)

func newReportCmd(io streams, runF func(context.Context, *app.ReportOptions) error) *cobra.Command {
	opts := &app.ReportOptions{Out: io.out, ErrOut: io.err}
	store := (*storeFlags)(&opts.StoredCalls)
	cmd := &cobra.Command{
		Use:     "report",
		Short:   "Summarise the stored calls per queue: volume, handling time, sentiment, intents, acceptance",
		Long:    help("report"),
		Example: example("report"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := store.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return app.Report(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	store.register(f, "count", "report on this queue only")
	f.BoolVar(&opts.JSON, "json", false, "print a JSON list, one object per queue (per agent with --agents)")
	f.BoolVar(&opts.Agents, "agents", false, "report each agent's time available, on call, in wrap-up and away instead of the queues")
	return cmd
}
