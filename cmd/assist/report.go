package main

import (
	"context"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	io      streams
	service serviceFlags
	since   time.Duration
	queue   string
	json    bool
	// now is the clock the --since window is measured from; time.Now
	// when nil.
	now func() time.Time
}

func newReportCmd(io streams, runF func(context.Context, *reportOptions) error) *cobra.Command {
	opts := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Summarise the stored calls per queue: volume, handling time, sentiment, intents, acceptance",
		Long:  help("report"),
		Example: `  assist report
  assist report --since 168h --queue billing
  assist report --since 0 --json | jq '.[] | {queue, acceptance_rate}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.since < 0 {
				return usagef("--since must be a duration such as 24h, or 0 for every stored call, got %s", opts.since)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReport(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.service.register(f)
	f.DurationVar(&opts.since, "since", defaultSince, "count calls that started within this long ago, such as 24h or 90m; 0 for every stored call")
	f.StringVar(&opts.queue, "queue", "", "report on this queue only")
	f.BoolVar(&opts.json, "json", false, "print a JSON list, one object per queue")
	return cmd
}

func runReport(ctx context.Context, opts *reportOptions) error {
	since := export.Since(opts.now, opts.since)
	calls, err := app.ReadCalls(ctx, opts.service.address(), "report", since, opts.queue)
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
