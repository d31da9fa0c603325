package main

import (
	"context"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/tui/supervisor"
	"github.com/spf13/cobra"
)

type superviseOptions struct {
	io    streams
	term  terminalFlags
	name  string
	queue string
}

func newSuperviseCmd(io streams) *cobra.Command {
	opts := &superviseOptions{io: io}
	cmd := &cobra.Command{
		Use:     "supervise",
		Short:   "The supervisor view of every live call of a running service",
		Long:    help("supervise"),
		Example: example("supervise"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.name == "" {
				return usagef("--name is required")
			}
			return runSupervise(cmd.Context(), opts)
		},
	}
	name := os.Getenv("USER")
	if name == "" {
		name = "supervisor"
	}
	cmd.Flags().StringVar(&opts.name, "name", name, "your supervisor name (your credentials are issued for it)")
	cmd.Flags().StringVar(&opts.queue, "queue", "", "watch this queue only")
	opts.term.register(cmd)
	return cmd
}

func runSupervise(ctx context.Context, o *superviseOptions) error {
	t, done, err := o.term.dial(o.io, service.RoleSupervisor, o.name)
	if err != nil {
		return err
	}
	defer done()
	return untilRefused(ctx, t, func(ctx context.Context) error {
		// The view learns of a lost connection at once; once it is back,
		// the directory is read again for the rows that changed meanwhile.
		var msgs <-chan tea.Msg
		if !o.term.headless {
			msgs = supervisor.Watch(ctx, t, o.queue)
		}
		rows, events, err := app.FollowCalls(ctx, t, o.queue)
		if err != nil {
			return err
		}
		if o.term.headless {
			return event.WriteStream(ctx, o.io.out, events)
		}
		return supervisor.Run(ctx, events, supervisor.Options{
			Queue:       o.queue,
			Rows:        rows,
			Messages:    msgs,
			History:     func(ctx context.Context, callID string) ([]event.Event, error) { return t.History(ctx, callID, 0) },
			Controller:  t.Controls(),
			Coach:       t.Coach,
			ModelStatus: "supervisor " + o.name + " · service",
		})
	})
}
