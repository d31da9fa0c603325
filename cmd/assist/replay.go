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
	io       streams
	files    []string
	format   string
	speed    float64
	parallel int
	partials bool
	engineFlags
	// customerChannel is the channel of a stereo call WAV the customer
	// speaks on; the other is the agent's.
	customerChannel int
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
			opts.files = args
			if opts.speed < 0 {
				return usagef("--speed must be 0 (as fast as possible) or more, got %g", opts.speed)
			}
			if opts.speed > 0 && (opts.speed < engine.MinSpeed || opts.speed > engine.MaxSpeed) {
				return usagef("--speed must be 0 or between %g and %g, got %g", float64(engine.MinSpeed), float64(engine.MaxSpeed), opts.speed)
			}
			if opts.parallel < 0 {
				return usagef("--parallel must not be negative")
			}
			if _, err := transcriptFormat(opts.format); err != nil {
				return err
			}
			if opts.customerChannel != 0 && opts.customerChannel != 1 {
				return usagef("--customer-channel must be 0 (left) or 1 (right)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&opts.speed, "speed", 1, "replay speed: 1 is recorded time, 0 as fast as possible")
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.IntVar(&opts.parallel, "parallel", 0, "calls replayed at once (default: 1, or one per CPU at --speed 0)")
	f.BoolVar(&opts.partials, "partials", true, "emit partial transcripts while an utterance is spoken (not at --speed 0)")
	opts.engineFlags.register(f)
	f.IntVar(&opts.customerChannel, "customer-channel", 0, "stereo call WAV: the customer's channel, 0 (left) or 1 (right)")
	opts.viewFlags.register(f, "print events as NDJSON on stdout instead of opening the agent view", logFileUsage)
	return cmd
}

func runReplay(ctx context.Context, opts *replayOptions) error {
	log, closeLog, err := opts.logger(opts.io.err)
	if err != nil {
		return err
	}
	defer closeLog()
	cfg, err := opts.engineFlags.config(log, opts.io.err)
	if err != nil {
		return err
	}
	format, err := transcriptFormat(opts.format)
	if err != nil {
		return err
	}
	calls, warnings, err := app.LoadReplay(app.Replay{Files: opts.files, Format: format, CustomerChannel: opts.customerChannel}, cfg)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		log.Warn("transcript", "problem", w.String())
	}
	stack, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer stack.Close()
	player := engine.NewPlayer(stack.Engine, engine.PlayerOptions{
		Speed: opts.speed, Partials: opts.partials && !opts.headless, Parallel: opts.parallel,
	})

	if opts.headless {
		rep, err := engine.ReplayHeadless(ctx, stack.Bus, player, calls, opts.io.out)
		log.Info("replay finished", "report", rep.String(), "warnings", len(warnings))
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}

	if f, ok := opts.io.out.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
		return errors.New("the agent view needs a terminal; use --headless to print events as NDJSON")
	}
	err = runAgentView(ctx, stack, player, calls, agent.Options{})
	if len(warnings) > 0 {
		see := "rerun with --log-file FILE to see them"
		if opts.logFile != "" {
			see = "see " + opts.logFile
		}
		fmt.Fprintf(opts.io.err, "assist: %d transcript lines were skipped or repaired; %s\n", len(warnings), see)
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
