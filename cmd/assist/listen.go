package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/larkspur-labs/assist/audio/mic"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/spf13/cobra"
)

type listenOptions struct {
	io              streams
	device          int
	list            bool
	channels        int
	customerChannel int
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
			if opts.channels != 1 && opts.channels != 2 {
				return usagef("--channels must be 1 or 2")
			}
			if opts.customerChannel < 0 || opts.customerChannel >= opts.channels {
				return usagef("--customer-channel must be 0 or, with two channels, 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runListen(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.device, "device", mic.DefaultDevice, "input device index from --list-devices (default: the system's default input)")
	f.BoolVar(&opts.list, "list-devices", false, "print the input devices and exit")
	f.IntVar(&opts.channels, "channels", 1, "channels to capture: 1, or 2 for a call with one speaker per channel")
	f.IntVar(&opts.customerChannel, "customer-channel", 0, "with --channels 2: the customer's channel, 0 (left) or 1 (right)")
	opts.engineFlags.register(f)
	opts.kb.EncoderInBackground = true
	opts.viewFlags.register(f, "print the events as NDJSON on stdout until interrupted, instead of the agent view", logFileUsage)
	return cmd
}

func runListen(ctx context.Context, opts *listenOptions) error {
	if opts.list {
		return listDevices(opts)
	}
	if f, ok := opts.io.out.(*os.File); !opts.headless && (!ok || !term.IsTerminal(f.Fd())) {
		return errors.New("the agent view needs a terminal (or --headless)")
	}
	log, closeLog, err := opts.logger(opts.io.err)
	if err != nil {
		return err
	}
	defer closeLog()
	cfg, err := opts.engineFlags.config(log, opts.io.err)
	if err != nil {
		return err
	}
	live, err := app.Listen(ctx, cfg, app.Live{
		Device: opts.device, Channels: opts.channels, CustomerChannel: opts.customerChannel, Agent: os.Getenv("USER"),
	})
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

func listDevices(opts *listenOptions) error {
	devices, err := app.InputDevices()
	if err != nil {
		return err
	}
	if len(devices) == 0 {
		fmt.Fprintln(opts.io.out, "no audio input devices")
	}
	for _, d := range devices {
		fmt.Fprintln(opts.io.out, d)
	}
	return nil
}
