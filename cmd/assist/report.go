package main

import (
	"context"
	"fmt"

	"github.com/larkspur-labs/assist/engine/export"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	io streams
	storeFlags
	json bool
}

func newReportCmd(io streams, runF func(context.Context, *reportOptions) error) *cobra.Command {
	opts := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:     "report",
		Short:   "Summarise the stored calls per queue: volume, handling time, sentiment, intents, acceptance",
		Long:    help("report"),
		Example: example("report"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.storeFlags.register(f, "count", "report on this queue only")
	f.BoolVar(&opts.json, "json", false, "print a JSON list, one object per queue")
	return cmd
}

func runReport(ctx context.Context, opts *reportOptions) error {
	calls, since, err := opts.read(ctx, "report")
	if err != nil {
		return err
	}
	queues := export.Report(calls)
	if opts.json {
		if len(queues) == 0 {
			fmt.Fprintln(opts.io.err, export.NoCallsLine(since, opts.queue))
		}
		if err := export.WriteReportJSON(opts.io.out, queues); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	if len(queues) == 0 {
		fmt.Fprintln(opts.io.out, export.NoCallsLine(since, opts.queue))
		return nil
	}
	if err := export.WriteReportText(opts.io.out, queues, since); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
