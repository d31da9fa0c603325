package main

import (
	"context"
	"errors"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/larkspur-labs/assist/audio/mic"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/spf13/cobra"
)

type listenOptions struct {
	io streams
	app.Live
	list bool
	engineFlags
	viewFlags
}

func newListenCmd(io streams, runF func(context.Context, *listenOptions) error) *cobra.Command {
	opts := &listenOptions{io: io}
	cmd := &cobra.Command{
		Use:     "listen [--device N]",
		Short:   "Listen to a microphone or line-in and assist live in the agent view",
		Long:    help("listen"),
		Example: example("listen"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Channels != 1 && opts.Channels != 2 {
				return usagef("--channels must be 1 or 2")
			}
			if opts.CustomerChannel < 0 || opts.CustomerChannel >= opts.Channels {
				return usagef("--customer-channel must be 0 or, with two channels, 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runListen(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Device, "device", mic.DefaultDevice, "input device index from --list-devices (default: the system's default input)")
	f.BoolVar(&opts.list, "list-devices", false, "print the input devices and exit")
	f.IntVar(&opts.Channels, "channels", 1, "channels to capture: 1, or 2 for a call with one speaker per channel")
	f.IntVar(&opts.CustomerChannel, "customer-channel", 0, "with --channels 2: the customer's channel, 0 (left) or 1 (right)")
	opts.engineFlags.register(f)
	opts.kb.EncoderInBackground = true
	opts.viewFlags.register(f, "print the events as NDJSON on stdout until interrupted, instead of the agent view", logFileUsage)
	return cmd
}

func runListen(ctx context.Context, opts *listenOptions) error {
	if opts.list {
		return app.PrintInputDevices(opts.io.out)
	}
	if f, ok := opts.io.out.(*os.File); !opts.headless && (!ok || !term.IsTerminal(f.Fd())) {
		return errors.New("the agent view needs a terminal (or --headless)")
	}
	cfg, closeLog, err := viewConfig(&opts.engineFlags, &opts.viewFlags, opts.io.err)
	if err != nil {
		return err
	}
	defer closeLog()
	opts.Agent = os.Getenv("USER")
	live, err := app.Listen(ctx, cfg, opts.Live)
	if err != nil {
		return err
	}
	defer live.Close()
	if opts.headless {
		return event.WriteStream(ctx, opts.io.out, live.Events)
	}
	return agent.Run(ctx, live.Events, agent.Options{
		ModelStatus: live.Status,
		Controller:  live.Stack.Controls(),
	})
}
