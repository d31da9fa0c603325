package main

import (
	"context"
	"os"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/supervisor"
	"github.com/spf13/cobra"
)

// The service's terminal gives the views everything they can use: the
// agent view replies to chats and publishes the agent's state through its
// controls, and the supervisor reads the agents' states.
var (
	_ agent.Replier           = service.Controls{}
	_ agent.StatePublisher    = service.Controls{}
	_ agent.WrapupSender      = service.Controls{}
	_ supervisor.AgentWatcher = (*service.Terminal)(nil)
)

// terminalFlags are the flags every terminal of the service shares.
type terminalFlags struct {
	service serviceFlags
	viewFlags
}

func (f *terminalFlags) register(cmd *cobra.Command) {
	f.service.register(cmd.Flags())
	f.viewFlags.register(cmd.Flags(), "print the events as NDJSON on stdout instead of drawing the view",
		"write logs to this file (default: stderr when headless, else nowhere)")
}

// dial opens the terminal's log and connects to the service as role/name;
// done closes both.
func (f *terminalFlags) dial(s streams, role service.Role, name string) (t *service.Terminal, done func(), err error) {
	log, closeLog, err := f.logger(s.err)
	if err != nil {
		return nil, nil, err
	}
	t, err = app.DialTerminal(app.ServiceAddress(f.service), role, name, log)
	if err != nil {
		closeLog()
		return nil, nil, err
	}
	return t, func() { t.Close(); closeLog() }, nil
}

type agentOptions struct {
	io     streams
	term   terminalFlags
	agent  string
	wrapup time.Duration
}

// defaultWrapupTimer is how long the wrap-up form waits for the agent.
const defaultWrapupTimer = 60 * time.Second

func newAgentCmd(io streams) *cobra.Command {
	opts := &agentOptions{io: io}
	cmd := &cobra.Command{
		Use:     "agent --agent ID",
		Short:   "The agent view attached to a running service",
		Long:    help("agent"),
		Example: example("agent"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.agent == "" {
				return usagef("--agent is required")
			}
			if opts.wrapup < 0 {
				return usagef("--wrapup-timer must be 0 (no limit) or more, not %s", opts.wrapup)
			}
			return runAgent(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.agent, "agent", os.Getenv("ASSIST_AGENT"), "your agent id ($ASSIST_AGENT)")
	cmd.Flags().DurationVar(&opts.wrapup, "wrapup-timer", defaultWrapupTimer, "time for the wrap-up form after a call; then it is sent as it stands (0: no limit)")
	opts.term.register(cmd)
	return cmd
}

func runAgent(ctx context.Context, o *agentOptions) error {
	t, done, err := o.term.dial(o.io, service.RoleAgent, o.agent)
	if err != nil {
		return err
	}
	defer done()
	return untilRefused(ctx, t, func(ctx context.Context) error {
		events, err := app.FollowAgent(ctx, t, o.agent)
		if err != nil {
			return err
		}
		if o.term.headless {
			return event.WriteStream(ctx, o.io.out, events)
		}
		return agent.Run(ctx, events, agent.Options{
			ModelStatus: "agent " + o.agent + " · service",
			Controller:  t.Controls(),
			Messages:    common.WatchConnection(ctx, t, nil),
			WrapupTimer: o.wrapup,
		})
	})
}

// untilRefused runs a terminal's view until it returns or the service
// refuses the terminal (its credentials are another user's, or were
// withdrawn), and then returns why, which wraps service.ErrPermission
// (exit code 3), instead of leaving the view hanging.
func untilRefused(ctx context.Context, t *service.Terminal, view func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-t.Failed():
			cancel()
		case <-ctx.Done():
		}
	}()
	err := view(ctx)
	if ferr := t.Err(); ferr != nil {
		return ferr
	}
	return err
}
