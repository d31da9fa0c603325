package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	io streams
	app.ReplayOptions
	format string
	engineFlags
	viewFlags
}

func newReplayCmd(io streams, runF func(context.Context, *replayOptions) error) *cobra.Command {
	opts := &replayOptions{io: io}
	cmd := &cobra.Command{
		Use:     "replay [FILE...]",
		Short:   "Replay recorded or scripted calls through the engine",
		Long:    help("replay"),
		Example: example("replay"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Speed < 0 {
				return usagef("--speed must be 0 (as fast as possible) or more, got %g", opts.Speed)
			}
			if opts.Speed > 0 && (opts.Speed < engine.MinSpeed || opts.Speed > engine.MaxSpeed) {
				return usagef("--speed must be 0 or between %g and %g, got %g", float64(engine.MinSpeed), float64(engine.MaxSpeed), opts.Speed)
			}
			if opts.Parallel < 0 {
				return usagef("--parallel must not be negative")
			}
			format, err := transcriptFormat(opts.format)
			if err != nil {
				return err
			}
			opts.Format = format
			if opts.CustomerChannel != 0 && opts.CustomerChannel != 1 {
				return usagef("--customer-channel must be 0 (left) or 1 (right)")
			}
			// As fast as possible is for output to read afterwards: it is
			// whole only if every turn's model work is.
			if opts.Speed == 0 && !cmd.Flags().Changed("wait-models") {
				opts.WaitModels = true
			}
			// The NDJSON of a headless replay carries final transcripts only.
			opts.Partials = opts.Partials && !opts.headless
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&opts.Speed, "speed", 1, "replay speed: 1 is recorded time, 0 as fast as possible")
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.IntVar(&opts.Parallel, "parallel", 0, "calls replayed at once (default: 1, or one per CPU at --speed 0)")
	f.BoolVar(&opts.Partials, "partials", true, "emit partial transcripts while an utterance is spoken (not at --speed 0)")
	f.BoolVar(&opts.WaitModels, "wait-models", false, "wait for each turn's drafts, LLM emotion and translation before the next turn, so the output is whole and the same every run (default at --speed 0)")
	opts.engineFlags.register(f)
	f.IntVar(&opts.CustomerChannel, "customer-channel", 0, "stereo call WAV: the customer's channel, 0 (left) or 1 (right)")
	opts.viewFlags.register(f, "print events as NDJSON on stdout instead of opening the agent view", logFileUsage)
	return cmd
}

// runReplay plays the calls app prepared headless, or in the agent view.
func runReplay(ctx context.Context, opts *replayOptions) error {
	cfg, closeLog, err := viewConfig(&opts.engineFlags, &opts.viewFlags, opts.io.err)
	if err != nil {
		return err
	}
	defer closeLog()
	r, err := app.PrepareReplay(ctx, cfg, opts.ReplayOptions)
	if err != nil {
		return err
	}
	defer r.Close()
	if opts.headless {
		return r.Headless(ctx, opts.io.out)
	}

	if f, ok := opts.io.out.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
		return errors.New("the agent view needs a terminal; use --headless to print events as NDJSON")
	}
	err = runAgentView(ctx, r.Stack, r.Player, r.Calls, agent.Options{})
	if r.Warnings > 0 {
		see := "rerun with --log-file FILE to see them"
		if opts.logFile != "" {
			see = "see " + opts.logFile
		}
		fmt.Fprintf(opts.io.err, "assist: %d transcript lines were skipped or repaired; %s\n", r.Warnings, see)
	}
	return err
}

// runAgentView plays the calls into the agent TUI until the user quits.
// The view is told the replay finished once every call has ended. view
// gives the terminal (tests pass a pipe); the rest of the options are set
// here.
func runAgentView(ctx context.Context, stack *app.Stack, player *engine.Player, calls []transcript.Call, view agent.Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := stack.ReplayFeed(ctx, player, calls)
	view.ModelStatus = stack.Status
	view.Controller = stack.ReplayControls(player)
	return agent.Run(ctx, events, view)
}
