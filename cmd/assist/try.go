package main

import (
	"context"
	"errors"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/spf13/cobra"
)

type tryOptions struct {
	io streams
	engineFlags
	viewFlags
	// view is the agent view's terminal: tests pass a pipe and a size.
	view agent.Options
}

func newTryCmd(io streams, runF func(context.Context, *tryOptions) error) *cobra.Command {
	opts := &tryOptions{io: io}
	cmd := &cobra.Command{
		Use:     "try",
		Short:   "Type a call's lines and see what the assistant makes of them",
		Long:    help("try"),
		Example: example("try"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTry(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.kb.register(f)
	opts.models.register(f)
	opts.registerGuidance(f)
	// The playground is the view: no --headless.
	f.StringVar(&opts.logFile, "log-file", "", logFileUsage)
	f.BoolVar(&opts.debug, "debug", false, "log debug detail")
	return cmd
}

// runTry starts the playground's call and opens the agent view on it, its
// composer the place where the lines are typed.
func runTry(ctx context.Context, opts *tryOptions) error {
	if opts.view.Output == nil {
		if f, ok := opts.io.out.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
			return errors.New("assist try needs a terminal: it is the agent view")
		}
	}
	cfg, closeLog, err := viewConfig(&opts.engineFlags, &opts.viewFlags, opts.io.err)
	if err != nil {
		return err
	}
	defer closeLog()
	p, err := app.StartPlayground(ctx, cfg, os.Getenv("USER"))
	if err != nil {
		return err
	}
	defer p.Close()
	view := opts.view
	view.ModelStatus = p.Stack.Status
	view.Controller = p.Controls()
	view.TypeLines = "a customer line, or " + app.AgentPrefix + " and an agent line"
	view.AgentPrefix = app.AgentPrefix
	return agent.Run(ctx, p.Events, view)
}
